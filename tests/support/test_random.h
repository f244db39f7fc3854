// A seeded random sequence for the randomized tests: the same numbers on
// every machine and standard library (std::mt19937's distributions are not
// portable), so a failure is reproducible from its seed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::testing_support {

class TestRandom {
 public:
  explicit TestRandom(uint64_t seed) : state_(seed) {}
  // The next number (31 bits of a 64-bit linear congruential generator).
  size_t operator()() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>(state_ >> 33);
  }

 private:
  uint64_t state_;
};

}  // namespace strata::testing_support
