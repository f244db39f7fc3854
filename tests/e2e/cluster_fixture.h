// What the multi-node tests share: a per-test STRATA_TMPDIR, `strata status`
// polling, and the pids of nodes started with `strata start --address`.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/shell.h"

namespace strata::testing {

const std::string kCli = STRATA_CLI_PATH;
const std::string kDriver = STRATA_CLUSTER_DRIVER;

inline nlohmann::json Status() {
  Result r = Shell(kCli + " status --json");
  EXPECT_EQ(r.code, 0) << r.output;
  return nlohmann::json::parse(r.output);
}

// Polls the status until `pred` holds or ~5 s pass.
template <class Pred>
nlohmann::json StatusWhen(Pred pred) {
  nlohmann::json s = Status();
  for (int i = 0; i < 100 && !pred(s); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    s = Status();
  }
  return s;
}

inline int CountState(const nlohmann::json& s, const std::string& state) {
  int n = 0;
  for (const auto& node : s["nodes"]) n += node["state"] == state;
  return n;
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("STRATA_TMPDIR");
    dir_ = std::string(base ? base : "/tmp/strata") + "/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    setenv("STRATA_TMPDIR", dir_.c_str(), 1);
    // Only declared badges: {"intel": 1} means one node on any host CPU.
    setenv("STRATA_NODE_VENDOR", "none", 1);
    Shell(kCli + " stop");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);  // what an earlier run left
  }
  void TearDown() override { Shell(kCli + " stop"); }

  // Node pids, from the records `strata start --address` leaves.
  std::vector<int> NodePids() {
    std::vector<int> pids;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/nodes")) {
      pids.push_back(std::stoi(e.path().filename().string()));
    }
    return pids;
  }

  // Starts a head with these flags; returns its address.
  std::string StartHead(const std::string& flags) {
    Result head = Shell(kCli + " start --head --port 0 " + flags);
    EXPECT_EQ(head.code, 0) << head.output;
    const auto record = nlohmann::json::parse(Shell("cat " + dir_ + "/cluster.json").output);
    return record["address"];
  }

  std::string dir_;
};

// The status entry of the node agent with this pid (matched by the port it
// listens on); null if none.
inline nlohmann::json NodeOfPid(const nlohmann::json& status, int pid) {
  Result ports = Shell("ss -ltnpH | grep 'pid=" + std::to_string(pid) + ",' | awk '{print $4}'");
  for (const auto& n : status["nodes"]) {
    const std::string address = n["address"];
    const std::string port = address.substr(address.rfind(':'));
    if (ports.output.find(port + "\n") != std::string::npos) return n;
  }
  return nullptr;
}

// Polls until the node agent with this pid runs tasks (CPU in use), ~10 s at most.
inline bool WaitUntilNodeRunsTasks(int pid) {
  for (int i = 0; i < 200; ++i) {
    const nlohmann::json n = NodeOfPid(Status(), pid);
    if (!n.is_null() && n["resources_used"].value("CPU", 0.0) > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// True once `pid` has exited (a zombie waiting for its reaper counts).
inline bool Exited(int pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return true;
  int p = 0;
  char comm[256] = {0}, state = 0;
  const int n = std::fscanf(f, "%d %255s %c", &p, comm, &state);
  std::fclose(f);
  return n == 3 && state == 'Z';
}

}  // namespace strata::testing
