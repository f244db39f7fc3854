#include "data/format/source.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "data/format/format_registry.h"
#include "data/format/input_file.h"

namespace strata::data {

using json = nlohmann::ordered_json;

const char* BadRecordPolicyName(BadRecordPolicy policy) {
  switch (policy) {
    case BadRecordPolicy::kFail: return "fail";
    case BadRecordPolicy::kSkip: return "skip";
    case BadRecordPolicy::kQuarantine: return "quarantine";
  }
  return "fail";
}

bool SchemaTypeByName(const std::string& name, Type* t) {
  for (Type c : {Type::kInt64, Type::kDouble, Type::kBool, Type::kString, Type::kTimestamp, Type::kBinary}) {
    if (name == TypeName(c)) {
      *t = c;
      return true;
    }
  }
  return false;
}

namespace {

bool IsTextOrListOfText(const json& v) {
  if (v.is_string()) return true;
  if (!v.is_array()) return false;
  return std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
}

}  // namespace

Result<SourceSpec> SourceFromJson(const json& j, const std::string& where) {
  static const std::set<std::string> kKeys = {"format", "paths", "header", "on_bad_record",
                                              "quarantine_path", "schema", "n", "items"};
  SourceSpec spec;
  if (!j.is_object()) {
    return InvalidArgument(where + " must be a mapping with format and paths");
  }
  if (j.contains("format") && !j["format"].is_string()) return InvalidArgument(where + ": format must be a name");
  spec.format = j.value("format", "");
  const SourceFormat* format = FindSourceFormat(spec.format);
  if (format == nullptr) {
    return InvalidArgument(where + ": format must be " + ReadableFormatNames() + ", not '" + spec.format + "'");
  }
  const std::vector<std::string> own = format->option_names();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(own.begin(), own.end(), it.key()) != own.end()) {
      if (!it.value().is_string()) {
        return InvalidArgument(where + ": " + it.key() + " must be text");
      }
      spec.options[it.key()] = it.value().get<std::string>();
      continue;
    }
    if (kKeys.count(it.key()) == 0 && it.key() != "path") {
      std::string known = "format, paths (or path), header, on_bad_record, quarantine_path, schema, n, items";
      for (const std::string& o : own) known += ", " + o;
      return InvalidArgument(where + ": unknown field '" + it.key() + "' (" + known + ")");
    }
  }
  if (spec.format == "range") {
    if (!j.contains("n") || !j["n"].is_number_integer() || j["n"].get<int64_t>() < 0) {
      return InvalidArgument(where + ": a range needs n, a whole number of rows");
    }
    spec.n = j["n"].get<int64_t>();
    return spec;
  }
  if (spec.format == "items") {
    if (!j.contains("items") || !j["items"].is_array()) {
      return InvalidArgument(where + ": items needs a list of rows (mappings)");
    }
    for (const auto& row : j["items"]) {
      if (!row.is_object()) {
        return InvalidArgument(where + ": every item must be a mapping of column to value, not " + row.dump());
      }
    }
    spec.items = j["items"].dump();
    return spec;
  }
  if (j.contains("path") == j.contains("paths")) {
    return InvalidArgument(where + (j.contains("path") ? " takes path or paths, not both" : " needs paths (or path)"));
  }
  const json& paths = j.contains("path") ? j["path"] : j["paths"];
  if (!IsTextOrListOfText(paths)) {
    return InvalidArgument(where + ": " + (j.contains("path") ? "path" : "paths") + " must be a file name or a list of them");
  }
  spec.paths = paths.is_string() ? std::vector<std::string>{paths.get<std::string>()}
                                 : paths.get<std::vector<std::string>>();
  if (j.contains("header") && !j["header"].is_boolean()) return InvalidArgument(where + ": header must be true or false");
  spec.header = j.value("header", true);
  if (j.contains("on_bad_record") && !j["on_bad_record"].is_string()) {
    return InvalidArgument(where + ": on_bad_record must be fail, skip or quarantine");
  }
  const std::string policy = j.value("on_bad_record", "fail");
  if (policy == "fail") {
    spec.on_bad_record = BadRecordPolicy::kFail;
  } else if (policy == "skip") {
    spec.on_bad_record = BadRecordPolicy::kSkip;
  } else if (policy == "quarantine") {
    spec.on_bad_record = BadRecordPolicy::kQuarantine;
  } else {
    return InvalidArgument(where + ": on_bad_record must be fail, skip or quarantine, not '" + policy + "'");
  }
  if (j.contains("quarantine_path") && !j["quarantine_path"].is_string()) {
    return InvalidArgument(where + ": quarantine_path must be a directory name");
  }
  spec.quarantine_path = j.value("quarantine_path", "");
  if (j.contains("schema")) {
    if (spec.format == "parquet") {
      return InvalidArgument(where + ": Parquet files carry their own schema (drop 'schema', or cast in a with_column)");
    }
    if (!j["schema"].is_object()) return InvalidArgument(where + ": schema must be a mapping of column to type");
    for (auto it = j["schema"].begin(); it != j["schema"].end(); ++it) {
      if (!it.value().is_string()) return InvalidArgument(where + ": schema." + it.key() + " must be a type name");
    }
    spec.schema = j["schema"].get<std::map<std::string, std::string>>();
    for (const auto& [col, type] : spec.schema) {
      Type t;
      if (!SchemaTypeByName(type, &t)) {
        return InvalidArgument(where + ": schema." + col + " must be int64, double, bool, string, timestamp or binary, not '" + type + "'");
      }
    }
  }
  return spec;
}

Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns) {
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
      return NotFound("no input matches '" + p + "'");
    }
    for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    globfree(&g);
  }
  return files;
}

Result<SourcePlan> PlanSource(const SourceSpec& src, int64_t target_bytes) {
  const SourceFormat* format = FindSourceFormat(src.format);
  if (format == nullptr) {
    return InvalidArgument("format must be " + ReadableFormatNames() + ", not '" + src.format + "'");
  }
  std::vector<std::string> files;
  if (format->reads_files()) {
    STRATA_ASSIGN_OR_RETURN(files, ExpandPaths(src.paths));
    if (files.empty()) return NotFound("no input files");
  }
  SourcePlan plan;
  STRATA_RETURN_IF_ERROR(format->Plan(src, files, target_bytes, &plan.schema, &plan.ranges));
  return plan;
}

int64_t SourceBytes(const SourceSpec& src) {
  const SourceFormat* format = FindSourceFormat(src.format);
  if (format == nullptr) return 0;
  if (!format->reads_files()) return format->EstimateBytes(src);
  const Result<std::vector<std::string>> files = ExpandPaths(src.paths);
  if (!files.ok()) return 0;  // planning the source reports it
  int64_t total = 0;
  for (const std::string& f : *files) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(f, ec);
    if (!ec) total += static_cast<int64_t>(size) * (IsCompressed(f) ? 5 : 1);  // a guess at the ratio
  }
  return total;
}

Status ReadPart(const std::string& format, const FileRange& range, const CsvSchema& schema, Block* out,
                std::vector<BadRecord>* bad, int64_t* bytes) {
  const SourceFormat* f = FindSourceFormat(format);
  if (f == nullptr) {
    return InvalidArgument("this worker knows no format '" + format + "' (is the library that adds it linked in?)");
  }
  return f->Read(range, schema, out, bad, bytes);
}

}  // namespace strata::data
