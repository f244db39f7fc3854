// The dashboard with 500 nodes and 100k tasks a second going through them:
// how long the head's Publish takes each heartbeat, and how long each page's
// request takes (what a browser polling every second costs). Prints one
// JSON object; the numbers are in bench/README.md.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dashboard/dashboard_server.h"

namespace {

using Clock = std::chrono::steady_clock;

strata::rpc::ClusterStatus BigCluster(int nodes) {
  strata::rpc::ClusterStatus s;
  s.session_dir = "/nonexistent";
  for (int i = 0; i < nodes; ++i) {
    strata::rpc::NodeRecord n;
    n.id = strata::NodeId::Generate();
    n.index = static_cast<uint32_t>(i);
    n.node_type = i == 0 ? "head" : i % 2 ? "c7i.24xlarge" : "m7g.16xlarge";
    n.arch = i % 2 ? "x86_64" : "arm64";
    n.address = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ":6380";
    n.total = strata::ResourceSet::FromDoubles({{"CPU", 96}, {"memory", 192e9}});
    n.used = strata::ResourceSet::FromDoubles({{"CPU", 90}});
    n.tasks_finished = 200 * static_cast<int64_t>(i);
    n.pending[strata::ResourceSet::FromDoubles({{"CPU", 1}})] = 200;  // 100k queued over the cluster
    for (int f = 0; f < 20; ++f) n.functions["preprocess_" + std::to_string(f)] = {1000, 3, 1000000000};
    n.failures.push_back({"preprocess_1", "std::runtime_error: bad row 17 in part-00012.parquet", 1});
    s.nodes.push_back(std::move(n));
  }
  return s;
}

template <class F>
double MeanMs(int reps, F fn) {
  const auto t = Clock::now();
  for (int i = 0; i < reps; ++i) fn();
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count() / reps;
}

}  // namespace

int main() {
  strata::dashboard::DashboardServer server({"127.0.0.1", 0, "", "/nonexistent"});
  std::string error;
  if (!server.Start(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const strata::rpc::ClusterStatus status = BigCluster(500);
  nlohmann::json out;
  out["nodes"] = 500;
  // The head hands over a status it built for this: a move, as here.
  std::vector<strata::rpc::ClusterStatus> copies(20, status);
  size_t next = 0;
  out["publish_ms"] = MeanMs(20, [&] { server.Publish(std::move(copies[next++])); });
  httplib::Client client("127.0.0.1", server.port());
  for (const char* path : {"/api/cluster", "/api/nodes?limit=100", "/api/tasks", "/api/history", "/metrics",
                           "/api/status"}) {
    size_t bytes = 0;
    const double ms = MeanMs(20, [&] {
      auto r = client.Get(path);
      bytes = r ? r->body.size() : 0;
    });
    out["requests"][path] = {{"ms", ms}, {"bytes", bytes}};
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
