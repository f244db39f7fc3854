#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/session.h"

namespace strata::cli {

int RunStop() {
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
  if (pid <= 0 || kill(pid, SIGTERM) != 0) {
    std::printf("The recorded cluster (pid %d) is no longer running; cleaned up.\n", pid);
    RemoveClusterRecord();
    return 0;
  }
  // The agent ends its workers and deletes its objects before exiting.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (kill(pid, 0) == 0) {
    std::fprintf(stderr, "strata stop: pid %d did not exit within 15 s; killing it\n", pid);
    kill(pid, SIGKILL);
  }
  RemoveClusterRecord();
  std::printf("Stopped the Strata cluster (pid %d).\n", pid);
  return 0;
}

}  // namespace strata::cli
