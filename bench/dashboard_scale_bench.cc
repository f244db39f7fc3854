// The dashboard with 500 nodes and 100k tasks a second going through them:
// how long the head's Publish takes each heartbeat, and how long each page's
// request takes (what a browser polling every second costs). Prints one
// JSON object; the numbers are in bench/README.md.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <thread>
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
    n.index = static_cast<strata::NodeIndex>(i);
    n.node_type = i == 0 ? "head" : i % 2 ? "c7i.24xlarge" : "m7g.16xlarge";
    n.arch = i % 2 ? "x86_64" : "arm64";
    n.address = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ":6380";
    n.total = strata::ResourceSet::FromDoubles({{"CPU", 96}, {"memory", 192e9}});
    n.used = strata::ResourceSet::FromDoubles({{"CPU", 90}});
    n.tasks_finished = 200 * static_cast<int64_t>(i);
    n.pending[strata::ResourceSet::FromDoubles({{"CPU", 1}})] = 200;  // 100k queued over the cluster
    for (int f = 0; f < 20; ++f) n.functions["preprocess_" + std::to_string(f)] = {1000, 3, 1000000000};
    n.failures.push_back({"preprocess_1", "std::runtime_error: bad row 17 in part-00012.parquet", 1});
    n.scheduling_latency.counts.assign(std::size(strata::rpc::kSchedulingBucketsSeconds) + 1, 1000);
    n.transfers = {100, 1, 1 << 30, 1 << 30};
    s.nodes.push_back(std::move(n));
  }
  // A running pipeline and the 20 ended runs the head keeps, 12 steps each.
  for (int r = 0; r < 21; ++r) {
    strata::rpc::PipelineRecord p;
    p.job = strata::JobId::Generate();
    p.run = 1;
    p.name = "crawl_" + std::to_string(r) + ".yaml";
    p.state = r == 0 ? strata::rpc::PipelineState::kRunning : strata::rpc::PipelineState::kSucceeded;
    p.stages.push_back({"read", 4000, 20000, 80000000, 120, false});
    for (uint32_t k = 1; k <= 12; ++k) {
      p.steps.push_back({k, "gopher_quality", 80000000, 70000000, true, {{"gopher_short_doc", 5000000}, {"gopher_enough_stop_words", 5000000}}});
    }
    s.pipelines.push_back(std::move(p));
  }
  return s;
}

// Seconds for headless Chromium to load and draw one page (0 without Chromium).
double BrowserSeconds(const std::string& url) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) return 0;
  const std::string cmd = "chromium --headless --no-sandbox --disable-gpu --no-first-run "
                          "--disable-background-networking --user-data-dir=$(mktemp -d) --virtual-time-budget=5000 "
                          "--dump-dom '" + url + "' >/dev/null 2>&1";
  const auto t = Clock::now();
  if (std::system(cmd.c_str()) != 0) return -1;
  return std::chrono::duration<double>(Clock::now() - t).count();
}

template <class F>
double MeanMs(int reps, F fn) {
  const auto t = Clock::now();
  for (int i = 0; i < reps; ++i) fn();
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count() / reps;
}

}  // namespace

int main(int argc, char** argv) {
  strata::dashboard::DashboardServer server({"127.0.0.1", 0, "", "/nonexistent"});
  if (const strata::Status started = server.Start(); !started.ok()) {
    std::fprintf(stderr, "%s\n", started.message().c_str());
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
  for (const char* path : {"/api/cluster", "/api/nodes?limit=100", "/api/tasks", "/api/pipelines", "/api/history",
                           "/metrics", "/api/status"}) {
    size_t bytes = 0;
    const double ms = MeanMs(20, [&] {
      auto r = client.Get(path);
      bytes = r ? r->body.size() : 0;
    });
    out["requests"][path] = {{"ms", ms}, {"bytes", bytes}};
  }
  // The whole page in a browser (start-up included: an empty page's load is
  // the baseline to subtract).
  out["browser_s"]["about:blank"] = BrowserSeconds("about:blank");
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port()) + "/?once#";
  for (const char* page : {"cluster", "tasks", "pipelines"}) out["browser_s"][page] = BrowserSeconds(base + page);
  std::printf("%s\n", out.dump().c_str());
  // --hold S: keep serving the big cluster S seconds (to look at it in a browser).
  if (argc == 3 && std::string(argv[1]) == "--hold") {
    std::fprintf(stderr, "serving %s for %s s\n", server.url().c_str(), argv[2]);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(std::atoi(argv[2])));
  }
  return 0;
}
