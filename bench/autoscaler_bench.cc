// One autoscaling decision at scale: 100,000 pending tasks (in 20 resource
// shapes), 50 node types, 1,000 nodes. Target: under 100 ms per decision.
#include <benchmark/benchmark.h>

#include <random>

#include "autoscaler/planner.h"

namespace {

using strata::ResourceSet;
using namespace strata::autoscaler;

ClusterConfig BigConfig() {
  ClusterConfig c;
  c.cluster_name = "bench";
  c.max_workers = 5000;
  c.upscaling_speed = 100;
  c.provider.type = "local";
  c.head_node_type = "head";
  c.node_types["head"] = NodeTypeConfig{"head", {}, {{"CPU", 8}}, 0, 0, 0, {}, false};
  for (int i = 0; i < 49; ++i) {
    NodeTypeConfig t;
    t.name = "type" + std::to_string(i);
    t.resources = {{"CPU", 4.0 * (1 + i % 16)}, {"memory", 16e9 * (1 + i % 8)}};
    if (i % 5 == 0) t.resources["intel"] = 1;
    if (i % 7 == 0) t.resources["graviton"] = 1;
    t.max_workers = 1000;
    t.price_per_hour = 0.05 * (1 + i);
    c.node_types[t.name] = t;
  }
  return c;
}

void BM_PlanRound(benchmark::State& state) {
  const ClusterConfig config = BigConfig();
  std::mt19937 rng(7);
  std::vector<NodeState> nodes;
  for (int i = 0; i < 1000; ++i) {
    const NodeTypeConfig& t = config.node_types.at("type" + std::to_string(i % 49));
    NodeState n;
    n.node_id = strata::NodeId(0, static_cast<uint64_t>(i) + 1);
    n.node_type = t.name;
    n.total = ResourceSet::FromDoubles(t.resources);
    n.available = n.total;
    n.available.Set("CPU", static_cast<double>(rng() % 2));  // nearly full
    n.idle_seconds = i % 10 == 0 ? 1e4 : 0;
    nodes.push_back(n);
  }
  std::map<ResourceSet, int64_t> demand;
  for (int s = 0; s < 20; ++s) {
    std::map<std::string, double> shape{{"CPU", 1.0 + s % 4}, {"memory", 1e9 * (1 + s % 3)}};
    if (s % 6 == 0) shape["intel"] = 1;
    if (s % 9 == 0) shape["graviton"] = 1;
    demand[ResourceSet::FromDoubles(shape)] += 5000;  // 20 × 5,000 = 100,000 tasks
  }
  for (auto _ : state) {
    Plan p = PlanRound(config, nodes, demand, {});
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_PlanRound)->Unit(benchmark::kMillisecond);

}  // namespace
