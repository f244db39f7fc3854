#include "text/minhash.h"

#include <algorithm>
#include <functional>
#include <random>
#include <string>

#include <xxhash.h>

#include "text/simplify.h"
#include "text/word_tokenizer.h"

namespace strata::text {

namespace {

// numpy's legacy RandomState: MT19937 seeded with init_genrand (as
// std::mt19937 is), 64-bit draws as two 32-bit ones, high half first.
class NumpyLegacyRandom {
 public:
  explicit NumpyLegacyRandom(uint32_t seed) : mt_(seed) {}
  uint64_t Next64() {
    const uint64_t high = mt_();
    return high << 32 | mt_();
  }
  // randint(low, high) for uint64: masked rejection sampling.
  uint64_t RandInt(uint64_t low, uint64_t high) {
    const uint64_t range = high - low - 1;
    uint64_t mask = range;
    for (int shift = 1; shift < 64; shift <<= 1) mask |= mask >> shift;
    uint64_t v;
    while ((v = Next64() & mask) > range) {
    }
    return low + v;
  }

 private:
  std::mt19937 mt_;
};

// x mod (2^61 - 1) without a division: 2^61 is 1 modulo it, so the bits
// above the 61st add to the ones below. Equal to x % kMersennePrime61.
inline uint64_t ModMersenne61(uint64_t x) {
  uint64_t r = (x & kMersennePrime61) + (x >> 61);
  if (r >= kMersennePrime61) r -= kMersennePrime61;
  return r;
}

// minima[j] = min(minima[j], (h·a[j] + b[j]) mod p) for every permutation.
// On x86-64 built twice, and the CPU picks at load time: with AVX-512
// (x86-64-v4) eight 64-bit products at once, else one by one.
#if defined(__x86_64__)
#define STRATA_AVX512_CLONE __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define STRATA_AVX512_CLONE
#endif
STRATA_AVX512_CLONE __attribute__((optimize("tree-vectorize"))) void FoldShingle(
    uint64_t h, const uint64_t* __restrict a, const uint64_t* __restrict b, uint64_t* __restrict minima, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    const uint64_t v = ModMersenne61(h * a[j] + b[j]);
    minima[j] = v < minima[j] ? v : minima[j];
  }
}

}  // namespace

MinHasher::MinHasher(MinHashConfig config) : config_(config) {
  const size_t n = static_cast<size_t>(config_.num_buckets) * static_cast<size_t>(config_.hashes_per_bucket);
  NumpyLegacyRandom random(config_.seed);
  for (size_t i = 0; i < n; ++i) a_.push_back(random.RandInt(1, kMersennePrime61));
  for (size_t i = 0; i < n; ++i) b_.push_back(random.RandInt(0, kMersennePrime61));
}

std::vector<uint64_t> MinHasher::Signature(std::string_view text) const {
  const std::string simple = SimplifyText(text);
  const WordList words = TokenizeWords(simple);
  const size_t n = static_cast<size_t>(config_.n_grams);
  if (words.size() < n) return {};
  std::vector<uint64_t> minima(a_.size(), UINT64_MAX);
  // The words as views of `simple`; an n-gram whose words stand one space
  // apart there (nearly all) is hashed where it lies, not joined first.
  std::vector<std::string_view> views(words.size());
  for (size_t i = 0; i < words.size(); ++i) views[i] = words.At(i);
  // Word i+1 starts one space after word i ends, both in `simple` (a word
  // the tokenizer rewrote lives elsewhere).
  const std::less<const char*> before;
  auto inside = [&](std::string_view w) {
    return !before(w.data(), simple.data()) && !before(simple.data() + simple.size(), w.data() + w.size());
  };
  std::vector<bool> spaced(words.size(), false);
  for (size_t i = 0; i + 1 < views.size(); ++i) {
    const char* end = views[i].data() + views[i].size();
    spaced[i] = inside(views[i]) && inside(views[i + 1]) && views[i + 1].data() == end + 1 && *end == ' ';
  }
  std::string gram;
  for (size_t i = 0; i + n <= words.size(); ++i) {
    bool contiguous = true;
    for (size_t k = i; k + 1 < i + n; ++k) contiguous = contiguous && spaced[k];
    std::string_view shingle;
    if (contiguous) {
      const char* last_end = views[i + n - 1].data() + views[i + n - 1].size();
      shingle = std::string_view(views[i].data(), static_cast<size_t>(last_end - views[i].data()));
    } else {
      gram.clear();
      for (size_t k = 0; k < n; ++k) {
        if (k > 0) gram.push_back(' ');
        gram += views[i + k];
      }
      shingle = gram;
    }
    FoldShingle(XXH64(shingle.data(), shingle.size(), 0), a_.data(), b_.data(), minima.data(), a_.size());
  }
  return minima;
}

}  // namespace strata::text
