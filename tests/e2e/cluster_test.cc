// Several node agents on loopback: nodes join the head with the token, are
// listed with their architecture and resources, and are declared dead when
// killed or when they stop answering.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/cluster_fixture.h"
#include <nlohmann/json.hpp>

namespace {

using strata::testing::ClusterTest;
using strata::testing::CountState;
using strata::testing::Exited;
using strata::testing::NodeOfPid;
using strata::testing::WaitUntilNodeRunsTasks;
using strata::testing::kCli;
using strata::testing::kDriver;
using strata::testing::Result;
using strata::testing::Shell;
using strata::testing::Status;
using strata::testing::StatusWhen;

TEST_F(ClusterTest, NodesJoinAreListedAndDie) {
  Result head = Shell(kCli + " start --head --port 0 --num-cpus 2 --node-timeout 1 --dead-node-retention 8");
  ASSERT_EQ(head.code, 0) << head.output;
  const auto record = nlohmann::json::parse(Shell("cat " + dir_ + "/cluster.json").output);
  const std::string address = record["address"];
  for (const char* r : {"{\"intel\": 1}", "{\"graviton\": 1}", "{}"}) {
    Result join = Shell(kCli + " start --address " + address + " --num-cpus 4 --resources '" + r +
                        "'");
    ASSERT_EQ(join.code, 0) << join.output;
  }
  Result intruder = Shell(kCli + " start --address " + address + " --token not-it");
  EXPECT_NE(intruder.code, 0);
  EXPECT_NE(intruder.output.find("wrong cluster token"), std::string::npos) << intruder.output;

  nlohmann::json s = StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 4; });
  ASSERT_EQ(CountState(s, "ALIVE"), 4) << s.dump(1);
  EXPECT_EQ(s["totals"]["resources_total"]["CPU"], 14.0);
  EXPECT_EQ(s["totals"]["resources_total"]["intel"], 1.0);
  EXPECT_EQ(s["totals"]["resources_total"]["graviton"], 1.0);
  for (const auto& node : s["nodes"]) {
    const std::string arch = node["arch"];
    EXPECT_TRUE(arch == "x86_64" || arch == "arm64") << node.dump();
    EXPECT_EQ(node["node_id"].get<std::string>().size(), 32u);
    EXPECT_FALSE(node["address"].get<std::string>().empty());
    EXPECT_EQ(node["resources_total"][arch], 1.0) << "the architecture badge is detected";
  }

  // Killed: its connection closes and the head declares it dead at once.
  const std::vector<int> pids = NodePids();
  ASSERT_EQ(pids.size(), 3u);
  kill(pids[0], SIGKILL);
  s = StatusWhen([](const nlohmann::json& j) { return CountState(j, "DEAD") == 1; });
  EXPECT_EQ(CountState(s, "DEAD"), 1) << s.dump(1);
  EXPECT_EQ(CountState(s, "ALIVE"), 3);

  // Frozen: the connection stays open, the heartbeats stop; dead after the
  // 1 s timeout. Once it runs again it learns so and stops by itself.
  kill(pids[1], SIGSTOP);
  s = StatusWhen([](const nlohmann::json& j) { return CountState(j, "DEAD") == 2; });
  EXPECT_EQ(CountState(s, "DEAD"), 2) << s.dump(1);
  kill(pids[1], SIGCONT);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gone = Exited(pids[1]);
  }
  EXPECT_TRUE(gone) << "a node declared dead should stop";
  Result text = Shell(kCli + " status");
  EXPECT_NE(text.output.find("Dead:"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find(" 1 worker"), std::string::npos) << text.output;  // healthy

  // Past the retention (8 s) the dead leave the view; the living stay.
  s = Status();
  for (int i = 0; i < 150 && CountState(s, "DEAD") > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s = Status();
  }
  EXPECT_EQ(CountState(s, "DEAD"), 0) << s.dump(1);
  EXPECT_EQ(CountState(s, "ALIVE"), 2) << s.dump(1);
}

