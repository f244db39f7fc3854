#include "autoscaler/planner.h"

#include <gtest/gtest.h>

namespace strata::autoscaler {
namespace {

ClusterConfig Config() {
  const char* text = R"(cluster_name: t
max_workers: 40
idle_timeout_minutes: 1
upscaling_speed: 100
provider: {type: local}
head_node_type: head
available_node_types:
  head: {resources: {CPU: 8}}
  intel: {resources: {CPU: 16, intel: 1}, min_workers: 2, max_workers: 30, price_per_hour: 0.25}
  graviton: {resources: {CPU: 16, graviton: 1}, max_workers: 30, price_per_hour: 0.20}
  big: {resources: {CPU: 64, memory: 512}, max_workers: 1, price_per_hour: 5}
)";
  const Result<ClusterConfig> parsed = ParseClusterConfig(text, "t.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? *parsed : ClusterConfig();
}

ResourceSet R(std::map<std::string, double> m) { return ResourceSet::FromDoubles(m); }

// A node id made from a short name (its bytes in hex), so that tests read
// with the plan's names: NamedId("g1") is 0...06731.
NodeId NamedId(const std::string& name) {
  std::string hex;
  for (unsigned char c : name) {
    hex += "0123456789abcdef"[c >> 4];
    hex += "0123456789abcdef"[c & 15];
  }
  return NodeId::FromHex(std::string(32 - hex.size(), '0') + hex);
}

NodeState Node(const std::string& id, const std::string& type, std::map<std::string, double> total,
               double cpu_free, double idle_s = 0) {
  NodeState n;
  n.node_id = NamedId(id);
  n.node_type = type;
  n.head = type == "head";
  n.total = R(total);
  n.available = n.total;
  n.available.Set("CPU", cpu_free);
  n.idle_seconds = idle_s;
  return n;
}

std::vector<NodeState> HeadAndMinWorkers() {
  return {Node("h", "head", {{"CPU", 8}}, 0), Node("i1", "intel", {{"CPU", 16}, {"intel", 1}}, 0),
          Node("i2", "intel", {{"CPU", 16}, {"intel", 1}}, 0)};
}

TEST(Planner, MinWorkersAreLaunchedWithoutDemand) {
  const Plan p = PlanRound(Config(), {Node("h", "head", {{"CPU", 8}}, 8)}, {}, {});
  EXPECT_EQ(p.launch, (std::map<std::string, int>{{"intel", 2}}));
  EXPECT_NE(p.reason.find("min_workers of intel is 2"), std::string::npos) << p.reason;
}

TEST(Planner, DemandGoesToTheCheapestTypePerUnitAndExactlyAsManyNodes) {
  // 320 one-CPU tasks pending, all nodes full: 20 nodes of 16 CPUs, the
  // cheaper graviton type (0.20/16 per CPU against 0.25/16).
  const Plan p = PlanRound(Config(), HeadAndMinWorkers(), {{R({{"CPU", 1}}), 320}}, {});
  EXPECT_EQ(p.launch, (std::map<std::string, int>{{"graviton", 20}}));
  EXPECT_TRUE(p.waiting.empty());
  EXPECT_NEAR(p.cost_per_hour, 2 * 0.25 + 20 * 0.20, 1e-9);
  // Work that asks for Intel goes to Intel, however cheap the other type is.
  const Plan intel = PlanRound(Config(), HeadAndMinWorkers(), {{R({{"CPU", 1}, {"intel", 1}}), 3}}, {});
  EXPECT_EQ(intel.launch, (std::map<std::string, int>{{"intel", 3}}));
}

TEST(Planner, FreeCapacityIsUsedBeforeLaunching) {
  std::vector<NodeState> nodes = HeadAndMinWorkers();
  nodes[1].available.Set("CPU", 10);
  NodeState coming = Node("", "graviton", {{"CPU", 16}, {"graviton", 1}}, 0);
  coming.launching = true;  // counts with its whole capacity
  nodes.push_back(coming);
  EXPECT_TRUE(PlanRound(Config(), nodes, {{R({{"CPU", 1}}), 26}}, {}).launch.empty());
  EXPECT_EQ(PlanRound(Config(), nodes, {{R({{"CPU", 1}}), 27}}, {}).launch.at("graviton"), 1);
}

TEST(Planner, MaxWorkersCapsPerTypeAndInTotal) {
  const Plan p = PlanRound(Config(), HeadAndMinWorkers(), {{R({{"CPU", 1}}), 16 * 100}}, {});
  // graviton to its 30, then intel up to the cluster's 40 workers.
  EXPECT_EQ(p.launch.at("graviton"), 30);
  EXPECT_EQ(p.launch.at("intel"), 8);
  EXPECT_EQ(p.waiting.at(R({{"CPU", 1}})), 16 * 100 - 16 * 38);
  EXPECT_NE(p.reason.find("max_workers reached"), std::string::npos) << p.reason;
}

TEST(Planner, UpscalingSpeedLimitsNodesLaunchingAtOnce) {
  ClusterConfig c = Config();
  c.upscaling_speed = 1.0;  // 3 alive workers + head: at most 5 launching
  const Plan p = PlanRound(c, HeadAndMinWorkers(), {{R({{"CPU", 1}}), 320}}, {});
  EXPECT_EQ(p.launch.at("graviton"), 5);
  EXPECT_NE(p.reason.find("upscaling_speed"), std::string::npos) << p.reason;
}

TEST(Planner, InfeasibleDemandIsReportedNeverLaunchedFor) {
  const Plan p = PlanRound(Config(), HeadAndMinWorkers(),
                           {{R({{"CPU", 1}, {"GPU", 1}}), 4}, {R({{"CPU", 128}}), 1}}, {});
  EXPECT_TRUE(p.launch.empty());
  EXPECT_EQ(p.infeasible.size(), 2u);
  EXPECT_NE(p.reason.find("infeasible"), std::string::npos);
  // A shape only one type holds, with that type paused: waits, not infeasible.
  const Plan paused = PlanRound(Config(), HeadAndMinWorkers(), {{R({{"CPU", 64}}), 1}}, {"big"});
  EXPECT_TRUE(paused.launch.empty());
  EXPECT_EQ(paused.waiting.size(), 1u);
}

TEST(Planner, IdleNodesPastTheTimeoutAreDrainedDownToMinWorkers) {
  std::vector<NodeState> nodes = HeadAndMinWorkers();
  nodes[1].idle_seconds = 3600;
  nodes[2].idle_seconds = 3600;
  nodes.push_back(Node("g1", "graviton", {{"CPU", 16}, {"graviton", 1}}, 16, 61));
  nodes.push_back(Node("g2", "graviton", {{"CPU", 16}, {"graviton", 1}}, 16, 30));
  const Plan p = PlanRound(Config(), nodes, {}, {});
  EXPECT_EQ(p.drain, (std::vector<NodeId>{NamedId("g1")})) << "intel stays at min_workers; g2 not idle long";
  // An idle node that pending work can use is kept.
  const Plan busy = PlanRound(Config(), nodes, {{R({{"CPU", 1}}), 4}}, {});
  EXPECT_TRUE(busy.drain.empty());
}

}  // namespace
}  // namespace strata::autoscaler
