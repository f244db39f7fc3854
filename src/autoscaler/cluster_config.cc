#include "autoscaler/cluster_config.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace strata::autoscaler {

namespace {

// Thrown inside the parser with the position of the node at fault; caught
// once at the top and turned into the error string.
struct ConfigError {
  YAML::Mark mark;
  std::string message;
};

[[noreturn]] void Fail(const YAML::Node& at, const std::string& message) {
  throw ConfigError{at.Mark(), message};
}

void OnlyKeys(const YAML::Node& map, const std::string& where, const std::set<std::string>& keys) {
  if (!map.IsMap()) Fail(map, where + " must be a mapping");
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (keys.count(key) != 0) continue;
    std::string known;
    for (const std::string& k : keys) known += (known.empty() ? "" : ", ") + k;
    Fail(kv.first, "unknown field '" + key + "' in " + where + " (known: " + known + ")");
  }
}

std::string String(const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar()) Fail(n, "'" + field + "' must be a string");
  return n.as<std::string>();
}

double Number(const YAML::Node& n, const std::string& field, double min, double max) {
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || std::isnan(v)) {
    Fail(n, "'" + field + "' must be a number, not '" + (n.IsScalar() ? n.as<std::string>() : "a " +
                                                          std::string(n.IsMap() ? "mapping" : "list")) +
                "'");
  }
  if (v < min || v > max) {
    std::ostringstream range;
    range << min << " to " << max;
    Fail(n, "'" + field + "' must be " + range.str());
  }
  return v;
}

int Integer(const YAML::Node& n, const std::string& field, int min, int max) {
  const double v = Number(n, field, min, max);
  if (v != std::floor(v)) Fail(n, "'" + field + "' must be a whole number");
  return static_cast<int>(v);
}

bool Bool(const YAML::Node& n, const std::string& field) {
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
    Fail(n, "'" + field + "' must be true or false");
  }
  return v;
}

std::vector<std::string> Strings(const YAML::Node& n, const std::string& field) {
  std::vector<std::string> out;
  if (n.IsScalar()) return {n.as<std::string>()};
  if (!n.IsSequence()) Fail(n, "'" + field + "' must be a list of strings");
  for (const auto& item : n) out.push_back(String(item, field));
  return out;
}

// Aliases share nodes: a few lines can stand for billions of values, so the
// conversion is bounded (a node_config is a few dozen values).
constexpr int64_t kMaxConfigValues = 100'000;

nlohmann::json ToJson(const YAML::Node& n, int64_t* budget) {
  if (--*budget < 0) {
    Fail(n, "node_config expands to more than " + std::to_string(kMaxConfigValues) +
                " values (aliases repeated inside aliases?)");
  }
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : n) j[kv.first.as<std::string>()] = ToJson(kv.second, budget);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& item : n) j.push_back(ToJson(item, budget));
    return j;
  }
  if (n.IsNull()) return nullptr;
  return n.as<std::string>();
}

// node_config is handed to the provider; for AWS its keys are the
// RunInstances parameters we send, so a typo is caught here.
const std::set<std::string> kAwsNodeConfigKeys = {
    "InstanceType", "ImageId", "SubnetIds", "SecurityGroupIds", "IamInstanceProfile",
    "InstanceMarketOptions", "KeyName", "BlockDeviceMappings", "TagSpecifications"};

ProviderConfig ParseProvider(const YAML::Node& n) {
  OnlyKeys(n, "provider",
           {"type", "region", "endpoint_url", "metadata_url", "subnet_ids", "security_group_ids",
            "image_id", "iam_instance_profile", "key_name", "head_address"});
  ProviderConfig p;
  if (!n["type"]) Fail(n, "provider needs a 'type' (local or aws)");
  p.type = String(n["type"], "provider.type");
  if (p.type != "local" && p.type != "aws") {
    Fail(n["type"], "provider.type must be 'local' or 'aws', not '" + p.type + "'");
  }
  if (n["region"]) p.region = String(n["region"], "provider.region");
  if (n["endpoint_url"]) p.endpoint_url = String(n["endpoint_url"], "provider.endpoint_url");
  if (n["metadata_url"]) p.metadata_url = String(n["metadata_url"], "provider.metadata_url");
  if (n["subnet_ids"]) p.subnet_ids = Strings(n["subnet_ids"], "provider.subnet_ids");
  if (n["security_group_ids"]) {
    p.security_group_ids = Strings(n["security_group_ids"], "provider.security_group_ids");
  }
  if (n["image_id"]) p.image_id = String(n["image_id"], "provider.image_id");
  if (n["iam_instance_profile"]) {
    p.iam_instance_profile = String(n["iam_instance_profile"], "provider.iam_instance_profile");
  }
  if (n["key_name"]) p.key_name = String(n["key_name"], "provider.key_name");
  if (n["head_address"]) p.head_address = String(n["head_address"], "provider.head_address");
  if (p.type == "aws" && p.region.empty()) Fail(n, "an aws provider needs a 'region'");
  return p;
}

