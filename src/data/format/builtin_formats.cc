// The formats Strata knows out of the box: CSV and TSV, JSON Lines, text
// lines, Parquet (read and write), and two sources without files: `range`
// (ids 0..n-1) and `items` (rows given inline).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "data/format/format_registry.h"
#include "data/format/input_file.h"
#include "data/format/jsonl.h"
#include "data/format/parquet/reader.h"
#include "data/format/parquet/writer.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

// A source's `schema` overrides the inferred type of a column; a JSON Lines
// source may also declare a key its first records lack.
Status ApplySchema(const SourceSpec& src, const std::string& first_file, bool may_add, CsvSchema* schema) {
  for (const auto& [col, type] : src.schema) {
    auto it = std::find(schema->names.begin(), schema->names.end(), col);
    if (it == schema->names.end() && may_add) {
      // A key the sampled records lack: declared, it is read where it appears.
      schema->names.push_back(col);
      schema->types.push_back(Type::kString);
      if (!schema->elements.empty()) schema->elements.push_back(Type::kNull);
      it = schema->names.end() - 1;
    }
    if (it == schema->names.end()) {
      return InvalidArgument("schema names column '" + col + "', which " + first_file + " does not have");
    }
    SchemaTypeByName(type, &schema->types[static_cast<size_t>(it - schema->names.begin())]);  // checked when parsed
  }
  return OkStatus();
}

Status SplitEach(const std::vector<std::string>& files, int64_t target_bytes, bool csv_header, bool csv,
                 std::vector<FileRange>* ranges) {
  for (const std::string& f : files) {
    STRATA_ASSIGN_OR_RETURN(const auto more, csv ? SplitCsv(f, csv_header, target_bytes) : SplitLines(f, target_bytes));
    ranges->insert(ranges->end(), more.begin(), more.end());
  }
  return OkStatus();
}

class DelimitedSource : public SourceFormat {
 public:
  explicit DelimitedSource(char delimiter) : delimiter_(delimiter) {}
  Status Plan(const SourceSpec& src, const std::vector<std::string>& files, int64_t target_bytes, CsvSchema* schema,
              std::vector<FileRange>* ranges) const override {
    STRATA_ASSIGN_OR_RETURN(*schema, InferCsvSchema(files[0], delimiter_, src.header));
    STRATA_RETURN_IF_ERROR(ApplySchema(src, files[0], /*may_add=*/false, schema));
    return SplitEach(files, target_bytes, src.header, /*csv=*/true, ranges);
  }
  Status Read(const FileRange& range, const CsvSchema& schema, Block* out, std::vector<BadRecord>* bad,
              int64_t* bytes) const override {
    // One buffer per thread, range after range: a fresh one of 8 MB is
    // zero-filled and faulted in page by page before the read fills it.
    thread_local std::string text;
    STRATA_RETURN_IF_ERROR(ReadRange(range, &text));
    *bytes = static_cast<int64_t>(text.size());
    ParseCsv(text, range.path, range.first_line, schema, delimiter_, out, bad);
    return OkStatus();
  }

 private:
  char delimiter_;
};

class JsonlSource : public SourceFormat {
 public:
  Status Plan(const SourceSpec& src, const std::vector<std::string>& files, int64_t target_bytes, CsvSchema* schema,
              std::vector<FileRange>* ranges) const override {
    STRATA_ASSIGN_OR_RETURN(*schema, InferJsonlSchema(files[0]));
    STRATA_RETURN_IF_ERROR(ApplySchema(src, files[0], /*may_add=*/true, schema));
    return SplitEach(files, target_bytes, false, /*csv=*/false, ranges);
  }
  Status Read(const FileRange& range, const CsvSchema& schema, Block* out, std::vector<BadRecord>* bad,
              int64_t* bytes) const override {
    // One buffer per thread, range after range: a fresh one of 8 MB is
    // zero-filled and faulted in page by page before the read fills it.
    thread_local std::string text;
    STRATA_RETURN_IF_ERROR(ReadRange(range, &text));
    *bytes = static_cast<int64_t>(text.size());
    ParseJsonl(text, range.path, range.first_line, schema, out, bad);
    return OkStatus();
  }
};

