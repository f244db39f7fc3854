// `strata start --head`: runs a node agent (with the head's state) as a
// daemon and records where it is, so that drivers and `strata status` on this
// machine find it with no flags.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cloud/aws/spot_watcher.h"
#include "common/session.h"
#include "dashboard/dashboard_server.h"
#include "node/agent.h"

namespace strata::cli {

namespace {

node::Agent* g_agent = nullptr;

void OnSignal(int) {
  if (g_agent != nullptr) g_agent->Stop();
}

std::string LocalAddress(const std::string& bound) {
  // Bound to every interface: local drivers use loopback.
  if (bound.rfind("0.0.0.0:", 0) == 0) return "127.0.0.1:" + bound.substr(8);
  return bound;
}

}  // namespace

Result<std::map<std::string, double>> ParseResources(const std::string& text) {
  std::map<std::string, double> out;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("--resources is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) {
    return InvalidArgument("--resources must be a JSON object such as '{\"intel\": 1}'");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_number() || it.value().get<double>() < 0) {
      return InvalidArgument("--resources: '" + it.key() + "' must be a non-negative number");
    }
    out[it.key()] = it.value().get<double>();
  }
  return out;
}

int RunStart(const StartFlags& flags) {
  const bool join = !flags.address.empty();
  if (!flags.head && !join) {
    std::fprintf(stderr, "strata start: say --head (start a cluster) or --address HOST:PORT "
                         "(join one)\n");
    return 2;
  }
  node::AgentOptions options;
  if (!flags.resources_json.empty()) {
    Result<std::map<std::string, double>> resources = ParseResources(flags.resources_json);
    if (!resources.ok()) {
      std::fprintf(stderr, "strata start: %s\n", resources.status().message().c_str());
      return 2;
    }
    options.resources = std::move(resources).value();
  }
  if (auto running = ReadLiveClusterRecord(); running && !join) {
    std::fprintf(stderr,
                 "strata start: a cluster is already running here (pid %d, address %s); "
                 "run `strata stop` first\n",
                 running->pid, running->address.c_str());
    return 1;
  }
  const Result<std::string> session = CreateSessionDir();
  if (!session.ok()) {
    std::fprintf(stderr, "strata start: %s\n", session.status().message().c_str());
    return 1;
  }
  options.session_dir = *session;
  // Loopback unless --host says otherwise: every connection must carry the
  // cluster token, and a node starts only executables a driver on its own
  // machine names or that arrive by content hash.
  const int port = flags.port >= 0 ? flags.port : (join ? 0 : 6380);
  options.tcp_address = flags.host + ":" + std::to_string(port);
  options.head_address = flags.address;
  options.node_type = !flags.node_type.empty() ? flags.node_type : join ? "worker" : "head";
  options.instance_id = InstanceId{flags.instance_id};
  options.node_timeout = std::chrono::milliseconds(static_cast<int64_t>(flags.node_timeout_s * 1000));
  options.dead_node_retention =
      std::chrono::milliseconds(static_cast<int64_t>(flags.dead_node_retention_s * 1000));
  if (const char* arch = std::getenv("STRATA_NODE_ARCH"); arch != nullptr) {
    options.arch_override = arch;
  }
  if (const char* vendor = std::getenv("STRATA_NODE_VENDOR"); vendor != nullptr) {
    options.vendor_override = vendor;
  }
  options.num_cpus = flags.num_cpus;
  options.object_store_memory = flags.object_store_memory;
  options.spill_dir = flags.spill_dir;
  options.prestart_workers = false;  // workers start per job, when it submits
  options.token = flags.token;
  if (options.token.empty() && join) {
    // Joining from the head's own machine: its record has the token.
    if (const char* env = std::getenv("STRATA_TOKEN"); env != nullptr && *env != '\0') {
      options.token = env;
    } else if (auto record = ReadLiveClusterRecord(); record && record->address == flags.address) {
      options.token = record->token;
    }
    if (options.token.empty()) {
      std::fprintf(stderr, "strata start: joining %s needs the cluster token: --token T or "
                           "STRATA_TOKEN (it is in the head's session directory, file `token`)\n",
                   flags.address.c_str());
      return 2;
    }
  }
  if (options.token.empty()) options.token = NewClusterToken();

  // The child reports "ok <address>" or "error <reason>" through this pipe
  // once it is listening, so `strata start` returns only when usable.
  int ready[2];
  if (!flags.block && pipe(ready) != 0) {
    std::perror("strata start: pipe");
    return 1;
  }
  if (!flags.block) {
    pid_t pid = fork();
    if (pid < 0) {
      std::perror("strata start: fork");
      return 1;
    }
    if (pid > 0) {
      close(ready[1]);
      char buf[1024] = {0};
      ssize_t n = read(ready[0], buf, sizeof(buf) - 1);
      close(ready[0]);
      std::string msg = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "error no answer";
      if (msg.rfind("ok ", 0) != 0) {
        std::fprintf(stderr, "strata start: %s (see %s/logs/head.log)\n", msg.substr(6).c_str(),
                     options.session_dir.c_str());
        return 1;
      }
      // "ok ADDRESS\nDASHBOARD" (the dashboard's URL, or why it is off).
      const size_t eol = msg.find('\n');
      const std::string address = msg.substr(3, eol == std::string::npos ? std::string::npos : eol - 3);
      const std::string dashboard = eol == std::string::npos ? "" : msg.substr(eol + 1);
      if (join) {
        std::printf("Strata node joined the head at %s.\n  listens on: %s\n  logs:       %s/logs\n",
                    flags.address.c_str(), address.c_str(), options.session_dir.c_str());
        return 0;
      }
      std::printf("Strata head started.\n  address:   %s\n  session:   %s\n  logs:      %s/logs\n"
                  "  dashboard: %s\n\n"
                  "Drivers on this machine connect with no configuration (strata::Init()),\n"
                  "or with STRATA_ADDRESS=%s. It listens on loopback only.\n"
                  "Status: strata status    Stop: strata stop\n",
                  address.c_str(), options.session_dir.c_str(), options.session_dir.c_str(),
                  dashboard.c_str(), address.c_str());
      return 0;
    }
    close(ready[0]);
    setsid();
    const std::string log = options.session_dir + (join ? "/logs/node.log" : "/logs/head.log");
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
    close(null_fd);
  }
  auto report = [&](const std::string& msg) {
    if (flags.block) return;
    [[maybe_unused]] ssize_t n = write(ready[1], msg.data(), msg.size());
    close(ready[1]);
  };
  // The head serves the dashboard from what it publishes every heartbeat.
  std::unique_ptr<dashboard::DashboardServer> dash;
  if (!join) {
    options.on_head_status = [&dash](rpc::ClusterStatus status) {
      if (dash) dash->Publish(std::move(status));
    };
  }
  node::Agent agent(options);
  if (Status started = agent.Start(); !started.ok()) {
    const std::string& error = started.message();
    spdlog::error("{}", error);
    report("error " + error);
    if (flags.block) std::fprintf(stderr, "strata start: %s\n", error.c_str());
    return 1;
  }
  std::string dashboard_line;
  if (!join && flags.no_dashboard) {
    dashboard_line = "off (--no-dashboard)";
  } else if (!join) {
    auto server = std::make_unique<dashboard::DashboardServer>(dashboard::DashboardOptions{
        flags.dashboard_host, flags.dashboard_port, agent.token(), options.session_dir});
    if (Status started = server->Start(); started.ok()) {
      dash = std::move(server);
      dashboard_line = dash->url();
      spdlog::info("dashboard at {} (metrics at {}metrics)", dashboard_line, dashboard_line);
    } else {
      // The cluster runs without it; the user learns why at once.
      dashboard_line = "not started: " + started.message();
      spdlog::warn("{}", started.message());
    }
  }
  ClusterRecord record{LocalAddress(agent.tcp_address()), getpid(), options.session_dir,
                       options.token, dash ? dash->url() : std::string()};
  const mode_t old_mask = umask(077);
  std::ofstream(options.session_dir + "/token") << options.token << "\n";
  std::string node_record;
  if (join) {
    // Only the head is "the cluster" drivers find; nodes are listed for `stop`.
    std::filesystem::create_directories(NodeRecordDir());
    node_record = NodeRecordDir() + "/" + std::to_string(getpid());
    std::ofstream(node_record) << options.session_dir << "\n";
  }
  umask(old_mask);
  if (Status written = join ? OkStatus() : WriteClusterRecord(record); !written.ok()) {
    report("error " + written.message());
    return 1;
  }
  g_agent = &agent;
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  signal(SIGPIPE, SIG_IGN);
  report("ok " + record.address + (join ? "" : "\n" + dashboard_line));
  if (flags.block) {
    std::printf("Strata %s running at %s (Ctrl-C stops it)%s%s\n", join ? "node" : "head",
                record.address.c_str(), join ? "" : "\n  dashboard: ", dashboard_line.c_str());
  }
  std::fflush(stdout);
  std::unique_ptr<aws::SpotWatcher> spot;
  if (!flags.spot_metadata_url.empty() && join) {
    // The notice gives two minutes: ask the head to drain this node at once.
    const std::string head = flags.address, token = options.token;
    const NodeId self = agent.node_id();
    spot = std::make_unique<aws::SpotWatcher>(
        flags.spot_metadata_url, std::chrono::milliseconds(flags.spot_poll_ms),
        [head, token, self](double seconds_left, const std::string& action) {
          rpc::Channel channel;
          rpc::Hello hello;
          hello.role = rpc::Role::kCli;
          hello.pid = getpid();
          hello.token = token;
          rpc::MsgType type{};
          std::string body;
          Status asked = channel.ConnectAndGreet(head, hello, 5000, 5000);
          if (asked.ok() && !channel.SendNow(rpc::MsgType::kDrainNode, rpc::DrainRequest{self, seconds_left})) {
            asked = Unavailable("cannot send to the head");
          }
          if (asked.ok()) asked = channel.ReadFrame(&type, &body, 5000);
          if (!asked.ok()) spdlog::error("spot notice ({}): could not ask the head to drain: {}", action, asked.message());
          else spdlog::warn("spot notice ({}): draining this node within {:.0f} s", action, seconds_left);
        });
  }
  agent.Run();
  dash.reset();
  spot.reset();
  g_agent = nullptr;
  if (join) {
    std::filesystem::remove(node_record);
  } else if (auto r = ReadLiveClusterRecord(); !r || r->pid == getpid()) {
    RemoveClusterRecord();
  }
  return 0;
}

}  // namespace strata::cli
