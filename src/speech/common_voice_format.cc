// The `common_voice` source: one TSV of a Mozilla Common Voice release
// (`read: {format: common_voice, path: .../cv-corpus-N/en, tsv: validated}`).
// Common Voice TSVs are tab-separated with a header and no quoting — a
// sentence may open a quote and never close it — so a record is a line and
// a field is what lies between tabs; columns are found by name (releases
// add and reorder them). Every column is text except up_votes and
// down_votes (int64); `audio_path` is added: the clip's file under clips/.
// A line with another number of fields than the header is a bad record
// naming the file and line.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "data/format/format_registry.h"
#include "data/format/input_file.h"
#include "data/format/jsonl.h"

namespace strata::speech {

namespace {

using data::Block;
using data::Column;
using data::CsvSchema;
using data::FileRange;
using data::Type;

constexpr const char* kAudioPath = "audio_path";
constexpr int64_t kRangeBytes = 8 << 10;
const char* const kTsvs[] = {"validated", "train", "dev", "test", "invalidated", "other"};

// Splits `line` at tabs (a trailing carriage return dropped).
void SplitTabs(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t start = 0;
  for (;;) {
    const size_t tab = line.find('\t', start);
    fields->push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return;
    start = tab + 1;
  }
}

class CommonVoiceSource : public data::SourceFormat {
 public:
  bool reads_files() const override { return false; }  // a release directory, not files
  std::vector<std::string> option_names() const override { return {"tsv"}; }
  int64_t EstimateBytes(const data::SourceSpec& src) const override {
    std::error_code ec;
    const auto size = std::filesystem::file_size(TsvPath(src), ec);
    return ec ? 0 : static_cast<int64_t>(size);
  }

  Status Plan(const data::SourceSpec& src, const std::vector<std::string>&, int64_t target_bytes, CsvSchema* schema,
              std::vector<FileRange>* ranges) const override {
    if (src.paths.size() != 1) {
      return InvalidArgument("common_voice reads one release directory (path: .../cv-corpus-N/LOCALE)");
    }
    const std::string tsv = src.options.count("tsv") ? src.options.at("tsv") : "validated";
    if (std::find(std::begin(kTsvs), std::end(kTsvs), tsv) == std::end(kTsvs)) {
      return InvalidArgument("common_voice: tsv must be validated, train, dev, test, invalidated or other, not '" +
                             tsv + "'");
    }
    const std::string path = TsvPath(src);
    std::ifstream in(path);
    std::string header;
    if (!in || !std::getline(in, header)) {
      return NotFound("common_voice: cannot read " + path + " (is " + src.paths[0] +
                      " a Common Voice release directory for one locale?)");
    }
    std::vector<std::string_view> names;
    SplitTabs(header, &names);
    schema->names.clear();
    schema->types.clear();
    for (std::string_view n : names) {
      schema->names.emplace_back(n);
      schema->types.push_back(n == "up_votes" || n == "down_votes" ? Type::kInt64 : Type::kString);
    }
    if (std::find(schema->names.begin(), schema->names.end(), "path") == schema->names.end()) {
      return InvalidArgument("common_voice: " + path + " has no 'path' column (its header: " + header + ")");
    }
    schema->names.push_back(kAudioPath);
    schema->types.push_back(Type::kString);
    // A line is a clip, and a clip costs milliseconds to decode: ranges of
    // about 8 KB (some 80 clips) keep every core busy on a small TSV.
    STRATA_ASSIGN_OR_RETURN(*ranges, data::SplitLines(path, std::min<int64_t>(target_bytes, kRangeBytes)));
    return OkStatus();
  }

  Status Read(const FileRange& range, const CsvSchema& schema, Block* out, std::vector<data::BadRecord>* bad,
              int64_t* bytes) const override {
    std::string text;
    STRATA_RETURN_IF_ERROR(data::ReadRange(range, &text));
    *bytes = static_cast<int64_t>(text.size());
    const size_t cols = schema.names.size() - 1;  // the TSV's; audio_path is added
    if (out->columns.empty()) {
      for (size_t i = 0; i < schema.names.size(); ++i) out->Add(schema.names[i], Column::OfType(schema.types[i]));
    }
    const auto path_col = static_cast<size_t>(std::find(schema.names.begin(), schema.names.end(), "path") -
                                              schema.names.begin());
    const std::string clips = (std::filesystem::path(range.path).parent_path() / "clips").string() + "/";
    std::vector<std::string_view> fields;
    int64_t line = range.first_line;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      const std::string_view record(text.data() + pos, end - pos);
      pos = end + 1;
      const int64_t at = line++;
      if (at == 1) continue;  // the header
      if (record.empty() || record == "\r") continue;
      SplitTabs(record, &fields);
      std::string reason;
      if (fields.size() != cols) {
        reason = "expected " + std::to_string(cols) + " tab-separated fields, found " + std::to_string(fields.size());
      }
      for (size_t i = 0; i < cols && reason.empty(); ++i) {
        if (schema.types[i] != Type::kInt64 || fields[i].empty()) continue;
        int64_t v = 0;
        const auto r = std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), v);
        if (r.ec != std::errc() || r.ptr != fields[i].data() + fields[i].size()) {
          reason = "field '" + schema.names[i] + "' is not a whole number: '" + std::string(fields[i]) + "'";
        }
      }
      if (!reason.empty()) {
        bad->push_back({range.path, at, reason, std::string(record)});
        continue;
      }
      for (size_t i = 0; i < cols; ++i) {
        Column& c = out->columns[i];
        if (schema.types[i] == Type::kInt64) {
          int64_t v = 0;
          if (fields[i].empty()) {
            c.AppendNull();
          } else {
            std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), v);
            c.AppendInt(v);
          }
        } else {
          c.AppendString(fields[i]);
        }
      }
      out->columns[cols].AppendString(clips + std::string(fields[path_col]));
      ++out->num_rows;
    }
    return OkStatus();
  }

 private:
  static std::string TsvPath(const data::SourceSpec& src) {
    const std::string tsv = src.options.count("tsv") ? src.options.at("tsv") : "validated";
    return (std::filesystem::path(src.paths.empty() ? "" : src.paths[0]) / (tsv + ".tsv")).string();
  }
};

const bool kRegistered = [] {
  data::FormatRegistry()["common_voice"].source = std::make_unique<CommonVoiceSource>();
  return true;
}();

}  // namespace

}  // namespace strata::speech