TEST_F(ClusterTest, WorkGoesWhereItFitsMovesDataAndSurvivesANodeDeath) {
  const std::string& driver = kDriver;
  ASSERT_EQ(Shell(kCli + " start --head --port 0 --num-cpus 2 --node-timeout 2").code, 0);
  const auto record = nlohmann::json::parse(Shell("cat " + dir_ + "/cluster.json").output);
  const std::string address = record["address"];
  ASSERT_EQ(Shell(kCli + " start --address " + address + " --num-cpus 4 --resources "
                         "'{\"intel\": 1}'").code, 0);
  const std::vector<int> before = NodePids();
  ASSERT_EQ(Shell(kCli + " start --address " + address + " --num-cpus 4").code, 0);
  ASSERT_EQ(Shell(kCli + " start --address " + address + " --num-cpus 4").code, 0);
  nlohmann::json s = StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 4; });
  ASSERT_EQ(CountState(s, "ALIVE"), 4);
  std::string intel_node;
  for (const auto& n : s["nodes"]) {
    if (n["resources_total"].contains("intel")) intel_node = n["node_id"];
  }

  // Custom resources steer work: every {"intel": 1} task ran on the Intel node.
  Result route = Shell(driver + " route 20 10");
  ASSERT_EQ(route.code, 0) << route.output;
  auto r = nlohmann::json::parse(route.output);
  EXPECT_EQ(r["count"], 20);
  ASSERT_EQ(r["nodes"].size(), 1u) << route.output;
  EXPECT_TRUE(r["nodes"].contains(intel_node)) << route.output;

  // More work than the head's 2 CPUs spills to the other nodes.
  Result spread = Shell(driver + " spread 60 50");
  ASSERT_EQ(spread.code, 0) << spread.output;
  auto sp = nlohmann::json::parse(spread.output);
  EXPECT_EQ(sp["count"], 60);
  EXPECT_GE(sp["nodes"].size(), 3u) << spread.output;

  // A 48 MiB argument goes to another node, a 48 MiB result comes back.
  Result big = Shell(driver + " bigdata");
  ASSERT_EQ(big.code, 0) << big.output;
  auto b = nlohmann::json::parse(big.output);
  EXPECT_TRUE(b["sum_ok"].get<bool>()) << big.output;
  EXPECT_TRUE(b["result_ok"].get<bool>()) << big.output;

  // Refs inside a value, resolved on another node: fetched from the node
  // that made them, including one still being computed there.
  Result refs = Shell(driver + " refsinvalue");
  ASSERT_EQ(refs.code, 0) << refs.output;
  EXPECT_TRUE(nlohmann::json::parse(refs.output)["sum_ok"].get<bool>()) << refs.output;

  // SPREAD uses every node, even while the driver's node has room.
  Result spreadall = Shell(driver + " spreadall 40 1");
  ASSERT_EQ(spreadall.code, 0) << spreadall.output;
  EXPECT_EQ(nlohmann::json::parse(spreadall.output)["nodes"].size(), 4u) << spreadall.output;

  // Node affinity: hard pins work to one node; to a node that does not
  // exist, hard fails with a reason and soft runs anyway.
  std::string plain_node;
  for (const auto& n : s["nodes"]) {
    if (n["node_type"] == "worker" && !n["resources_total"].contains("intel")) plain_node = n["node_id"];
  }
  Result pinned = Shell(driver + " affinity 12 1 " + plain_node);
  ASSERT_EQ(pinned.code, 0) << pinned.output;
  auto p = nlohmann::json::parse(pinned.output);
  ASSERT_EQ(p["nodes"].size(), 1u) << pinned.output;
  EXPECT_TRUE(p["nodes"].contains(plain_node)) << pinned.output;
  const std::string nowhere(32, 'a');
  Result hard = Shell(driver + " affinity 2 1 " + nowhere);
  EXPECT_NE(hard.output.find("hard node affinity"), std::string::npos) << hard.output;
  Result soft = Shell(driver + " affinity_soft 5 1 " + nowhere);
  ASSERT_EQ(soft.code, 0) << soft.output;
  EXPECT_EQ(nlohmann::json::parse(soft.output)["count"], 5) << soft.output;

  // A node killed while 500 tasks run: every result still arrives.
  Result killed_run;
  int victim = 0;
  for (int pid : NodePids()) {
    if (std::find(before.begin(), before.end(), pid) == before.end()) victim = pid;
  }
  ASSERT_GT(victim, 0);
  std::thread run([&] { killed_run = Shell(driver + " spread 500 40"); });
  const bool victim_busy = WaitUntilNodeRunsTasks(victim);  // killed mid-run, not before or after
  kill(victim, SIGKILL);
  EXPECT_TRUE(victim_busy) << "the node never ran any of the 500 tasks";
  run.join();
  ASSERT_EQ(killed_run.code, 0) << killed_run.output;
  auto k = nlohmann::json::parse(killed_run.output);
  EXPECT_EQ(k["count"], 500) << killed_run.output;
  s = StatusWhen([](const nlohmann::json& j) { return CountState(j, "DEAD") == 1; });
  EXPECT_EQ(CountState(s, "DEAD"), 1);

  // The job ended with its driver: no node keeps its workers.
  s = StatusWhen([](const nlohmann::json& j) {
    int workers = 0;
    for (const auto& n : j["nodes"]) {
      if (n["state"] == "ALIVE") workers += n["workers"]["total"].get<int>();
    }
    return workers == 0;
  });
  for (const auto& n : s["nodes"]) {
    if (n["state"] == "ALIVE") {
      EXPECT_EQ(n["workers"]["total"], 0) << n.dump();
    }
  }
}

