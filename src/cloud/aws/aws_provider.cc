#include "cloud/aws/aws_provider.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace strata::aws {

namespace {
constexpr const char* kClusterTag = "strata-cluster";
constexpr const char* kTypeTag = "strata-node-type";
constexpr const char* kRoleTag = "strata-role";
}  // namespace

bool IsCapacityError(const std::string& code) {
  return code == "InsufficientInstanceCapacity" || code == "InsufficientCapacity" ||
         code == "SpotMaxPriceTooLow" || code == "MaxSpotInstanceCountExceeded" ||
         code == "InsufficientFreeAddressesInSubnet" || code == "Unsupported" ||
         code == "InstanceLimitExceeded";
}

AwsProvider::AwsProvider(autoscaler::ClusterConfig config, autoscaler::ProviderContext context)
    : config_(std::move(config)), context_(std::move(context)) {
  const std::string metadata =
      config_.provider.metadata_url.empty() ? "http://169.254.169.254" : config_.provider.metadata_url;
  credentials_ = std::make_unique<CredentialSource>(metadata);
  client_ = std::make_unique<Ec2Client>(config_.provider.endpoint_url, config_.provider.region,
                                        credentials_.get());
}

std::string AwsProvider::UserData(const autoscaler::NodeTypeConfig& type) const {
  nlohmann::json resources = nlohmann::json::object();
  for (const auto& [name, amount] : type.resources) {
    if (name != "CPU") resources[name] = amount;
  }
  const std::string head = config_.provider.head_address.empty() ? context_.head_address
                                                                 : config_.provider.head_address;
  // The image has strata installed (make install); the node learns its
  // instance id from the metadata service and watches it for spot notices.
  std::string s = "#!/bin/sh\n";
  s += "TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token "
       "-H 'X-aws-ec2-metadata-token-ttl-seconds: 300')\n";
  s += "ID=$(curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" "
       "http://169.254.169.254/latest/meta-data/instance-id)\n";
  s += "exec strata start --address " + head + " --host 0.0.0.0 --block" +
       " --token " + context_.token + " --node-type " + type.name + " --instance-id \"$ID\"" +
       " --num-cpus " + std::to_string(static_cast<int>(type.resources.at("CPU"))) +
       " --resources '" + resources.dump() + "'" +
       " --spot-metadata-url http://169.254.169.254 >/var/log/strata-node.log 2>&1\n";
  return s;
}

std::string AwsProvider::HeadUserData(const std::string& cluster_file_text) const {
  // The cluster file travels base64-encoded: no quoting trouble. It holds no
  // credentials (the head uses its instance profile).
  std::string s = "#!/bin/sh\n";
  s += "mkdir -p /etc/strata\n";
  s += "echo '" + Base64(cluster_file_text) + "' | base64 -d > /etc/strata/cluster.yaml\n";
  s += "TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token "
       "-H 'X-aws-ec2-metadata-token-ttl-seconds: 300')\n";
  s += "IP=$(curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" "
       "http://169.254.169.254/latest/meta-data/local-ipv4)\n";
  s += "export STRATA_HEAD_ADDRESS=\"$IP:6380\"\n";
  s += "strata up /etc/strata/cluster.yaml --here --host 0.0.0.0 --port 6380 "
       ">/var/log/strata-head.log 2>&1\n";
  return s;
}

Result<InstanceId> AwsProvider::LaunchHead(const std::string& cluster_file_text) {
  std::vector<InstanceId> ids;
  STRATA_RETURN_IF_ERROR(LaunchWith(config_.node_types.at(config_.head_node_type), 1,
                                    HeadUserData(cluster_file_text), /*head=*/true, &ids));
  if (ids.empty()) return InternalError("RunInstances succeeded without an instance");
  return ids[0];
}

Result<std::vector<InstanceId>> AwsProvider::AllInstanceIds() {
  std::vector<Ec2Instance> found;
  Ec2Error e;
  if (!client_->DescribeInstances({{std::string("tag:") + kClusterTag, {config_.cluster_name}},
                                   {"instance-state-name", {"pending", "running", "stopping", "stopped"}}},
                                  &found, &e)) {
    return Unavailable("DescribeInstances failed: " + e.code + ": " + e.message);
  }
  std::vector<InstanceId> ids;
  for (const Ec2Instance& i : found) ids.push_back(InstanceId{i.id});
  return ids;
}

Status AwsProvider::Launch(const autoscaler::NodeTypeConfig& type, int count, std::vector<InstanceId>* started) {
  return LaunchWith(type, count, UserData(type), /*head=*/false, started);
}

