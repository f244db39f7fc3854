// Three hosts in network namespaces, joined by veth pairs to a bridge in a
// fourth namespace that plays the switch: each host has its own address,
// its own session directory and binary cache, and reaches the others only
// over the virtual network. Made and removed by the test; skipped with a
// message where the kernel or the user may not create namespaces.
#include <unistd.h>

#include <string>
#include <vector>

#include "e2e/cluster_fixture.h"

namespace {

using strata::testing::kCli;
using strata::testing::kDriver;
using strata::testing::Result;
using strata::testing::Shell;

class NetnsCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string tag = std::to_string(getpid() % 100000);
    sw_ = "strsw" + tag;
    for (const char* h : {"a", "b", "c"}) hosts_.push_back("str" + std::string(h) + tag);
    const char* base = std::getenv("STRATA_TMPDIR");
    root_ = std::string(base ? base : "/tmp/strata") + "/netns";
    Shell("rm -rf " + root_);
    Result sw = Shell("ip netns add " + sw_);
    if (sw.code != 0) {
      GTEST_SKIP() << "network namespaces are not available here (" << sw.output
                   << "); this test needs root and CAP_SYS_ADMIN";
    }
    made_ = true;
    // Namespaces may exist where bridges or veth pairs do not (a container
    // without those kernel modules): that too is "the kernel forbids it".
    std::string why;
    if (Run(sw_, "ip link add br0 type bridge && ip link set br0 up && ip link set lo up") != 0) {
      why = "cannot make a bridge in a network namespace";
    }
    for (size_t i = 0; i < hosts_.size() && why.empty(); ++i) {
      const std::string& h = hosts_[i];
      const std::string veth = "v" + std::to_string(i);
      if (Shell("ip netns add " + h).code != 0 ||
          Shell("ip -n " + h + " link add " + veth + " type veth peer name p" +
                std::to_string(i) + " netns " + sw_).code != 0 ||
          Run(sw_, "ip link set p" + std::to_string(i) + " master br0 up") != 0 ||
          Run(h, "ip addr add " + Ip(i) + "/24 dev " + veth + " && ip link set " + veth +
                     " up && ip link set lo up") != 0) {
        why = "cannot connect network namespaces with veth pairs";
      }
    }
    if (!why.empty()) GTEST_SKIP() << why << " here; this test needs them";
  }

  void TearDown() override {
    if (!made_) return;
    for (size_t i = 0; i < hosts_.size(); ++i) Run(hosts_[i], Env(i) + kCli + " stop");
    for (const std::string& h : hosts_) Shell("ip netns del " + h);
    Shell("ip netns del " + sw_);
  }

  static std::string Ip(size_t i) { return "10.213.0." + std::to_string(i + 1); }
  // Each host its own files: session directories and binary cache.
  std::string Env(size_t i) const {
    return "STRATA_TMPDIR=" + root_ + "/host" + std::to_string(i) + " STRATA_TOKEN=" + kToken +
           " ";
  }
  int Run(const std::string& ns, const std::string& cmd) {
    return Shell("ip netns exec " + ns + " sh -c '" + cmd + "'").code;
  }
  Result RunOut(const std::string& ns, const std::string& cmd) {
    return Shell("ip netns exec " + ns + " sh -c '" + cmd + "'");
  }

  static constexpr const char* kToken = "0123456789abcdef0123456789abcdef";
  std::string sw_;
  std::vector<std::string> hosts_;
  std::string root_;
  bool made_ = false;
};

TEST_F(NetnsCluster, ThreeHostsJoinShareWorkAndMoveDataOverTheNetwork) {
  const std::string head = Ip(0) + ":6380";
  Result started = RunOut(hosts_[0], Env(0) + kCli + " start --head --host " + Ip(0) +
                                         " --port 6380 --num-cpus 1 --token " + kToken);
  ASSERT_EQ(started.code, 0) << started.output;
  for (size_t i = 1; i < 3; ++i) {
    Result join = RunOut(hosts_[i], Env(i) + kCli + " start --address " + head + " --host " +
                                        Ip(i) + " --num-cpus 2 --resources \"{\\\"host" +
                                        std::to_string(i) + "\\\": 1}\"");
    ASSERT_EQ(join.code, 0) << join.output;
  }
  nlohmann::json status;
  for (int tries = 0; tries < 100; ++tries) {
    Result s = RunOut(hosts_[0], Env(0) + kCli + " status --json --address " + head);
    status = nlohmann::json::parse(s.output, nullptr, false);
    if (!status.is_discarded() && status["nodes"].size() == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(status["nodes"].size(), 3u) << status.dump(1);
  for (const auto& n : status["nodes"]) {
    const std::string address = n["address"];
    EXPECT_EQ(address.rfind("10.213.0.", 0), 0u) << "each host is reached at its own address";
  }

  // The driver runs on host a; SPREAD puts work on all three hosts, whose
  // nodes fetched the program over the network into their own caches.
  const std::string driver = Env(0) + "STRATA_ADDRESS=" + head + " " + kDriver;
  Result spread = RunOut(hosts_[0], driver + " spreadall 30 20");
  ASSERT_EQ(spread.code, 0) << spread.output;
  const size_t line = spread.output.rfind("{\"driver_node\"");
  ASSERT_NE(line, std::string::npos) << spread.output;
  const auto counts = nlohmann::json::parse(
      spread.output.substr(line, spread.output.find('\n', line) - line));
  EXPECT_EQ(counts["count"], 30);
  EXPECT_EQ(counts["nodes"].size(), 3u) << spread.output;
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(Shell("ls " + root_ + "/host" + std::to_string(i) + "/binaries | grep -c .").output,
              "1\n")
        << "host " << i << " has the program in its own cache";
  }

  // 48 MiB to a node on another host and 48 MiB back.
  Result big = RunOut(hosts_[0], driver + " bigdata_on host2");
  ASSERT_EQ(big.code, 0) << big.output;
  EXPECT_NE(big.output.find("{\"sum_ok\": true, \"result_ok\": true}"), std::string::npos)
      << big.output;
}

}  // namespace
