#include "data/source.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "data/input_file.h"
#include "data/jsonl.h"
#include "data/parquet/reader.h"

namespace strata::data {

using json = nlohmann::ordered_json;

namespace {

// A type a source's `schema` may give a column: by the name TypeName() shows.
bool SchemaType(const std::string& name, Type* t) {
  for (Type c : {Type::kInt64, Type::kDouble, Type::kBool, Type::kString, Type::kTimestamp, Type::kBinary}) {
    if (name == TypeName(c)) {
      *t = c;
      return true;
    }
  }
  return false;
}

}  // namespace

bool SourceFromJson(const json& j, const std::string& where, SourceSpec* out, std::string* error) {
  static const std::set<std::string> kKeys = {"format", "paths", "header", "on_bad_record",
                                              "quarantine_path", "schema", "n", "items"};
  if (!j.is_object()) {
    *error = where + " must be a mapping with format and paths";
    return false;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (kKeys.count(it.key()) == 0) {
      *error = where + ": unknown field '" + it.key() +
               "' (format, paths, header, on_bad_record, quarantine_path, schema, n, items)";
      return false;
    }
  }
  out->format = j.value("format", "");
  static const std::set<std::string> kFormats = {"csv", "tsv", "jsonl", "parquet", "text", "range", "items"};
  if (kFormats.count(out->format) == 0) {
    *error = where + ": format must be csv, tsv, jsonl, parquet, text, range or items, not '" + out->format + "'";
    return false;
  }
  if (out->format == "range") {
    if (!j.contains("n") || !j["n"].is_number_integer() || j["n"].get<int64_t>() < 0) {
      *error = where + ": a range needs n, a whole number of rows";
      return false;
    }
    out->n = j["n"].get<int64_t>();
    return true;
  }
  if (out->format == "items") {
    if (!j.contains("items") || !j["items"].is_array()) {
      *error = where + ": items needs a list of rows (mappings)";
      return false;
    }
    for (const auto& row : j["items"]) {
      if (!row.is_object()) {
        *error = where + ": every item must be a mapping of column to value, not " + row.dump();
        return false;
      }
    }
    out->items = j["items"].dump();
    return true;
  }
  if (!j.contains("paths")) {
    *error = where + " needs paths";
    return false;
  }
  out->paths = j["paths"].is_string() ? std::vector<std::string>{j["paths"].get<std::string>()}
                                      : j["paths"].get<std::vector<std::string>>();
  out->header = j.value("header", true);
  out->on_bad_record = j.value("on_bad_record", "fail");
  if (out->on_bad_record != "fail" && out->on_bad_record != "skip" && out->on_bad_record != "quarantine") {
    *error = where + ": on_bad_record must be fail, skip or quarantine, not '" + out->on_bad_record + "'";
    return false;
  }
  out->quarantine_path = j.value("quarantine_path", "");
  if (j.contains("schema")) {
    if (out->format == "parquet") {
      *error = where + ": Parquet files carry their own schema (drop 'schema', or cast in a with_column)";
      return false;
    }
    out->schema = j["schema"].get<std::map<std::string, std::string>>();
    for (const auto& [col, type] : out->schema) {
      Type t;
      if (!SchemaType(type, &t)) {
        *error = where + ": schema." + col + " must be int64, double, bool, string, timestamp or binary, not '" + type + "'";
        return false;
      }
    }
  }
  return true;
}

std::vector<std::string> ExpandPaths(const std::vector<std::string>& patterns, std::string* error) {
  std::vector<std::string> files;
  for (const std::string& p : patterns) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& e : std::filesystem::recursive_directory_iterator(p, ec)) {
        const std::string name = e.path().filename().string();
        if (e.is_regular_file() && name[0] != '.' && name[0] != '_') in_dir.push_back(e.path().string());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
      continue;
    }
    glob_t g{};
    const int rc = glob(p.c_str(), 0, nullptr, &g);
    if (rc != 0) {
      globfree(&g);
      *error = "no input matches '" + p + "'";
      return {};
    }
    for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    globfree(&g);
  }
  return files;
}

namespace {

bool PlanParquet(const std::vector<std::string>& files, CsvSchema* schema, std::vector<FileRange>* ranges,
                 std::string* error) {
  for (size_t f = 0; f < files.size(); ++f) {
    ParquetFileInfo info;
    if (!ReadParquetInfo(files[f], &info, error)) return false;
    if (f == 0) {
      *schema = info.schema;
    } else if (info.schema.names != schema->names || info.schema.types != schema->types ||
               info.schema.elements != schema->elements) {
      *error = files[f] + ": its columns differ from " + files[0] + "'s (all files of a source share one schema)";
      return false;
    }
    int64_t first_row = 0;
    for (size_t g = 0; g < info.row_group_rows.size(); ++g) {
      ranges->push_back({files[f], static_cast<int64_t>(g), 1, first_row, {}});
      first_row += info.row_group_rows[g];
    }
  }
  return true;
}

}  // namespace

