// A cluster file: the machines a cluster may use, in the shape Ray users know
// (cluster_name, max_workers, idle_timeout_minutes, upscaling_speed, provider,
// head_node_type, available_node_types). Parsed strictly: an unknown field, a
// wrong type or an impossible value is an error naming the file, the line and
// the field, never a silent default.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace strata::autoscaler {

struct ProviderConfig {
  std::string type;          // "local" or "aws"
  std::string region;        // aws
  std::string endpoint_url;  // aws: EC2 endpoint (default https://ec2.<region>.amazonaws.com)
  std::string metadata_url;  // aws: instance metadata (default http://169.254.169.254)
  std::vector<std::string> subnet_ids;          // tried in order on capacity errors
  std::vector<std::string> security_group_ids;
  std::string image_id;      // default image for node types that name none
  std::string iam_instance_profile;  // ARN or name: nodes get credentials from it, never keys
  std::string key_name;
  std::string head_address;  // aws: what nodes join (default: the head's private address)
};

struct NodeTypeConfig {
  std::string name;
  nlohmann::json node_config = nlohmann::json::object();  // passed to the provider
  std::map<std::string, double> resources;
  int min_workers = 0;
  int max_workers = -1;  // Default: the cluster's max_workers
  double price_per_hour = 0;
  // aws: what to try when this type has no capacity.
  std::vector<std::string> fallback_instance_types;
  bool fallback_on_demand = false;
};

struct ClusterConfig {
  std::string file;  // where it was read from (for messages)
  std::string cluster_name;
  int max_workers = 10;            // nodes besides the head, all types together
  double idle_timeout_minutes = 5;
  double upscaling_speed = 1.0;
  double launch_timeout_s = 300;   // a node not joined by then failed to start
  ProviderConfig provider;
  std::string head_node_type;
  std::map<std::string, NodeTypeConfig> node_types;
};

// Parses `text` (the contents of `file`). An error is InvalidArgument
// "FILE:LINE:COL: ..." naming the field at fault (NotFound: no such file).
Result<ClusterConfig> ParseClusterConfig(const std::string& text, const std::string& file);
Result<ClusterConfig> LoadClusterConfig(const std::string& path);

}  // namespace strata::autoscaler