NodeTypeConfig ParseNodeType(const std::string& name, const YAML::Node& n,
                             const ProviderConfig& provider) {
  const std::string where = "node type '" + name + "'";
  OnlyKeys(n, where,
           {"node_config", "resources", "min_workers", "max_workers", "price_per_hour",
            "fallback_instance_types", "fallback_on_demand"});
  NodeTypeConfig t;
  t.name = name;
  if (n["node_config"]) {
    const YAML::Node& c = n["node_config"];
    if (!c.IsMap()) Fail(c, where + ": node_config must be a mapping");
    if (provider.type == "local") OnlyKeys(c, where + " node_config", {"object_store_memory"});
    if (provider.type == "aws") {
      OnlyKeys(c, where + " node_config", kAwsNodeConfigKeys);
      if (!c["InstanceType"]) Fail(c, where + ": node_config needs an InstanceType");
      if (!c["ImageId"] && provider.image_id.empty()) {
        Fail(c, where + ": node_config needs an ImageId (or set provider.image_id)");
      }
    }
    int64_t budget = kMaxConfigValues;
    t.node_config = ToJson(c, &budget);
  }
  if (!n["resources"]) Fail(n, where + " needs 'resources' (at least CPU)");
  const YAML::Node& r = n["resources"];
  if (!r.IsMap()) Fail(r, where + ": resources must be a mapping of names to amounts");
  for (const auto& kv : r) {
    const std::string res = kv.first.as<std::string>();
    t.resources[res] = Number(kv.second, where + " resources." + res, 0, 1e12);
  }
  if (t.resources.count("CPU") == 0) Fail(r, where + ": resources must include CPU");
  if (n["min_workers"]) t.min_workers = Integer(n["min_workers"], "min_workers", 0, 100000);
  if (n["max_workers"]) t.max_workers = Integer(n["max_workers"], "max_workers", 0, 100000);
  if (t.max_workers >= 0 && t.min_workers > t.max_workers) {
    Fail(n["min_workers"], where + ": min_workers (" + std::to_string(t.min_workers) +
                               ") is more than max_workers (" + std::to_string(t.max_workers) +
                               ")");
  }
  if (n["price_per_hour"]) t.price_per_hour = Number(n["price_per_hour"], "price_per_hour", 0, 1e6);
  if (n["fallback_instance_types"]) {
    t.fallback_instance_types = Strings(n["fallback_instance_types"], "fallback_instance_types");
  }
  if (n["fallback_on_demand"]) t.fallback_on_demand = Bool(n["fallback_on_demand"], "fallback_on_demand");
  return t;
}

void Parse(const YAML::Node& root, ClusterConfig* c) {
  OnlyKeys(root, "the cluster file",
           {"cluster_name", "max_workers", "idle_timeout_minutes", "upscaling_speed",
            "launch_timeout_seconds", "provider", "head_node_type", "available_node_types"});
  if (!root["cluster_name"]) Fail(root, "the cluster file needs a 'cluster_name'");
  c->cluster_name = String(root["cluster_name"], "cluster_name");
  if (c->cluster_name.empty() || c->cluster_name.find_first_of(" /'\"") != std::string::npos) {
    Fail(root["cluster_name"], "cluster_name must be non-empty, without spaces, quotes or '/'");
  }
  if (root["max_workers"]) c->max_workers = Integer(root["max_workers"], "max_workers", 0, 100000);
  if (root["idle_timeout_minutes"]) {
    c->idle_timeout_minutes = Number(root["idle_timeout_minutes"], "idle_timeout_minutes", 0, 1e6);
  }
  if (root["upscaling_speed"]) {
    c->upscaling_speed = Number(root["upscaling_speed"], "upscaling_speed", 0.01, 1e4);
  }
  if (root["launch_timeout_seconds"]) {
    c->launch_timeout_s = Number(root["launch_timeout_seconds"], "launch_timeout_seconds", 1, 86400);
  }
  if (!root["provider"]) Fail(root, "the cluster file needs a 'provider'");
  c->provider = ParseProvider(root["provider"]);
  if (!root["available_node_types"]) Fail(root, "the cluster file needs 'available_node_types'");
  const YAML::Node& types = root["available_node_types"];
  if (!types.IsMap() || types.size() == 0) {
    Fail(types, "available_node_types must be a non-empty mapping of type names");
  }
  for (const auto& kv : types) {
    const std::string name = kv.first.as<std::string>();
    NodeTypeConfig t = ParseNodeType(name, kv.second, c->provider);
    // The head's type runs the head; it is launched as a worker only if the
    // file says how many.
    if (t.max_workers < 0) t.max_workers = kv.first.as<std::string>() == root["head_node_type"].as<std::string>("") ? 0 : c->max_workers;
    c->node_types[name] = std::move(t);
  }
  if (!root["head_node_type"]) Fail(root, "the cluster file needs a 'head_node_type'");
  c->head_node_type = String(root["head_node_type"], "head_node_type");
  if (c->node_types.count(c->head_node_type) == 0) {
    Fail(root["head_node_type"], "head_node_type '" + c->head_node_type +
                                     "' is not one of available_node_types");
  }
  int min_total = 0;
  for (const auto& [name, t] : c->node_types) {
    if (name != c->head_node_type) min_total += t.min_workers;
  }
  if (min_total > c->max_workers) {
    Fail(root["max_workers"] ? root["max_workers"] : root,
         "the node types' min_workers add up to " + std::to_string(min_total) +
             ", more than max_workers (" + std::to_string(c->max_workers) + ")");
  }
}

}  // namespace

Result<ClusterConfig> ParseClusterConfig(const std::string& text, const std::string& file) {
  auto where = [&](const YAML::Mark& m) {
    return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
  };
  try {
    ClusterConfig c;
    c.file = file;
    Parse(YAML::Load(text), &c);
    return c;
  } catch (const ConfigError& e) {
    return InvalidArgument(where(e.mark) + e.message);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(where(e.mark) + "not valid YAML: " + e.msg);
  }
}

Result<ClusterConfig> LoadClusterConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read cluster file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseClusterConfig(text.str(), path);
}

}  // namespace strata::autoscaler