TEST_F(ClusterTest, DrainedNodeFinishesItsWorkAndLeaves) {
  const std::string& driver = kDriver;
  ASSERT_EQ(Shell(kCli + " start --head --port 0 --num-cpus 1 --node-timeout 3").code, 0);
  const auto record = nlohmann::json::parse(Shell("cat " + dir_ + "/cluster.json").output);
  const std::string address = record["address"];
  ASSERT_EQ(Shell(kCli + " start --address " + address + " --num-cpus 4").code, 0);
  ASSERT_EQ(Shell(kCli + " start --address " + address + " --num-cpus 4").code, 0);
  nlohmann::json s = StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 3; });
  ASSERT_EQ(CountState(s, "ALIVE"), 3);
  std::string target, head_id;
  for (const auto& n : s["nodes"]) {
    if (n["node_type"] == "worker") target = n["node_id"];
    if (n["node_type"] == "head") head_id = n["node_id"];
  }
  const std::vector<int> pids = NodePids();

  Result run;
  int target_pid = 0;
  for (int pid : pids) {
    const nlohmann::json n = NodeOfPid(s, pid);
    if (!n.is_null() && n["node_id"] == target) target_pid = pid;
  }
  ASSERT_GT(target_pid, 0);
  std::thread job([&] { run = Shell(driver + " spread 200 40"); });
  EXPECT_TRUE(WaitUntilNodeRunsTasks(target_pid)) << "the node to drain never ran a task";
  Result drain = Shell(kCli + " drain " + target + " --deadline 60");
  EXPECT_EQ(drain.code, 0) << drain.output;
  EXPECT_NE(drain.output.find("draining node"), std::string::npos) << drain.output;
  job.join();
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(nlohmann::json::parse(run.output)["count"], 200) << run.output;

  // It leaves once its work is done and its results are handed over.
  s = StatusWhen([&](const nlohmann::json& j) {
    for (const auto& n : j["nodes"]) {
      if (n["node_id"] == target) return n["state"] == "DRAINED";
    }
    return false;
  });
  bool drained = false;
  for (const auto& n : s["nodes"]) {
    if (n["node_id"] == target) drained = n["state"] == "DRAINED";
  }
  EXPECT_TRUE(drained) << s.dump(1);
  // Shown as terminated, not as a failure.
  const Result text = Shell(kCli + " status");
  EXPECT_NE(text.output.find("Terminated (drained):\n worker " + target), std::string::npos)
      << text.output;
  EXPECT_EQ(text.output.find("Dead:"), std::string::npos) << text.output;
  int exited = 0;
  for (int i = 0; i < 100 && exited == 0; ++i) {
    for (int pid : pids) exited += Exited(pid);
    if (exited == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(exited, 1);

  Result head_drain = Shell(kCli + " drain " + head_id);
  EXPECT_NE(head_drain.code, 0);
  EXPECT_NE(head_drain.output.find("head cannot be drained"), std::string::npos) << head_drain.output;
  Result bad = Shell(kCli + " drain nonsense");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.output.find("not a node id"), std::string::npos) << bad.output;
}

