#include "autoscaler/local_provider.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/session.h"

extern char** environ;

namespace strata::autoscaler {

namespace {
bool Alive(pid_t pid) {
  if (pid <= 0) return false;
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == pid) return false;  // our child, now reaped
  return kill(pid, 0) == 0;
}
}  // namespace

LocalProvider::LocalProvider(ClusterConfig config, ProviderContext context)
    : config_(std::move(config)), context_(std::move(context)) {
  std::filesystem::create_directories(context_.state_dir + "/instances");
}

std::string LocalProvider::RecordPath(const std::string& id) const {
  return context_.state_dir + "/instances/" + id;
}

Status LocalProvider::Launch(const NodeTypeConfig& type, int count, std::vector<InstanceId>* started) {
  for (int i = 0; i < count; ++i) {
    const std::string id = "local-" + type.name + "-" + NewClusterToken().substr(0, 8);
    nlohmann::json resources = nlohmann::json::object();
    for (const auto& [name, amount] : type.resources) {
      if (name != "CPU") resources[name] = amount;
    }
    const auto cpu = type.resources.find("CPU");
    const int cpus = cpu == type.resources.end() ? -1 : static_cast<int>(cpu->second);
    std::vector<std::string> args = {context_.strata_binary,
                                     "start",
                                     "--address",
                                     context_.head_address,
                                     "--block",
                                     "--num-cpus",
                                     std::to_string(cpus),
                                     "--resources",
                                     resources.dump(),
                                     "--node-type",
                                     type.name,
                                     "--instance-id",
                                     id,
                                     // Many agents on one machine: a small store each.
                                     "--object-store-memory",
                                     type.node_config.contains("object_store_memory")
                                         ? type.node_config["object_store_memory"].get<std::string>()
                                         : std::to_string(256ll << 20)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The token goes through the environment: argv is readable by every
    // local user (ps).
    std::string token_var = "STRATA_TOKEN=" + context_.token;
    std::vector<char*> env;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "STRATA_TOKEN=", 13) != 0) env.push_back(*e);
    }
    env.push_back(token_var.data());
    env.push_back(nullptr);
    const std::string log = context_.state_dir + "/instances/" + id + ".log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, args[0].c_str(), &actions, &attr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return ErrnoError(rc, "cannot start " + args[0]);
    std::ofstream(RecordPath(id)) << pid << " " << type.name << "\n";
    started->push_back(InstanceId{id});
  }
  return OkStatus();
}

void LocalProvider::Terminate(const std::vector<InstanceId>& instances) {
  for (const InstanceId& instance : instances) {
    const std::string& id = instance.value;
    std::ifstream in(RecordPath(id));
    pid_t pid = 0;
    in >> pid;
    if (Alive(pid)) {
      kill(pid, SIGTERM);
      for (int i = 0; i < 100 && Alive(pid); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (Alive(pid)) kill(pid, SIGKILL);
    }
    std::filesystem::remove(RecordPath(id));
  }
}

std::vector<Instance> LocalProvider::NonTerminated() {
  std::vector<Instance> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(context_.state_dir + "/instances", ec)) {
    const std::string id = e.path().filename().string();
    if (e.path().extension() == ".log") continue;
    std::ifstream in(e.path());
    pid_t pid = 0;
    std::string type;
    in >> pid >> type;
    if (!Alive(pid)) {
      std::filesystem::remove(e.path(), ec);  // it ended (or was killed): gone
      continue;
    }
    out.push_back(Instance{InstanceId{id}, type, "running"});
  }
  return out;
}

}  // namespace strata::autoscaler
