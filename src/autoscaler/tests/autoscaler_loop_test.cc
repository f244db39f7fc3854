// The autoscaler loop against a fake head and a fake provider: demand
// becomes launches, idle nodes are drained through the head, the report
// reaches the head, and a lost head ends the loop.
#include "autoscaler/autoscaler_loop.h"

#include <gtest/gtest.h>

namespace strata::autoscaler {
namespace {

using MaybeStatus = std::optional<rpc::ClusterStatus>;

ClusterConfig Config() {
  const Result<ClusterConfig> c = ParseClusterConfig(R"(cluster_name: t
max_workers: 10
idle_timeout_minutes: 0
provider: {type: local}
head_node_type: head
available_node_types:
  head: {resources: {CPU: 0}}
  worker: {resources: {CPU: 4}, max_workers: 10}
)",
                                                       "t.yaml");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : ClusterConfig();
}

class FakeProvider : public NodeProvider {
 public:
  Status Launch(const NodeTypeConfig& type, int count, std::vector<InstanceId>* ids) override {
    for (int i = 0; i < count; ++i) {
      ids->push_back(InstanceId{"i-" + std::to_string(instances.size())});
      instances.push_back({ids->back(), type.name, "running"});
    }
    return OkStatus();
  }
  void Terminate(const std::vector<InstanceId>& ids) override {
    for (const auto& id : ids) terminated.push_back(id);
  }
  std::vector<Instance> NonTerminated() override { return instances; }
  std::vector<Instance> instances;
  std::vector<InstanceId> terminated;
};

rpc::NodeRecord Node(const std::string& name, const std::string& type, uint32_t index, double cpus,
                     double used, const std::string& instance) {
  rpc::NodeRecord n;
  n.id = NodeId::FromHex(std::string(32 - name.size(), '0') + name);
  n.node_type = type;
  n.index = static_cast<NodeIndex>(index);
  n.instance_id = InstanceId{instance};
  n.total = ResourceSet::FromDoubles({{"CPU", cpus}});
  n.used = ResourceSet::FromDoubles({{"CPU", used}});
  return n;
}

rpc::ClusterStatus StatusOf(std::vector<rpc::NodeRecord> nodes) {
  rpc::ClusterStatus s;
  s.nodes = std::move(nodes);
  return s;
}

// Serves a scripted sequence of statuses, then stops the loop.
class FakeHead : public HeadLink {
 public:
  explicit FakeHead(std::atomic<bool>* stop) : stop_(stop) {}
  Result<MaybeStatus> Poll() override {
    if (next_ >= statuses.size()) {
      if (lose_after_script) return Unavailable("connection reset");
      *stop_ = true;
      return statuses.back();
    }
    return statuses[next_++];
  }
  Status Drain(const NodeId& node, double) override {
    drained.push_back(node);
    return OkStatus();
  }
  void Report(const rpc::AutoscalerReport& report) override { reports.push_back(report); }
  std::vector<MaybeStatus> statuses;
  std::vector<NodeId> drained;
  std::vector<rpc::AutoscalerReport> reports;
  bool lose_after_script = false;

 private:
  std::atomic<bool>* stop_;
  size_t next_ = 0;
};

TEST(AutoscalerLoop, DemandLaunchesNodesAndIdleOnesAreDrainedThroughTheHead) {
  std::atomic<bool> stop{false};
  FakeProvider provider;
  FakeHead head(&stop);
  // Round 1: only the head (no CPUs) and 10 one-CPU tasks waiting.
  rpc::ClusterStatus busy = StatusOf({Node("ae", "head", 0, 0, 0, "")});
  busy.nodes[0].pending[ResourceSet::FromDoubles({{"CPU", 1}})] = 10;
  head.statuses.push_back(busy);
  // Round 2: three workers joined, idle, nothing waits.
  rpc::ClusterStatus idle =
      StatusOf({Node("ae", "head", 0, 0, 0, ""), Node("b0", "worker", 1, 4, 0, "i-0"),
                Node("b1", "worker", 2, 4, 0, "i-1"), Node("b2", "worker", 3, 4, 0, "i-2")});
  head.statuses.push_back(idle);
  head.statuses.push_back(idle);
  EXPECT_EQ(RunAutoscalerLoop(Config(), &provider, &head, stop, std::chrono::milliseconds(1)), 0);
  EXPECT_EQ(provider.instances.size(), 3u);  // 10 CPUs of demand, 4 per node
  EXPECT_FALSE(head.drained.empty()) << "idle nodes past idle_timeout are drained";
  ASSERT_GE(head.reports.size(), 2u);
  EXPECT_EQ(head.reports.front().cluster_name, "t");
  ASSERT_EQ(head.reports.front().node_types.size(), 2u);
  EXPECT_EQ(head.reports.front().node_types[1].name, "worker");
  EXPECT_EQ(head.reports.front().node_types[1].launching, 3);
}

TEST(AutoscalerLoop, ALostHeadEndsTheLoopWithAnError) {
  std::atomic<bool> stop{false};
  FakeProvider provider;
  FakeHead head(&stop);
  head.statuses.push_back(StatusOf({}));
  head.lose_after_script = true;
  EXPECT_EQ(RunAutoscalerLoop(Config(), &provider, &head, stop, std::chrono::milliseconds(1)), 1);
  EXPECT_EQ(head.reports.size(), 1u);
}

TEST(AutoscalerLoop, AStatusThatDoesNotDecodeSkipsTheRound) {
  std::atomic<bool> stop{false};
  FakeProvider provider;
  FakeHead head(&stop);
  head.statuses.push_back(std::nullopt);  // what an undecodable reply becomes
  head.statuses.push_back(StatusOf({}));
  EXPECT_EQ(RunAutoscalerLoop(Config(), &provider, &head, stop, std::chrono::milliseconds(1)), 0);
  // The undecodable round reported nothing; the decoded rounds (the script's, then
  // the last one again as the loop stops) did.
  EXPECT_EQ(head.reports.size(), 2u);
}

}  // namespace
}  // namespace strata::autoscaler
