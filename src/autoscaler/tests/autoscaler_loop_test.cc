// The autoscaler loop against a fake head and a fake provider: demand
// becomes launches, idle nodes are drained through the head, the report
// reaches the head, and a lost head ends the loop.
#include "autoscaler/autoscaler_loop.h"

#include <gtest/gtest.h>

namespace strata::autoscaler {
namespace {

using json = nlohmann::json;

ClusterConfig Config() {
  ClusterConfig c;
  std::string error;
  EXPECT_TRUE(ParseClusterConfig(R"(cluster_name: t
max_workers: 10
idle_timeout_minutes: 0
provider: {type: local}
head_node_type: head
available_node_types:
  head: {resources: {CPU: 0}}
  worker: {resources: {CPU: 4}, max_workers: 10}
)",
                                 "t.yaml", &c, &error))
      << error;
  return c;
}

class FakeProvider : public NodeProvider {
 public:
  std::vector<std::string> Launch(const NodeTypeConfig& type, int count, std::string*) override {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      ids.push_back("i-" + std::to_string(instances.size()));
      instances.push_back({ids.back(), type.name, "running"});
    }
    return ids;
  }
  void Terminate(const std::vector<std::string>& ids) override {
    for (const auto& id : ids) terminated.push_back(id);
  }
  std::vector<Instance> NonTerminated() override { return instances; }
  std::vector<Instance> instances;
  std::vector<std::string> terminated;
};

json NodeJson(const std::string& id, const std::string& type, int index, double cpus, double used,
              const std::string& instance) {
  return {{"node_id", id},          {"node_type", type},        {"index", index},
          {"state", "ALIVE"},       {"instance_id", instance},  {"pending_tasks", 0},
          {"resources_total", {{"CPU", cpus}}}, {"resources_used", {{"CPU", used}}},
          {"resources_committed", json::object()}, {"workers", {{"actors", 0}}}};
}

// Serves a scripted sequence of statuses, then stops the loop.
class FakeHead : public HeadLink {
 public:
  explicit FakeHead(std::atomic<bool>* stop) : stop_(stop) {}
  bool Status(json* status, std::string* error) override {
    if (next_ >= statuses.size()) {
      if (lose_after_script) {
        *error = "connection reset";
        return false;
      }
      *stop_ = true;
      *status = statuses.back();
      return true;
    }
    *status = statuses[next_++];
    return true;
  }
  bool Drain(const std::string& node, double, std::string*) override {
    drained.push_back(node);
    return true;
  }
  void Report(const json& report) override { reports.push_back(report); }
  std::vector<json> statuses;
  std::vector<std::string> drained;
  std::vector<json> reports;
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
  json busy = {{"nodes", {NodeJson("h", "head", 0, 0, 0, "")}},
               {"pending_demands", {{{"shape", {{"CPU", 1}}}, {"count", 10}}}},
               {"infeasible_demands", json::array()}};
  head.statuses.push_back(busy);
  // Round 2: three workers joined, idle, nothing waits.
  json idle = {{"nodes",
                {NodeJson("h", "head", 0, 0, 0, ""), NodeJson("w0", "worker", 1, 4, 0, "i-0"),
                 NodeJson("w1", "worker", 2, 4, 0, "i-1"), NodeJson("w2", "worker", 3, 4, 0, "i-2")}},
               {"pending_demands", json::array()},
               {"infeasible_demands", json::array()}};
  head.statuses.push_back(idle);
  head.statuses.push_back(idle);
  EXPECT_EQ(RunAutoscalerLoop(Config(), &provider, &head, stop, std::chrono::milliseconds(1)), 0);
  EXPECT_EQ(provider.instances.size(), 3u);  // 10 CPUs of demand, 4 per node
  EXPECT_FALSE(head.drained.empty()) << "idle nodes past idle_timeout are drained";
  ASSERT_GE(head.reports.size(), 2u);
  EXPECT_TRUE(head.reports.front().is_object());
}

TEST(AutoscalerLoop, ALostHeadEndsTheLoopWithAnError) {
  std::atomic<bool> stop{false};
  FakeProvider provider;
  FakeHead head(&stop);
  head.statuses.push_back({{"nodes", json::array()},
                           {"pending_demands", json::array()},
                           {"infeasible_demands", json::array()}});
  head.lose_after_script = true;
  EXPECT_EQ(RunAutoscalerLoop(Config(), &provider, &head, stop, std::chrono::milliseconds(1)), 1);
  EXPECT_EQ(head.reports.size(), 1u);
}

TEST(AutoscalerLoop, AStatusThatIsNotAnObjectSkipsTheRound) {
  std::atomic<bool> stop{false};
  FakeProvider provider;
  FakeHead head(&stop);
  head.statuses.push_back(json());  // what an undecodable reply becomes
  head.statuses.push_back({{"nodes", json::array()},
                           {"pending_demands", json::array()},
                           {"infeasible_demands", json::array()}});
  EXPECT_EQ(RunAutoscalerLoop(Config(), &provider, &head, stop, std::chrono::milliseconds(1)), 0);
  // The null round reported nothing; the object rounds (the script's, then
  // the last one again as the loop stops) did.
  EXPECT_EQ(head.reports.size(), 2u);
}

}  // namespace
}  // namespace strata::autoscaler
