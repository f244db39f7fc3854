// A driver for the multi-node tests: connects to the cluster in
// $STRATA_ADDRESS and prints one JSON line describing what happened.
//   cluster_driver route    tasks needing {"intel": 1}: which nodes ran them
//   cluster_driver spread   N tasks of 1 CPU: which nodes ran them
//   cluster_driver bigdata  a large argument to, and a large result from, another node
//   cluster_driver spreadfail  like spread, and N/10 tasks of Boom that throw
//   cluster_driver pipelinestall  a Dataset run whose batch function sleeps $STRATA_STALL_S
//                                 seconds (default 60): a run to kill
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <strata/data.h>
#include <strata/strata.h>

namespace {

// Holds a Dataset run in its map stage (STRATA_STALL_S seconds per batch).
bool Stall(strata::data::Block&, std::string*) {
  const char* s = std::getenv("STRATA_STALL_S");
  std::this_thread::sleep_for(std::chrono::seconds(s != nullptr ? std::atoi(s) : 60));
  return true;
}
STRATA_BATCH_FUNCTION(Stall);

std::string NodeOf(int sleep_ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  return strata::GetRuntimeContext().node_id.Hex();
}
double Sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }
std::vector<double> Make(int64_t n, double fill) { return std::vector<double>(n, fill); }
std::vector<double> SlowMake(int64_t n, double fill) {
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  return std::vector<double>(n, fill);
}
// Gets refs that came inside a value: made on the driver's node, some still
// being computed when this task starts.
double SumAll(const std::vector<strata::ObjectRef<std::vector<double>>>& refs) {
  double s = 0;
  for (const auto& v : strata::Get(refs)) s += std::accumulate(v.begin(), v.end(), 0.0);
  return s;
}
// Which program the worker runs (a node without the job's binary fetches it
// into its cache) and on which architecture the node says it is.
std::string ExeOf(int) {
  char path[4096] = {0};
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string("?");
}
// Puts a large array on the node it runs on and returns only the reference:
// the object's home is that node.
strata::ObjectRef<std::vector<double>> PutThere(int64_t n, double fill) {
  return strata::Put(std::vector<double>(n, fill));
}
int64_t AgentPid(int) { return getppid(); }
int Say(const std::string& what) {
  std::printf("%s\n", what.c_str());
  std::fflush(stdout);
  return 1;
}
std::string NodeOfArg(const std::vector<double>&) {
  return strata::GetRuntimeContext().node_id.Hex();
}
int Boom(int i) { throw std::runtime_error("boom " + std::to_string(i) + " on purpose"); }
STRATA_REMOTE(NodeOf, Sum, Make, SlowMake, SumAll, ExeOf, PutThere, AgentPid, NodeOfArg, Say, Boom);

// An actor that says where it lives: its node, its node agent's pid (the
// worker's parent), and how many calls it has seen since it was (re)started.
class Counter {
 public:
  int64_t Next() { return ++count_; }
  std::string Node() { return strata::GetRuntimeContext().node_id.Hex(); }
  int64_t AgentPid() { return getppid(); }

 private:
  int64_t count_ = 0;
};
Counter* MakeCounter() { return new Counter(); }
STRATA_REMOTE(MakeCounter, &Counter::Next, &Counter::Node, &Counter::AgentPid);

std::string Quote(std::string s) {
  for (char& c : s) c = c == '"' ? '\'' : c;
  return "\"" + s + "\"";
}

void PrintCounts(const std::vector<std::string>& nodes, const std::string& extra) {
  std::map<std::string, int> counts;
  for (const auto& n : nodes) counts[n]++;
  std::printf("{\"driver_node\": \"%s\", \"count\": %zu, \"nodes\": {",
              strata::GetRuntimeContext().node_id.Hex().c_str(), nodes.size());
  bool first = true;
  for (const auto& [n, c] : counts) {
    std::printf("%s\"%s\": %d", first ? "" : ", ", n.c_str(), c);
    first = false;
  }
  std::printf("}%s}\n", extra.c_str());
}