class TextSource : public SourceFormat {
 public:
  Status Plan(const SourceSpec&, const std::vector<std::string>& files, int64_t target_bytes, CsvSchema* schema,
              std::vector<FileRange>* ranges) const override {
    *schema = CsvSchema{{"text"}, {Type::kString}, {}};
    return SplitEach(files, target_bytes, false, /*csv=*/false, ranges);
  }
  Status Read(const FileRange& range, const CsvSchema&, Block* out, std::vector<BadRecord>*,
              int64_t* bytes) const override {
    // One buffer per thread, range after range: a fresh one of 8 MB is
    // zero-filled and faulted in page by page before the read fills it.
    thread_local std::string text;
    STRATA_RETURN_IF_ERROR(ReadRange(range, &text));
    *bytes = static_cast<int64_t>(text.size());
    Column lines = Column::OfType(Type::kString);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      lines.AppendString(line);
      pos = end + 1;
    }
    *out = Block{};
    out->num_rows = lines.length;
    out->Add("text", std::move(lines));
    return OkStatus();
  }
};

class ParquetSource : public SourceFormat {
 public:
  // One range per row group; `first_line` is the group's first row.
  Status Plan(const SourceSpec&, const std::vector<std::string>& files, int64_t, CsvSchema* schema,
              std::vector<FileRange>* ranges) const override {
    for (size_t f = 0; f < files.size(); ++f) {
      STRATA_ASSIGN_OR_RETURN(const ParquetFileInfo info, ReadParquetInfo(files[f]));
      if (f == 0) {
        *schema = info.schema;
      } else if (info.schema.names != schema->names || info.schema.types != schema->types ||
                 info.schema.elements != schema->elements) {
        return InvalidArgument(files[f] + ": its columns differ from " + files[0] +
                               "'s (all files of a source share one schema)");
      }
      int64_t first_row = 0;
      for (size_t g = 0; g < info.row_group_rows.size(); ++g) {
        ranges->push_back({files[f], static_cast<int64_t>(g), 1, first_row, {}});
        first_row += info.row_group_rows[g];
      }
    }
    return OkStatus();
  }
  Status Read(const FileRange& range, const CsvSchema& schema, Block* out, std::vector<BadRecord>*,
              int64_t* bytes) const override {
    STRATA_RETURN_IF_ERROR(ReadParquetRowGroup(range.path, static_cast<int>(range.offset), schema, out));
    *bytes = 0;
    for (const Column& c : out->columns) {
      *bytes += static_cast<int64_t>(c.i64.size() * 8 + c.f64.size() * 8 + c.b.size() + c.chars.size());
    }
    return OkStatus();
  }
};

class RangeSource : public SourceFormat {
 public:
  bool reads_files() const override { return false; }
  Status Plan(const SourceSpec& src, const std::vector<std::string>&, int64_t, CsvSchema* schema,
              std::vector<FileRange>* ranges) const override {
    *schema = CsvSchema{{"id"}, {Type::kInt64}, {}};
    constexpr int64_t kRowsPerRange = 1 << 20;
    for (int64_t start = 0; start < src.n; start += kRowsPerRange) {
      ranges->push_back({"range", start, std::min(kRowsPerRange, src.n - start), start, ""});
    }
    return OkStatus();
  }
  Status Read(const FileRange& range, const CsvSchema&, Block* out, std::vector<BadRecord>*,
              int64_t* bytes) const override {
    Column id = Column::OfType(Type::kInt64);
    id.i64.resize(static_cast<size_t>(range.length));
    for (int64_t i = 0; i < range.length; ++i) id.i64[static_cast<size_t>(i)] = range.offset + i;
    id.length = range.length;
    *out = Block{};
    out->Add("id", std::move(id));
    out->num_rows = range.length;
    *bytes = range.length * 8;
    return OkStatus();
  }
  int64_t EstimateBytes(const SourceSpec& src) const override { return src.n * 8; }
};

