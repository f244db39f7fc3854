// Ray's microbenchmark set, for Strata, on an embedded local cluster.
// Prints one JSON object {metric: value}; bench/run_all.sh puts it side by
// side with the Dask peer. Modes:
//   core_bench            all metrics below
//   core_bench --init     only Init() -> first task result, in a fresh process
//   core_bench --tasks-async  only the async task rate, best of 5 (the
//                         dashboard's cost-of-observing benchmark)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <strata/strata.h>

namespace {

int Noop(int x) { return x; }
int Pid() { return static_cast<int>(getpid()); }

class Actor {
 public:
  static Actor* Create() { return new Actor(); }
  int Call(int x) { return x; }
};

STRATA_REMOTE(Noop, Pid);
STRATA_REMOTE(Actor::Create, &Actor::Call);

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Best of `reps` runs of `fn`, which performs `ops` operations.
template <class F>
double Rate(int reps, double ops, F fn) {
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    auto t = Clock::now();
    fn();
    best = std::max(best, ops / Since(t));
  }
  return best;
}

double RssMb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  auto start = Clock::now();
  strata::Init();
  std::map<std::string, double> m;
  if (argc > 1 && std::strcmp(argv[1], "--init") == 0) {
    strata::Get(strata::Task(Noop).Remote(1));
    std::printf("{\"init_to_first_result_s\": %.4f}\n", Since(start));
    strata::Shutdown();
    return 0;
  }
  strata::Get(strata::Task(Noop).Remote(0));  // warm: workers up
  auto tasks_async = [] {
    std::vector<strata::ObjectRef<int>> refs;
    refs.reserve(100000);
    for (int i = 0; i < 100000; ++i) refs.push_back(strata::Task(Noop).Remote(i));
    strata::Get(refs);
  };
  if (argc > 1 && std::strcmp(argv[1], "--tasks-async") == 0) {
    std::printf("{\"tasks_async_per_s\": %.0f}\n", Rate(5, 100000, tasks_async));
    strata::Shutdown();
    return 0;
  }

  m["tasks_sync_per_s"] = Rate(3, 2000, [] {
    for (int i = 0; i < 2000; ++i) strata::Get(strata::Task(Noop).Remote(i));
  });
  m["task_round_trip_us"] = 1e6 / m["tasks_sync_per_s"];
  m["tasks_async_per_s"] = Rate(3, 100000, tasks_async);

  auto actor = strata::Actor(Actor::Create).Remote();
  strata::Get(actor.Task(&Actor::Call).Remote(0));
  m["actor_calls_sync_per_s"] = Rate(3, 2000, [&] {
    for (int i = 0; i < 2000; ++i) strata::Get(actor.Task(&Actor::Call).Remote(i));
  });
  m["actor_calls_async_per_s"] = Rate(3, 50000, [&] {
    std::vector<strata::ObjectRef<int>> refs;
    for (int i = 0; i < 50000; ++i) refs.push_back(actor.Task(&Actor::Call).Remote(i));
    strata::Get(refs);
  });

  std::vector<strata::ObjectRef<int>> puts;
  m["put_calls_per_s"] = Rate(1, 50000, [&] {
    for (int i = 0; i < 50000; ++i) puts.push_back(strata::Put(i));
  });
  m["get_calls_per_s"] = Rate(3, 50000, [&] {
    int64_t s = 0;
    for (const auto& r : puts) s += strata::Get(r);
    if (s < 0) std::printf("impossible\n");
  });
  puts.clear();

  // Large objects: 512 MiB of doubles, put then get, against memcpy of the
  // same bytes between two warm buffers in this run.
  const size_t n = (size_t{512} << 20) / sizeof(double);
  std::vector<double> big(n, 1.5), dst(n, 0.0);
  const double gb = static_cast<double>(n * sizeof(double)) / 1e9;
  m["memcpy_gb_per_s"] = Rate(3, gb, [&] { std::memcpy(dst.data(), big.data(), n * sizeof(double)); });
  // First put of a large object: every page of it is new memory.
  strata::ObjectRef<std::vector<double>> ref;
  m["put_fresh_gb_per_s"] = Rate(1, gb, [&] { ref = strata::Put(big); });
  m["get_gb_per_s"] = Rate(3, gb, [&] {
    std::vector<double> back = strata::Get(ref);
    if (back[n - 1] != 1.5) std::printf("wrong value\n");
  });
  // The same object read in place: what a reader pays when it does not need
  // its own copy (ArrayView).
  strata::ObjectRef<strata::ArrayView<double>> view_ref(ref.id());
  m["get_view_gb_per_s"] = Rate(3, gb, [&] {
    strata::ArrayView<double> v = strata::Get(view_ref);
    if (v[n - 1] != 1.5) std::printf("wrong value\n");
  });
  view_ref = {};
  // Steady state, as in a pipeline streaming blocks: each object is released
  // before the next is made, so the store reuses its pages. ClusterStatus()
  // is a round trip that makes sure the release has reached the agent.
  m["put_gb_per_s"] = Rate(5, gb, [&] {
    ref = {};
    strata::ClusterStatus(true);
    ref = strata::Put(big);
  });
  // Fresh memory is what a put or a copying get must write into: page faults
  // included, this is the ceiling for any system that hands out new buffers.
  m["memcpy_fresh_gb_per_s"] = Rate(3, gb, [&] {
    std::vector<double> fresh(big.begin(), big.end());
    if (fresh[n - 1] != 1.5) std::printf("wrong value\n");
  });
  m["put_get_gb_per_s"] = 1.0 / (1.0 / m["put_gb_per_s"] + 1.0 / m["get_gb_per_s"]);
  m["put_get_vs_memcpy"] = m["put_get_gb_per_s"] / m["memcpy_gb_per_s"];
  m["put_getview_gb_per_s"] = 1.0 / (1.0 / m["put_gb_per_s"] + 1.0 / m["get_view_gb_per_s"]);
  m["put_getview_vs_memcpy"] = m["put_getview_gb_per_s"] / m["memcpy_gb_per_s"];
  ref = {};
  big.clear();
  big.shrink_to_fit();
  dst.clear();
  dst.shrink_to_fit();

  std::vector<strata::ObjectRef<int>> ready;
  for (int i = 0; i < 1000; ++i) ready.push_back(strata::Task(Noop).Remote(i));
  strata::Get(ready);
  m["wait_1k_refs_per_s"] = Rate(3, 100, [&] {
    for (int i = 0; i < 100; ++i) strata::Wait(ready, 1000, -1);
  });

  const int worker_pid = strata::Get(strata::Task(Pid).Remote());
  m["idle_worker_rss_mb"] = RssMb(worker_pid);
  strata::Shutdown();

  std::printf("{");
  bool first = true;
  for (const auto& [k, v] : m) {
    std::printf("%s\"%s\": %.4f", first ? "" : ", ", k.c_str(), v);
    first = false;
  }
  std::printf("}\n");
  return 0;
}