// The counts, or the error a task failed with, as one JSON line.
void PrintCountsOrError(const std::vector<strata::ObjectRef<std::string>>& refs) {
  try {
    PrintCounts(strata::Get(refs), "");
  } catch (const strata::TaskError& e) {
    std::printf("{\"error\": %s}\n", Quote(e.what()).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  strata::Init();
  const std::string mode = argc > 1 ? argv[1] : "route";
  const int n = argc > 2 ? std::atoi(argv[2]) : 20;
  const int sleep_ms = argc > 3 ? std::atoi(argv[3]) : 10;
  if (mode == "route") {
    std::vector<strata::ObjectRef<std::string>> refs;
    for (int i = 0; i < n; ++i) {
      refs.push_back(strata::Task(NodeOf).SetResource("intel", 1).Remote(sleep_ms));
    }
    PrintCounts(strata::Get(refs), "");
  } else if (mode == "spread" || mode == "spreadfail") {
    std::vector<strata::ObjectRef<int>> booms;
    for (int i = 0; mode == "spreadfail" && i < n / 10; ++i) booms.push_back(strata::Task(Boom).SetMaxRetries(0).Remote(i));
    std::vector<strata::ObjectRef<std::string>> refs;
    for (int i = 0; i < n; ++i) refs.push_back(strata::Task(NodeOf).Remote(sleep_ms));
    int failed = 0;
    for (auto& b : booms) {
      try {
        strata::Get(b);
      } catch (const strata::TaskError&) {
        ++failed;
      }
    }
    PrintCounts(strata::Get(refs), failed > 0 ? ", \"failed\": " + std::to_string(failed) : "");
  } else if (mode == "spreadall") {
    std::vector<strata::ObjectRef<std::string>> refs;
    for (int i = 0; i < n; ++i) {
      refs.push_back(strata::Task(NodeOf)
                         .SetSchedulingStrategy(strata::SchedulingStrategy::Spread())
                         .Remote(sleep_ms));
    }
    PrintCounts(strata::Get(refs), "");
  } else if (mode == "affinity" || mode == "affinity_soft") {
    // argv[4]: the node id (hex); a made-up one tests what happens when it is not there.
    const strata::NodeId node = strata::NodeId::FromHex(argv[4]);
    std::vector<strata::ObjectRef<std::string>> refs;
    for (int i = 0; i < n; ++i) {
      refs.push_back(strata::Task(NodeOf)
                         .SetSchedulingStrategy(strata::SchedulingStrategy::NodeAffinity(
                             node, /*soft=*/mode == "affinity_soft"))
                         .Remote(sleep_ms));
    }
    PrintCountsOrError(refs);
  } else if (mode == "exe") {
    // argv[4]: a resource only the node of interest has.
    std::vector<strata::ObjectRef<std::string>> refs;
    for (int i = 0; i < n; ++i) refs.push_back(strata::Task(ExeOf).SetResource(argv[4], 1).Remote(0));
    PrintCountsOrError(refs);
  } else if (mode == "actor") {
    // An actor needing argv[4] (a resource only other nodes have) with one
    // restart: its node is killed twice.
    auto actor = strata::Actor(MakeCounter).SetResource(argv[4], 1).SetMaxRestarts(1).Remote();
    std::vector<strata::ObjectRef<int64_t>> calls;
    for (int i = 0; i < n; ++i) calls.push_back(actor.Task(&Counter::Next).Remote());
    const std::vector<int64_t> got = strata::Get(calls);
    bool ordered = true;
    for (int i = 0; i < n; ++i) ordered = ordered && got[i] == i + 1;
    const std::string first_node = strata::Get(actor.Task(&Counter::Node).Remote());
    kill(static_cast<pid_t>(strata::Get(actor.Task(&Counter::AgentPid).Remote())), SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const int64_t after_restart = strata::Get(actor.Task(&Counter::Next).Remote());
    const std::string second_node = strata::Get(actor.Task(&Counter::Node).Remote());
    kill(static_cast<pid_t>(strata::Get(actor.Task(&Counter::AgentPid).Remote())), SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    std::string final_error;
    try {
      strata::Get(actor.Task(&Counter::Next).Remote());
    } catch (const strata::TaskError& e) {
      final_error = e.what();
    }
    std::printf("{\"ordered\": %s, \"driver_node\": %s, \"first_node\": %s, "
                "\"after_restart\": %lld, \"second_node\": %s, \"final_error\": %s}\n",
                ordered ? "true" : "false",
                Quote(strata::GetRuntimeContext().node_id.Hex()).c_str(),
                Quote(first_node).c_str(), static_cast<long long>(after_restart),
                Quote(second_node).c_str(), Quote(final_error).c_str());
  } else if (mode == "foreignarg") {
    // argv[4]: a resource only another node has. An object made there is
    // used as a task argument here and read by the driver.
    const int64_t count = (16 << 20) / sizeof(double);
    auto inner = strata::Get(strata::Task(PutThere).SetResource(argv[4], 1).Remote(count, 0.25));
    const double sum = strata::Get(strata::Task(Sum).Remote(inner));
    const std::vector<double> got = strata::Get(inner);
    // With room at the object's home, a task that takes it runs there.
    const std::string home = strata::Get(strata::Task(NodeOf).SetResource(argv[4], 1).Remote(0));
    auto fresh = strata::Get(strata::Task(PutThere).SetResource(argv[4], 1).Remote(count, 1.0));
    const std::string ran = strata::Get(strata::Task(NodeOfArg).Remote(fresh));
    std::printf("{\"sum_ok\": %s, \"get_ok\": %s, \"ran_at_home\": %s}\n",
                sum == 0.25 * count ? "true" : "false",
                got.size() == static_cast<size_t>(count) && got.back() == 0.25 ? "true" : "false",
                ran == home ? "true" : "false");
  } else if (mode == "survive") {
    // argv[4]: a resource only another node has. Large results made there,
    // then that node is killed: the results are all still readable.
    const int64_t count = (8 << 20) / sizeof(double);
    std::vector<strata::ObjectRef<std::vector<double>>> refs;
    for (int i = 0; i < n; ++i) {
      refs.push_back(strata::Task(Make).SetResource(argv[4], 1).Remote(count, double(i)));
    }
    strata::Wait(refs, refs.size());
    kill(static_cast<pid_t>(strata::Get(strata::Task(AgentPid).SetResource(argv[4], 1).Remote(0))),
         SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    bool ok = true;
    for (int i = 0; i < n; ++i) {
      const std::vector<double> v = strata::Get(refs[i]);
      ok = ok && v.size() == static_cast<size_t>(count) && v.front() == i && v.back() == i;
    }
    std::printf("{\"results_ok\": %s}\n", ok ? "true" : "false");
  } else if (mode == "handover") {
    // argv[4]: a resource only the node to drain has; argv[5]: the strata CLI.
    // An object made there and held here by reference survives its drain.
    const int64_t count = (16 << 20) / sizeof(double);
    auto there = strata::Get(strata::Task(PutThere).SetResource(argv[4], 1).Remote(count, 0.75));
    const std::string node = strata::Get(strata::Task(NodeOf).SetResource(argv[4], 1).Remote(0));
    const int rc = std::system((std::string(argv[5]) + " drain " + node + " >/dev/null").c_str());
    bool drained = false;
    for (int i = 0; i < 200 && !drained && rc == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      drained = strata::ClusterStatus(true).find("DRAINED") != std::string::npos;
    }
    const std::vector<double> v = strata::Get(there);
    const double sum = strata::Get(strata::Task(Sum).Remote(there));
    std::printf("{\"drained\": %s, \"value_ok\": %s}\n", drained ? "true" : "false",
                v.size() == static_cast<size_t>(count) && v.back() == 0.75 &&
                        sum == 0.75 * count
                    ? "true"
                    : "false");
  } else if (mode == "say") {
    // argv[4]: a resource only another node has; what the task prints there
    // reaches this driver's stderr.
    strata::Get(strata::Task(Say).SetResource(argv[4], 1).Remote(std::string("printed far away")));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the line is on its way
    std::printf("{\"said\": true}\n");
  } else if (mode == "pipelinestall") {
    std::printf("{\"rows\": %lld}\n", static_cast<long long>(strata::data::Dataset::Range(100).MapBatches("Stall").Count().rows));
  } else if (mode == "sleep") {
    std::printf("sleeping %d s\n", n);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(n));
  } else if (mode == "fail") {
    std::printf("failing on purpose\n");
    strata::Shutdown();
    return 3;
  } else if (mode == "refsinvalue") {
    std::vector<strata::ObjectRef<std::vector<double>>> refs;
    refs.push_back(strata::Put(std::vector<double>(10, 1.0)));          // small, inline
    refs.push_back(strata::Put(std::vector<double>(1 << 20, 1.0)));     // 8 MiB, a file
    // Still running on the driver's node when the remote task asks for it.
    refs.push_back(strata::Task(SlowMake).SetSchedulingStrategy(
        strata::SchedulingStrategy::NodeAffinity(strata::GetRuntimeContext().node_id, false))
        .Remote(int64_t{1000}, 2.0));
    const double got = strata::Get(strata::Task(SumAll).SetResource("intel", 1).Remote(refs));
    const double want = 10 + (1 << 20) + 2000;
    std::printf("{\"sum_ok\": %s, \"got\": %.0f}\n", got == want ? "true" : "false", got);
  } else if (mode == "bigdata" || mode == "bigdata_on") {
    // bigdata_on RESOURCE: the remote end is the node with that resource.
    const std::string where = mode == "bigdata_on" ? argv[2] : "intel";
    const int64_t count = (48 << 20) / sizeof(double);  // 48 MiB: twelve 4 MiB chunks
    auto arg = strata::Put(std::vector<double>(count, 0.5));
    const double sum = strata::Get(strata::Task(Sum).SetResource(where, 1).Remote(arg));
    std::vector<double> made = strata::Get(strata::Task(Make).SetResource(where, 1).Remote(count, 2.0));
    const bool ok = sum == 0.5 * count && made.size() == static_cast<size_t>(count) &&
                    made.front() == 2.0 && made.back() == 2.0;
    std::printf("{\"sum_ok\": %s, \"result_ok\": %s}\n", sum == 0.5 * count ? "true" : "false",
                ok ? "true" : "false");
  }
  strata::Shutdown();
  return 0;
}
