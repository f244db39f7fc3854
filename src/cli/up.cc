// `strata up FILE` / `strata down FILE`: a cluster from a cluster file. `up`
// starts the head on this machine (with the head node type's resources) and
// the autoscaler beside it, which launches the min_workers at once and then
// follows demand; `down` stops the autoscaler, terminates every node its
// provider launched, and stops the head.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "autoscaler/autoscaler_loop.h"
#include "autoscaler/cluster_config.h"
#include "cli/commands.h"
#include "cli/providers.h"
#include "cloud/aws/aws_provider.h"
#include "common/session.h"
#include "common/system_info.h"

namespace strata::cli {

namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }

// The head over the CLI's connection, for the autoscaler loop.
struct ChannelHeadLink : autoscaler::HeadLink {
  rpc::Channel channel;
  Result<std::optional<rpc::ClusterStatus>> Poll() override {
    std::string body;
    STRATA_RETURN_IF_ERROR(
        channel.Request(rpc::MsgType::kStatusRequest, std::string(), rpc::MsgType::kStatusReply, &body, 10000));
    // A reply that does not decode is a round skipped, not a lost head.
    rpc::ClusterStatus decoded;
    if (Status s = rpc::DecodeBody(body.data(), body.size(), &decoded); !s.ok()) {
      spdlog::warn("autoscaler: skipping a round: the head's status did not decode: {}", s.message());
      return std::optional<rpc::ClusterStatus>();
    }
    return std::optional<rpc::ClusterStatus>(std::move(decoded));
  }
  Status Drain(const NodeId& node, double deadline_s) override {
    std::string reply;
    return channel.Request(rpc::MsgType::kDrainNode, rpc::DrainRequest{node, deadline_s}, rpc::MsgType::kDrainReply,
                           &reply, 10000);
  }
  void Report(const rpc::AutoscalerReport& report) override {
    channel.SendNow(rpc::MsgType::kAutoscalerReport, report);
  }
};

std::string StateDir(const std::string& session_dir) { return session_dir + "/autoscaler"; }

int ReadPid(const std::string& path) {
  std::ifstream in(path);
  int pid = 0;
  in >> pid;
  return pid;
}

// `strata up` from outside AWS: the head gets its own instance, which runs
// `strata up --here` at boot (and so the autoscaler, with its instance role).
int LaunchAwsHead(const autoscaler::ClusterConfig& config, const std::string& file) {
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  aws::AwsProvider provider(config, autoscaler::ProviderContext{});
  const Result<InstanceId> launched = provider.LaunchHead(text);
  if (!launched.ok()) {
    std::fprintf(stderr, "strata up: could not launch the head of '%s': %s\n",
                 config.cluster_name.c_str(), launched.status().message().c_str());
    return 1;
  }
  const std::string& id = launched->value;
  std::printf("Launched the head of cluster '%s': instance %s (%s).\n"
              "At boot it runs `strata up --here`, which starts the head and the autoscaler there.\n"
              "From inside the VPC: strata status --address <its private IP>:6380\n"
              "End everything: strata down %s\n",
              config.cluster_name.c_str(), id.c_str(),
              config.node_types.at(config.head_node_type).node_config.value("InstanceType", "").c_str(),
              file.c_str());
  return 0;
}

}  // namespace

