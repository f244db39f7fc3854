// A seeded random sequence for the randomized tests: the same numbers on
// every machine and standard library (std::mt19937's distributions are not
// portable), so a failure is reproducible from its seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace strata::testing_support {

class TestRandom {
 public:
  explicit TestRandom(uint64_t seed) : state_(seed) {}
  // The next number (31 bits of a 64-bit linear congruential generator).
  size_t operator()() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>(state_ >> 33);
  }
  // Fewer than `max_count` pieces drawn from `pieces`, joined: the strings
  // the randomized tests build, dense in what each probes.
  template <size_t N>
  std::string Pieces(const char* const (&pieces)[N], size_t max_count) {
    std::string s;
    for (size_t k = (*this)() % max_count; k > 0; --k) s += pieces[(*this)() % N];
    return s;
  }

 private:
  uint64_t state_;
};

}  // namespace strata::testing_support
