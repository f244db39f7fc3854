// Pipeline files: YAML in, a checked PipelineSpec out (see pipeline.h).
#include <yaml-cpp/yaml.h>

#include "data/ops/operators.h"
#include "data/exec/pipeline.h"
#include "data/format/format_registry.h"
#include "data/ops/steps.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

// YAML aliases share nodes, so a few lines can stand for billions of values
// ("billion laughs"); the conversion stops at these bounds.
constexpr int64_t kMaxYamlValues = 1'000'000;
constexpr int kMaxYamlDepth = 128;

struct YamlTooBig {
  std::string what;
};

json YamlToJson(const YAML::Node& n, int64_t* budget, int depth) {
  if (--*budget < 0) {
    throw YamlTooBig{"expands to more than " + std::to_string(kMaxYamlValues) +
                     " values (aliases repeated inside aliases?)"};
  }
  if (depth > kMaxYamlDepth) throw YamlTooBig{"nests deeper than " + std::to_string(kMaxYamlDepth) + " levels"};
  if (n.IsMap()) {
    json j = json::object();
    for (const auto& kv : n) j[kv.first.as<std::string>()] = YamlToJson(kv.second, budget, depth + 1);
    return j;
  }
  if (n.IsSequence()) {
    json j = json::array();
    for (const auto& item : n) j.push_back(YamlToJson(item, budget, depth + 1));
    return j;
  }
  if (n.IsNull()) return nullptr;
  const std::string s = n.as<std::string>();
  if (n.Tag() == "!") return s;  // quoted in the file: a string
  int64_t i;
  double d;
  if (YAML::convert<int64_t>::decode(n, i)) return i;
  if (YAML::convert<double>::decode(n, d)) return d;
  // Only true and false are booleans (YAML 1.2): a column named n, y, on or
  // no stays a name.
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return s;
}

}  // namespace

static Result<PipelineSpec> LoadPipelineOrThrow(const std::string& path) {
  PipelineSpec spec;
  int64_t budget = kMaxYamlValues;  // for the whole file
  auto YamlToJson = [&budget](const YAML::Node& n) { return data::YamlToJson(n, &budget, 0); };
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return NotFound("cannot read pipeline file " + path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  auto at = [&](const YAML::Node& n) { return path + ":" + std::to_string(n.Mark().line + 1) + ": "; };
  if (!root.IsMap()) {
    return InvalidArgument(path + ": a pipeline file is a mapping with read, steps and write");
  }
  for (const auto& kv : root) {
    const std::string k = kv.first.as<std::string>();
    if (k != "read" && k != "steps" && k != "write") {
      return InvalidArgument(at(kv.first) + "unknown field '" + k + "' (read, steps, write)");
    }
  }
  spec.file = path;
  if (!root["read"]) {
    return InvalidArgument(path + ": needs a 'read' source");
  }
  try {
    Result<SourceSpec> read = SourceFromJson(YamlToJson(root["read"]), "read");
    if (!read.ok()) {
      return InvalidArgument(at(root["read"]) + read.status().message());
    }
    spec.read = std::move(read).value();
    if (root["steps"]) {
      if (!root["steps"].IsSequence()) {
        return InvalidArgument(at(root["steps"]) + "steps must be a list");
      }
      int i = 0;
      for (const auto& s : root["steps"]) {
        ++i;
        if (!s.IsMap() || s.size() != 1) {
          return InvalidArgument(at(s) + "step " + std::to_string(i) + " must be a one-key mapping: the operator and its parameters");
        }
        const std::string op = s.begin()->first.as<std::string>();
        json params = YamlToJson(s.begin()->second);
        if (!params.is_object() || op == "rename") params = json{{"value", params}};
        if (auto step = MakeStep(op, params); !step.ok()) {
          return InvalidArgument(at(s) + StepContext(i - 1, op) + step.status().message());
        }
        if (op == "join" || op == "union") {
          if (Result<SourceSpec> right = SourceFromJson(op == "join" ? params["right"] : params, op + " source");
              !right.ok()) {
            return InvalidArgument(at(s) + StepContext(i - 1, op) + right.status().message());
          }
        }
        spec.steps.emplace_back(op, params);
        spec.step_lines.push_back(s.Mark().line + 1);
      }
    }
    if (!root["write"]) {
      return InvalidArgument(path + ": needs a 'write' target");
    }
    const json w = YamlToJson(root["write"]);
    const SinkFormat* sink = FindSinkFormat(w.value("format", "jsonl"));
    const std::vector<std::string> own = sink != nullptr ? sink->option_names() : std::vector<std::string>();
    for (auto it = w.begin(); it != w.end(); ++it) {
      if (std::find(own.begin(), own.end(), it.key()) != own.end()) {
        spec.write.options[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
        continue;
      }
      if (it.key() != "format" && it.key() != "path" && it.key() != "partition_by" && it.key() != "compression") {
        std::string known = "format, path, partition_by, compression";
        for (const std::string& o : own) known += ", " + o;
        return InvalidArgument(at(root["write"]) + "write: unknown field '" + it.key() + "' (" + known + ")");
      }
    }
    spec.write.format = w.value("format", "jsonl");
    spec.write.path = w.value("path", "");
    spec.write.partition_by = w.value("partition_by", "");
    // Parquet compresses its pages (snappy unless told); the text formats
    // compress whole files when asked (zstd or gzip: part-00000.jsonl.zst).
    spec.write.compression = w.value("compression", spec.write.format == "parquet" ? "snappy" : "none");
    if (Status s = CheckWriteSpec(spec.write); !s.ok()) {
      return InvalidArgument(at(root["write"]) + s.message());
    }
  } catch (const json::exception& e) {
    return InvalidArgument(path + ": a field has the wrong type (" + e.what() + ")");
  } catch (const YamlTooBig& e) {
    return InvalidArgument(path + ": refused: the file " + e.what);
  }
  return spec;
}

Result<PipelineSpec> LoadPipeline(const std::string& path) {
  try {
    return LoadPipelineOrThrow(path);
  } catch (const YAML::Exception& e) {  // a value of the wrong kind (a mapping where a name goes)
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace strata::data