Status AwsProvider::LaunchWith(const autoscaler::NodeTypeConfig& type, int count, const std::string& user_data,
                               bool head, std::vector<InstanceId>* ids) {
  const nlohmann::json& c = type.node_config;
  RunRequest base;
  base.image_id = c.value("ImageId", config_.provider.image_id);
  base.key_name = c.value("KeyName", config_.provider.key_name);
  base.security_group_ids = config_.provider.security_group_ids;
  if (c.contains("SecurityGroupIds")) base.security_group_ids = c["SecurityGroupIds"].get<std::vector<std::string>>();
  base.iam_instance_profile = config_.provider.iam_instance_profile;
  if (c.contains("IamInstanceProfile")) {
    const auto& p = c["IamInstanceProfile"];
    base.iam_instance_profile = p.is_string() ? p.get<std::string>() : p.value("Arn", p.value("Name", ""));
  }
  base.count = count;
  base.user_data = user_data;
  base.tags = {{kClusterTag, config_.cluster_name},
               {kTypeTag, type.name},
               {kRoleTag, head ? "head" : "node"},
               {"Name", "strata-" + config_.cluster_name + "-" + (head ? std::string("head") : type.name)}};
  const bool wants_spot = c.contains("InstanceMarketOptions") &&
                          c["InstanceMarketOptions"].value("MarketType", "") == "spot";
  std::vector<std::string> instance_types = {c.value("InstanceType", "")};
  for (const auto& t : type.fallback_instance_types) instance_types.push_back(t);
  std::vector<bool> markets = {wants_spot};
  if (wants_spot && type.fallback_on_demand) markets.push_back(false);
  std::vector<std::string> subnets = config_.provider.subnet_ids;
  if (c.contains("SubnetIds")) subnets = c["SubnetIds"].get<std::vector<std::string>>();
  if (subnets.empty()) subnets.push_back("");  // the default subnet
  std::string tried;
  for (bool spot : markets) {
    for (const std::string& instance_type : instance_types) {
      for (const std::string& subnet : subnets) {
        RunRequest r = base;
        r.spot = spot;
        r.instance_type = instance_type;
        r.subnet_id = subnet;
        std::vector<Ec2Instance> started;
        Ec2Error e;
        if (client_->RunInstances(r, &started, &e)) {
          for (const Ec2Instance& i : started) ids->push_back(InstanceId{i.id});
          spdlog::info("EC2: started {} {} ({}{}) in {}", started.size(), type.name, instance_type,
                       spot ? ", spot" : "", subnet.empty() ? "the default subnet" : subnet);
          return OkStatus();
        }
        const std::string where = instance_type + (spot ? " spot" : " on-demand") + " in " +
                                  (subnet.empty() ? "the default subnet" : subnet);
        tried += (tried.empty() ? "" : "; ") + where + ": " + e.code;
        if (!IsCapacityError(e.code)) {
          return Unavailable("RunInstances for " + type.name + " failed: " + e.code + ": " + e.message);
        }
        spdlog::warn("EC2: no capacity for {} ({}: {}); trying the next option", where, e.code,
                     e.message);
      }
    }
  }
  return ResourceExhausted("no capacity for node type " + type.name + " (tried " + tried + ")");
}

void AwsProvider::Terminate(const std::vector<InstanceId>& instances) {
  std::vector<std::string> ids;
  for (const InstanceId& i : instances) ids.push_back(i.value);
  Ec2Error e;
  if (!client_->TerminateInstances(ids, &e)) {
    spdlog::error("EC2: TerminateInstances failed: {}: {}", e.code, e.message);
  }
}

std::vector<autoscaler::Instance> AwsProvider::NonTerminated() {
  std::vector<Ec2Instance> found;
  Ec2Error e;
  const std::vector<Ec2Filter> filters = {
      {std::string("tag:") + kClusterTag, {config_.cluster_name}},
      {"instance-state-name", {"pending", "running"}}};
  if (!client_->DescribeInstances(filters, &found, &e)) {
    spdlog::error("EC2: DescribeInstances failed: {}: {}", e.code, e.message);
    return {};
  }
  std::vector<autoscaler::Instance> out;
  for (const Ec2Instance& i : found) {
    auto role = i.tags.find(kRoleTag);
    if (role != i.tags.end() && role->second == "head") continue;  // not the autoscaler's to manage
    auto type = i.tags.find(kTypeTag);
    out.push_back({InstanceId{i.id}, type == i.tags.end() ? "" : type->second, i.state});
  }
  return out;
}

}  // namespace strata::aws
