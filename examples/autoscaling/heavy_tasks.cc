// The autoscaling exercise's driver: N "heavy" one-CPU tasks, each sleeping
// (or spinning) for a set time, so that a two-core machine can host hundreds
// of them while the autoscaler grows the cluster to fit. Prints progress
// every second and, at the end, how many nodes the work ran on.
//
//   heavy_tasks [TASKS=480] [SECONDS=30] [sleep|spin]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <strata/strata.h>

namespace {

std::string Heavy(int seconds, bool spin) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  if (spin) {
    volatile uint64_t x = 0;
    while (std::chrono::steady_clock::now() < end) x = x + 1;
  } else {
    std::this_thread::sleep_until(end);
  }
  return strata::GetRuntimeContext().node_id.Hex();
}
STRATA_REMOTE(Heavy);

}  // namespace

int main(int argc, char** argv) {
  strata::Init();
  const int tasks = argc > 1 ? std::atoi(argv[1]) : 480;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 30;
  const bool spin = argc > 3 && std::string(argv[3]) == "spin";
  const auto start = std::chrono::steady_clock::now();
  std::vector<strata::ObjectRef<std::string>> refs;
  for (int i = 0; i < tasks; ++i) refs.push_back(strata::Task(Heavy).Remote(seconds, spin));
  std::printf("submitted %d tasks of %d s each\n", tasks, seconds);
  std::vector<strata::ObjectRef<std::string>> pending = refs;
  while (!pending.empty()) {
    strata::WaitResult<std::string> r = strata::Wait(pending, pending.size(), 1000);
    pending = r.unready;
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[%5.1f s] %zu of %d done\n", t, tasks - pending.size(), tasks);
    std::fflush(stdout);
  }
  std::set<std::string> nodes;
  for (const std::string& n : strata::Get(refs)) nodes.insert(n);
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"tasks\": %d, \"nodes\": %zu, \"seconds\": %.1f}\n", tasks, nodes.size(), t);
  strata::Shutdown();
  return 0;
}
