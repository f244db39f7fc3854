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

bool SourceFromJson(const json& j, const std::string& where, SourceSpec* out, std::string* error) {
  static const std::set<std::string> kKeys = {"format", "paths", "header", "on_bad_record",
                                              "quarantine_path", "schema", "n", "items"};
  if (!j.is_object()) {
    *error = where + " must be a mapping with format and paths";
    return false;
  }
  out->format = j.value("format", "");
  const SourceFormat* format = FindSourceFormat(out->format);
  if (format == nullptr) {
    *error = where + ": format must be " + ReadableFormatNames() + ", not '" + out->format + "'";
    return false;
  }
  const std::vector<std::string> own = format->option_names();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(own.begin(), own.end(), it.key()) != own.end()) {
      if (!it.value().is_string()) {
        *error = where + ": " + it.key() + " must be text";
        return false;
      }
      out->options[it.key()] = it.value().get<std::string>();
      continue;
    }
    if (kKeys.count(it.key()) == 0 && it.key() != "path") {
      std::string known = "format, paths (or path), header, on_bad_record, quarantine_path, schema, n, items";
      for (const std::string& o : own) known += ", " + o;
      *error = where + ": unknown field '" + it.key() + "' (" + known + ")";
      return false;
    }
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
  if (j.contains("path") == j.contains("paths")) {
    *error = where + (j.contains("path") ? " takes path or paths, not both" : " needs paths (or path)");
    return false;
  }
  const json& paths = j.contains("path") ? j["path"] : j["paths"];
  out->paths = paths.is_string() ? std::vector<std::string>{paths.get<std::string>()}
                                 : paths.get<std::vector<std::string>>();
  out->header = j.value("header", true);
  const std::string policy = j.value("on_bad_record", "fail");
  if (policy == "fail") {
    out->on_bad_record = BadRecordPolicy::kFail;
  } else if (policy == "skip") {
    out->on_bad_record = BadRecordPolicy::kSkip;
  } else if (policy == "quarantine") {
    out->on_bad_record = BadRecordPolicy::kQuarantine;
  } else {
    *error = where + ": on_bad_record must be fail, skip or quarantine, not '" + policy + "'";
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
      if (!SchemaTypeByName(type, &t)) {
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

Result<SourcePlan> PlanSource(const SourceSpec& src, int64_t target_bytes) {
  const SourceFormat* format = FindSourceFormat(src.format);
  if (format == nullptr) {
    return InvalidArgument("format must be " + ReadableFormatNames() + ", not '" + src.format + "'");
  }
  std::vector<std::string> files;
  if (format->reads_files()) {
    std::string error;
    files = ExpandPaths(src.paths, &error);
    if (files.empty()) return NotFound(error.empty() ? "no input files" : error);
  }
  SourcePlan plan;
  STRATA_RETURN_IF_ERROR(format->Plan(src, files, target_bytes, &plan.schema, &plan.ranges));
  return plan;
}

int64_t SourceBytes(const SourceSpec& src) {
  const SourceFormat* format = FindSourceFormat(src.format);
  if (format == nullptr) return 0;
  if (!format->reads_files()) return format->EstimateBytes(src);
  std::string error;
  int64_t total = 0;
  for (const std::string& f : ExpandPaths(src.paths, &error)) {
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