bool PlanSource(const SourceSpec& src, int64_t target_bytes, CsvSchema* schema,
                std::vector<FileRange>* ranges, std::string* error) {
  if (src.format == "range") {
    *schema = CsvSchema{{"id"}, {Type::kInt64}, {}};
    constexpr int64_t kRowsPerRange = 1 << 20;
    for (int64_t start = 0; start < src.n; start += kRowsPerRange) {
      ranges->push_back({"range", start, std::min(kRowsPerRange, src.n - start), start, ""});
    }
    return true;
  }
  if (src.format == "items") {
    std::string lines;
    for (const auto& row : json::parse(src.items)) lines += row.dump() + "\n";
    InferJsonlSchemaOf(lines, schema);
    ranges->push_back({"items", 0, static_cast<int64_t>(lines.size()), 1, lines});
    return true;
  }
  const std::vector<std::string> files = ExpandPaths(src.paths, error);
  if (files.empty()) {
    if (error->empty()) *error = "no input files";
    return false;
  }
  if (src.format == "parquet") return PlanParquet(files, schema, ranges, error);
  if (src.format == "text") {
    *schema = CsvSchema{{"text"}, {Type::kString}, {}};
    for (const std::string& f : files) {
      const auto more = SplitLines(f, target_bytes, error);
      if (!error->empty()) return false;
      ranges->insert(ranges->end(), more.begin(), more.end());
    }
    return true;
  }
  const bool jsonl = src.format == "jsonl";
  const char delim = src.format == "tsv" ? '\t' : ',';
  if (jsonl ? !InferJsonlSchema(files[0], schema, error)
            : !InferCsvSchema(files[0], delim, src.header, schema, error)) {
    return false;
  }
  for (const auto& [col, type] : src.schema) {
    auto it = std::find(schema->names.begin(), schema->names.end(), col);
    if (it == schema->names.end() && jsonl) {
      // A key the sampled records lack: declared, it is read where it appears.
      schema->names.push_back(col);
      schema->types.push_back(Type::kString);
      if (!schema->elements.empty()) schema->elements.push_back(Type::kNull);
      it = schema->names.end() - 1;
    }
    if (it == schema->names.end()) {
      *error = "schema names column '" + col + "', which " + files[0] + " does not have";
      return false;
    }
    SchemaType(type, &schema->types[static_cast<size_t>(it - schema->names.begin())]);  // checked when parsed
  }
  for (const std::string& f : files) {
    const auto more = jsonl ? SplitLines(f, target_bytes, error) : SplitCsv(f, src.header, target_bytes, error);
    if (!error->empty()) return false;
    ranges->insert(ranges->end(), more.begin(), more.end());
  }
  return true;
}

int64_t SourceBytes(const SourceSpec& src) {
  if (src.format == "range") return src.n * 8;
  if (src.format == "items") return static_cast<int64_t>(src.items.size());
  std::string error;
  int64_t total = 0;
  for (const std::string& f : ExpandPaths(src.paths, &error)) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(f, ec);
    if (!ec) total += static_cast<int64_t>(size) * (IsCompressed(f) ? 5 : 1);  // a guess at the ratio
  }
  return total;
}

bool ReadPart(const std::string& format, const FileRange& range, const CsvSchema& schema, Block* out,
              std::vector<BadRecord>* bad, int64_t* bytes, std::string* error) {
  if (format == "parquet") {
    if (!ReadParquetRowGroup(range.path, static_cast<int>(range.offset), schema, out, error)) return false;
    *bytes = 0;
    for (const Column& c : out->columns) {
      *bytes += static_cast<int64_t>(c.i64.size() * 8 + c.f64.size() * 8 + c.b.size() + c.chars.size());
    }
    return true;
  }
  if (format == "range") {
    Column id = Column::OfType(Type::kInt64);
    id.i64.resize(static_cast<size_t>(range.length));
    for (int64_t i = 0; i < range.length; ++i) id.i64[static_cast<size_t>(i)] = range.offset + i;
    id.length = range.length;
    *out = Block{};
    out->Add("id", std::move(id));
    out->num_rows = range.length;
    *bytes = range.length * 8;
    return true;
  }
  if (format == "items") {
    ParseJsonl(range.text, "items", 1, schema, out, bad);
    *bytes = static_cast<int64_t>(range.text.size());
    return true;
  }
  std::string text;
  if (!ReadRange(range, &text, error)) return false;
  *bytes = static_cast<int64_t>(text.size());
  if (format == "text") {
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
    return true;
  }
  if (format == "jsonl") {
    ParseJsonl(text, range.path, range.first_line, schema, out, bad);
  } else {
    ParseCsv(text, range.path, range.first_line, schema, format == "tsv" ? '\t' : ',', out, bad);
  }
  return true;
}

}  // namespace strata::data
