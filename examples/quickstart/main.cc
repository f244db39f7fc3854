// Quickstart: a CPU-heavy function over many inputs, first in a plain loop on
// one core, then as Strata tasks on every core. `make demo` runs this.
//
// Usage: quickstart [chunks] [chunk_size]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <strata/strata.h>

// Counts the primes in [begin, end) by trial division: deliberately plain,
// CPU-bound code of the kind people run in a pandas loop today.
int64_t CountPrimes(int64_t begin, int64_t end) {
  int64_t count = 0;
  for (int64_t n = begin; n < end; ++n) {
    if (n < 2) continue;
    bool prime = true;
    for (int64_t d = 2; d * d <= n; ++d) {
      if (n % d == 0) {
        prime = false;
        break;
      }
    }
    count += prime;
  }
  return count;
}
STRATA_REMOTE(CountPrimes);

static double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int main(int argc, char** argv) {
  const int64_t chunks = argc > 1 ? std::atoll(argv[1]) : 64;
  const int64_t chunk = argc > 2 ? std::atoll(argv[2]) : 40000;
  const int64_t base = 10'000'000;

  // Workers re-run this program; Init() turns them into task servers here.
  auto t0 = std::chrono::steady_clock::now();
  strata::Init();
  std::printf("strata::Init() took %.3f s\n", Seconds(t0));

  t0 = std::chrono::steady_clock::now();
  int64_t serial = 0;
  for (int64_t i = 0; i < chunks; ++i) serial += CountPrimes(base + i * chunk, base + (i + 1) * chunk);
  const double serial_s = Seconds(t0);
  std::printf("plain loop:   %lld primes in %.3f s\n", static_cast<long long>(serial), serial_s);

  t0 = std::chrono::steady_clock::now();
  std::vector<strata::ObjectRef<int64_t>> refs;
  for (int64_t i = 0; i < chunks; ++i) {
    refs.push_back(strata::Task(CountPrimes).Remote(base + i * chunk, base + (i + 1) * chunk));
  }
  // Once the first result is in, every core is busy: show it.
  strata::Wait(refs, 1);
  std::printf("\n%s\n", strata::ClusterStatus().c_str());
  int64_t parallel = 0;
  for (int64_t v : strata::Get(refs)) parallel += v;
  const double parallel_s = Seconds(t0);
  std::printf("strata tasks: %lld primes in %.3f s\n", static_cast<long long>(parallel), parallel_s);
  std::printf("speed-up: %.2fx on %s\n", serial_s / parallel_s,
              parallel == serial ? "matching results" : "MISMATCHED RESULTS");
  strata::Shutdown();
  return parallel == serial ? 0 : 1;
}