int RunUp(const std::string& file, const StartFlags& flags, bool here) {
  const Result<autoscaler::ClusterConfig> loaded = autoscaler::LoadClusterConfig(file);
  if (!loaded.ok()) {
    std::fprintf(stderr, "strata up: %s\n", loaded.status().message().c_str());
    return 2;
  }
  autoscaler::ClusterConfig config = *loaded;
  if (config.provider.type == "aws" && !here) return LaunchAwsHead(config, file);
  const autoscaler::NodeTypeConfig& head_type = config.node_types.at(config.head_node_type);
  StartFlags head = flags;
  head.head = true;
  head.node_type = config.head_node_type;
  // CPU: 0 is a head that only coordinates (Ray's advice for large clusters).
  const auto cpu = head_type.resources.find("CPU");
  head.num_cpus = cpu == head_type.resources.end() ? -1 : static_cast<int>(cpu->second);
  nlohmann::json extra = nlohmann::json::object();
  for (const auto& [name, amount] : head_type.resources) {
    if (name != "CPU") extra[name] = amount;
  }
  head.resources_json = extra.dump();
  if (const int rc = RunStart(head); rc != 0) return rc;
  const auto record = ReadLiveClusterRecord();
  if (!record) {
    std::fprintf(stderr, "strata up: the head started but left no record in %s\n",
                 ClusterRecordPath().c_str());
    return 1;
  }
  const std::string state_dir = StateDir(record->session_dir);
  std::filesystem::create_directories(state_dir);
  const std::string self = SelfExecutablePath();
  const std::string config_path = std::filesystem::absolute(file).string();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("strata up: fork");
    return 1;
  }
  if (pid == 0) {
    setsid();
    const std::string log = record->session_dir + "/logs/autoscaler.log";
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    // Through the environment: argv is readable by every local user (ps).
    setenv("STRATA_TOKEN", record->token.c_str(), 1);
    execl(self.c_str(), self.c_str(), "autoscaler", config_path.c_str(), "--address",
          record->address.c_str(), "--state-dir", state_dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::ofstream(state_dir + "/autoscaler.pid") << pid << "\n";
  std::printf("\nCluster '%s' is up (provider %s): the autoscaler (pid %d) starts the "
              "min_workers and follows demand.\n"
              "  Watch it:  watch -n 1 strata status\n  Its log:   %s/logs/autoscaler.log\n"
              "  End it:    strata down %s\n",
              config.cluster_name.c_str(), config.provider.type.c_str(), pid,
              record->session_dir.c_str(), file.c_str());
  return 0;
}

int RunDown(const std::string& file) {
  const Result<autoscaler::ClusterConfig> loaded = autoscaler::LoadClusterConfig(file);
  if (!loaded.ok()) {
    std::fprintf(stderr, "strata down: %s\n", loaded.status().message().c_str());
    return 2;
  }
  autoscaler::ClusterConfig config = *loaded;
  const auto record = ReadLiveClusterRecord();
  if (!record && config.provider.type == "aws") {
    // Not on the head: end every instance the cluster has, the head's too.
    aws::AwsProvider provider(config, autoscaler::ProviderContext{});
    const Result<std::vector<InstanceId>> ids = provider.AllInstanceIds();
    if (!ids.ok()) {
      std::fprintf(stderr, "strata down: %s\n", ids.status().message().c_str());
      return 1;
    }
    provider.Terminate(*ids);
    std::printf("Terminated %zu instance(s) of cluster '%s'.\n", ids->size(), config.cluster_name.c_str());
    return 0;
  }
  if (!record) {
    std::printf("No cluster is running here (%s).\n", ClusterRecordPath().c_str());
    return 0;
  }
  const std::string state_dir = StateDir(record->session_dir);
  if (const int pid = ReadPid(state_dir + "/autoscaler.pid"); pid > 0 && kill(pid, SIGTERM) == 0) {
    for (int i = 0; i < 250 && kill(pid, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::printf("Stopped the autoscaler (pid %d).\n", pid);
  }
  autoscaler::ProviderContext context{record->address, record->token, state_dir,
                                      SelfExecutablePath()};
  auto provider = MakeProvider(config, context);
  if (!provider.ok()) {
    std::fprintf(stderr, "strata down: %s\n", provider.status().message().c_str());
  } else {
    std::vector<InstanceId> ids;
    for (const auto& i : (*provider)->NonTerminated()) ids.push_back(i.id);
    (*provider)->Terminate(ids);
    std::printf("Terminated %zu node(s) the autoscaler launched.\n", ids.size());
  }
  return RunStop();
}

int RunAutoscaler(const std::string& file, const std::string& address, const std::string& token,
                  const std::string& state_dir) {
  const Result<autoscaler::ClusterConfig> loaded = autoscaler::LoadClusterConfig(file);
  if (!loaded.ok()) {
    std::fprintf(stderr, "strata autoscaler: %s\n", loaded.status().message().c_str());
    return 2;
  }
  autoscaler::ClusterConfig config = *loaded;
  // On AWS the head's boot script says where nodes reach it (its private IP).
  const char* advertised = std::getenv("STRATA_HEAD_ADDRESS");
  autoscaler::ProviderContext context{advertised != nullptr ? advertised : address,
                                      ResolveToken(token, address), state_dir,
                                      SelfExecutablePath()};
  auto made = MakeProvider(config, context);
  if (!made.ok()) {
    std::fprintf(stderr, "strata autoscaler: %s\n", made.status().message().c_str());
    return 2;
  }
  std::unique_ptr<autoscaler::NodeProvider> provider = std::move(made).value();
  ChannelHeadLink head;
  if (!ConnectAsCli(address, token, "autoscaler", &head.channel)) return 1;
  signal(SIGTERM, OnStopSignal);
  signal(SIGINT, OnStopSignal);
  signal(SIGPIPE, SIG_IGN);
  spdlog::info("autoscaler for cluster '{}' (provider {}) watching {}", config.cluster_name,
               config.provider.type, address);
  if (autoscaler::RunAutoscalerLoop(config, provider.get(), &head, g_stop, std::chrono::seconds(1)) != 0) {
    return 1;
  }
  spdlog::info("autoscaler stopped");
  return 0;
}

}  // namespace strata::cli