TEST_F(ClusterTest, JoiningNeedsAReachableHeadAndAToken) {
  Result no_token = Shell("STRATA_TOKEN= " + kCli + " start --address 127.0.0.1:1");
  EXPECT_NE(no_token.code, 0);
  EXPECT_NE(no_token.output.find("needs the cluster token"), std::string::npos) << no_token.output;
  Result unreachable = Shell(kCli + " start --address 127.0.0.1:1 --token t");
  EXPECT_NE(unreachable.code, 0);
  EXPECT_NE(unreachable.output.find("cannot reach the head"), std::string::npos)
      << unreachable.output;
}

}  // namespace

namespace {

using strata::testing::kDriver;

// An actor that only other nodes can hold is created there; its calls run
// there in order; when its node is killed it restarts on another (one
// restart allowed), and when that node dies too, calls fail naming the node.
TEST_F(ClusterTest, ActorsLiveOnOtherNodesAndRestartWhenTheirNodeDies) {
  const std::string address = StartHead("--num-cpus 1");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(Shell(kCli + " start --address " + address +
                    " --num-cpus 2 --resources '{\"spot\": 1}'")
                  .code,
              0);
  }
  StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 3; });
  Result r = Shell("STRATA_ADDRESS=" + address + " " + kDriver + " actor 200 0 spot");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto got = nlohmann::json::parse(r.output.substr(r.output.rfind("\n{") + 1));
  EXPECT_TRUE(got["ordered"].get<bool>()) << r.output;
  EXPECT_NE(got["first_node"], got["driver_node"]) << "the head has no spot resource";
  EXPECT_EQ(got["after_restart"], 1) << "a restarted actor starts from its constructor";
  EXPECT_NE(got["second_node"], got["first_node"]);
  EXPECT_NE(got["second_node"], got["driver_node"]);
  const std::string error = got["final_error"];
  EXPECT_NE(error.find("is dead"), std::string::npos) << error;
  const std::string second = got["second_node"];
  EXPECT_NE(error.find(second.substr(4, 4) + second.substr(28, 4) + ") died"),
            std::string::npos)
      << "the error names the node: " << error;
}

}  // namespace

namespace {

using strata::testing::kDriver;

// Objects between nodes, held while needed: an object a task put on another
// node and returned by reference is held there for the driver, fetched as a
// task argument and by Get, and freed on both nodes afterwards; a task whose
// argument lives on another node with room runs there. A drained node hands
// such objects to the nodes that hold them before it leaves. Results made
// on a node are copied to their owner's node before they count as done, so
// killing that node afterwards loses none of them.
TEST_F(ClusterTest, ObjectsMadeElsewhereAreHeldFetchedAndSurviveTheirNode) {
  const std::string address = StartHead("--num-cpus 1");
  ASSERT_EQ(Shell(kCli + " start --address " + address +
                  " --num-cpus 2 --resources '{\"nodeb\": 1}'")
                .code,
            0);
  StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 2; });
  Result r = Shell("STRATA_ADDRESS=" + address + " " + kDriver + " foreignarg 1 0 nodeb");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("{\"sum_ok\": true, \"get_ok\": true, \"ran_at_home\": true}"),
            std::string::npos)
      << r.output;
  const nlohmann::json s = StatusWhen([](const nlohmann::json& j) {
    int objects = 0;
    for (const auto& n : j["nodes"]) objects += n["object_store"]["num_objects"].get<int>();
    return objects == 0;
  });
  for (const auto& n : s["nodes"]) {
    EXPECT_EQ(n["object_store"]["num_objects"], 0) << "nothing leaks: " << n.dump();
  }

  // Drained: objects made there that the driver still holds are copied off first.
  Result handover = Shell("STRATA_ADDRESS=" + address + " " + kDriver + " handover 1 0 nodeb " + kCli);
  ASSERT_EQ(handover.code, 0) << handover.output;
  EXPECT_NE(handover.output.find("{\"drained\": true, \"value_ok\": true}"), std::string::npos)
      << handover.output;
  ASSERT_EQ(Shell(kCli + " start --address " + address +
                  " --num-cpus 2 --resources '{\"nodeb\": 1}'")
                .code,
            0);
  StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 2; });

  Result survive = Shell("STRATA_ADDRESS=" + address + " " + kDriver + " survive 6 0 nodeb");
  ASSERT_EQ(survive.code, 0) << survive.output;
  EXPECT_NE(survive.output.find("{\"results_ok\": true}"), std::string::npos) << survive.output;
}

}  // namespace
