#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/session.h"

namespace strata::cli {

std::string NodeRecordDir() { return SessionRoot() + "/nodes"; }

namespace {

// SIGTERM, then wait; the agent ends its workers and deletes its objects.
void StopProcess(int pid) {
  if (pid <= 0 || kill(pid, SIGTERM) != 0) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (kill(pid, 0) == 0) {
    std::fprintf(stderr, "strata stop: pid %d did not exit within 15 s; killing it\n", pid);
    kill(pid, SIGKILL);
  }
}

// Nodes started here with `strata start --address` go first: stopping the
// head first would only make them notice and stop by themselves.
int StopNodes() {
  int stopped = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(NodeRecordDir(), ec)) {
    int pid = 0;
    try {
      pid = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    if (kill(pid, 0) == 0) {
      StopProcess(pid);
      ++stopped;
    }
    std::filesystem::remove(entry.path(), ec);
  }
  return stopped;
}

}  // namespace

int RunStop() {
  if (const int nodes = StopNodes(); nodes > 0) std::printf("Stopped %d node(s).\n", nodes);
  std::ifstream in(ClusterRecordPath());
  if (!in) {
    std::printf("No cluster started by `strata start` is recorded on this machine (%s).\n",
                ClusterRecordPath().c_str());
    return 0;
  }
  int pid = 0;
  try {
    pid = nlohmann::json::parse(in).at("pid").get<int>();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata stop: %s is unreadable (%s); removing it\n",
                 ClusterRecordPath().c_str(), e.what());
    RemoveClusterRecord();
    return 1;
  }
  if (pid <= 0 || kill(pid, 0) != 0) {
    std::printf("The recorded cluster (pid %d) is no longer running; cleaned up.\n", pid);
    RemoveClusterRecord();
    return 0;
  }
  StopProcess(pid);
  RemoveClusterRecord();
  std::printf("Stopped the Strata cluster (pid %d).\n", pid);
  return 0;
}

}  // namespace strata::cli