class ItemsSource : public SourceFormat {
 public:
  bool reads_files() const override { return false; }
  Status Plan(const SourceSpec& src, const std::vector<std::string>&, int64_t, CsvSchema* schema,
              std::vector<FileRange>* ranges) const override {
    std::string lines;
    for (const auto& row : json::parse(src.items)) lines += row.dump() + "\n";
    InferJsonlSchemaOf(lines, schema);
    ranges->push_back({"items", 0, static_cast<int64_t>(lines.size()), 1, lines});
    return OkStatus();
  }
  Status Read(const FileRange& range, const CsvSchema& schema, Block* out, std::vector<BadRecord>* bad,
              int64_t* bytes) const override {
    ParseJsonl(range.text, "items", 1, schema, out, bad);
    *bytes = static_cast<int64_t>(range.text.size());
    return OkStatus();
  }
  int64_t EstimateBytes(const SourceSpec& src) const override { return static_cast<int64_t>(src.items.size()); }
};

class DelimitedSink : public SinkFormat {
 public:
  DelimitedSink(char delimiter, std::string extension) : delimiter_(delimiter), extension_(std::move(extension)) {}
  std::string extension() const override { return extension_; }
  Status Encode(const Block& b, const WriteSpec&, std::string* bytes) const override {
    WriteCsv(b, delimiter_, true, bytes);
    return OkStatus();
  }

 private:
  char delimiter_;
  std::string extension_;
};

class JsonlSink : public SinkFormat {
 public:
  std::string extension() const override { return "jsonl"; }
  Status Encode(const Block& b, const WriteSpec&, std::string* bytes) const override {
    WriteJsonl(b, bytes);
    return OkStatus();
  }
};

class TextSink : public SinkFormat {
 public:
  std::string extension() const override { return "txt"; }
  // One line per row: the one column the output has, as text.
  Status Encode(const Block& b, const WriteSpec&, std::string* bytes) const override {
    if (b.columns.size() != 1) {
      return InvalidArgument("write: text output takes one column (select it first); this output has " +
                             std::to_string(b.columns.size()));
    }
    const Column& c = b.columns[0];
    for (int64_t r = 0; r < b.num_rows; ++r) {
      if (!c.IsNull(r)) bytes->append(c.type == Type::kString ? std::string(c.Str(r)) : JsonValue(c, r));
      bytes->push_back('\n');
    }
    return OkStatus();
  }
};

class ParquetSink : public SinkFormat {
 public:
  std::string extension() const override { return "parquet"; }
  Status Encode(const Block& b, const WriteSpec& w, std::string* bytes) const override {
    ParquetWriteOptions o;
    parquet::CodecByName(w.compression, &o.codec);
    WriteParquet(b, o, bytes);
    return OkStatus();
  }
};

}  // namespace

void AddBuiltinFormats(std::map<std::string, FormatEntry>* r) {
  (*r)["csv"] = {std::make_unique<DelimitedSource>(','), std::make_unique<DelimitedSink>(',', "csv")};
  (*r)["tsv"] = {std::make_unique<DelimitedSource>('\t'), std::make_unique<DelimitedSink>('\t', "tsv")};
  (*r)["jsonl"] = {std::make_unique<JsonlSource>(), std::make_unique<JsonlSink>()};
  (*r)["text"] = {std::make_unique<TextSource>(), std::make_unique<TextSink>()};
  (*r)["parquet"] = {std::make_unique<ParquetSource>(), std::make_unique<ParquetSink>()};
  (*r)["range"] = {std::make_unique<RangeSource>(), nullptr};
  (*r)["items"] = {std::make_unique<ItemsSource>(), nullptr};
}

}  // namespace strata::data
