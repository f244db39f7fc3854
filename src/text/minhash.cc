#include "text/minhash.h"

#include <algorithm>
#include <functional>
#include <random>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/xxhash_inline.h"

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

// minima[j] = min(minima[j], (h·a[j] + b[j]) mod p) for every hash h and
// permutation j, one by one.
void FoldShinglesScalar(const uint64_t* hashes, size_t count, const uint64_t* a, const uint64_t* b,
                        uint64_t* minima, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    uint64_t m = minima[j];
    for (size_t s = 0; s < count; ++s) {
      const uint64_t v = ModMersenne61(hashes[s] * a[j] + b[j]);
      m = v < m ? v : m;
    }
    minima[j] = m;
  }
}

#if defined(__x86_64__)
// The same with AVX2, eight permutations at a time with the hashes
// streaming past: their minima, a and b stay in registers (hash after hash
// through all the minima in memory was half the time). A 64-bit product's
// low half from three 32-bit ones; every value past the product and sum is
// below 2^62, so signed compares order it.
// min(m, (h·a + b) mod p) in four lanes; a_high is a >> 32.
__attribute__((target("avx2"))) inline __m256i FoldAvx2(__m256i h, __m256i h_high, __m256i a, __m256i a_high,
                                                        __m256i b, __m256i m) {
  const __m256i prime = _mm256_set1_epi64x(static_cast<long long>(kMersennePrime61));
  const __m256i below_prime = _mm256_set1_epi64x(static_cast<long long>(kMersennePrime61 - 1));
  const __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(a_high, h), _mm256_mul_epu32(a, h_high));
  const __m256i product = _mm256_add_epi64(_mm256_mul_epu32(a, h), _mm256_slli_epi64(cross, 32));
  const __m256i x = _mm256_add_epi64(product, b);
  __m256i r = _mm256_add_epi64(_mm256_and_si256(x, prime), _mm256_srli_epi64(x, 61));
  r = _mm256_sub_epi64(r, _mm256_and_si256(_mm256_cmpgt_epi64(r, below_prime), prime));
  return _mm256_blendv_epi8(m, r, _mm256_cmpgt_epi64(m, r));
}

__attribute__((target("avx2"))) void FoldShinglesAvx2(const uint64_t* hashes, size_t count, const uint64_t* a,
                                                      const uint64_t* b, uint64_t* minima, size_t n) {
  const __m256i prime = _mm256_set1_epi64x(static_cast<long long>(kMersennePrime61));
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + j));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + j + 4));
    const __m256i a0_high = _mm256_srli_epi64(a0, 32), a1_high = _mm256_srli_epi64(a1, 32);
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + j));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + j + 4));
    __m256i m0 = prime, m1 = prime;  // above every value mod p
    for (size_t s = 0; s < count; ++s) {
      const __m256i h = _mm256_set1_epi64x(static_cast<long long>(hashes[s]));
      const __m256i h_high = _mm256_srli_epi64(h, 32);
      m0 = FoldAvx2(h, h_high, a0, a0_high, b0, m0);
      m1 = FoldAvx2(h, h_high, a1, a1_high, b1, m1);
    }
    alignas(32) uint64_t found[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(found), m0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(found + 4), m1);
    for (size_t k = 0; k < 8; ++k) minima[j + k] = std::min(minima[j + k], found[k]);
  }
  FoldShinglesScalar(hashes, count, a + j, b + j, minima + j, n - j);
}
#endif

#if defined(__x86_64__)
// With AVX-512 (x86-64-v4) a 64-bit product is one instruction: hash after
// hash, the loop over the permutations vectorizes eight lanes at a time.
__attribute__((target("arch=x86-64-v4"), optimize("tree-vectorize"))) void FoldShinglesAvx512(
    const uint64_t* __restrict hashes, size_t count, const uint64_t* __restrict a, const uint64_t* __restrict b,
    uint64_t* __restrict minima, size_t n) {
  for (size_t s = 0; s < count; ++s) {
    const uint64_t h = hashes[s];
    for (size_t j = 0; j < n; ++j) {
      const uint64_t v = ModMersenne61(h * a[j] + b[j]);
      minima[j] = v < minima[j] ? v : minima[j];
    }
  }
}
#endif

void FoldShingles(const uint64_t* hashes, size_t count, const uint64_t* a, const uint64_t* b, uint64_t* minima,
                  size_t n) {
  if (count == 0) return;
#if defined(__x86_64__)
  static const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                             __builtin_cpu_supports("avx512cd");
  if (avx512) return FoldShinglesAvx512(hashes, count, a, b, minima, n);
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return FoldShinglesAvx2(hashes, count, a, b, minima, n);
#endif
  FoldShinglesScalar(hashes, count, a, b, minima, n);
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
  WordList words(simple);
  if (!TokenizePlainAscii(simple, &words)) words = TokenizeWords(simple);
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
  // spaced_run[i]: how many words from i on stand one space before the next.
  std::vector<uint32_t> spaced_run(words.size() + 1, 0);
  for (size_t i = views.size() - 1; i-- > 0;) {
    const char* end = views[i].data() + views[i].size();
    const bool spaced = inside(views[i]) && inside(views[i + 1]) && views[i + 1].data() == end + 1 && *end == ' ';
    spaced_run[i] = spaced ? spaced_run[i + 1] + 1 : 0;
  }
  std::string gram;
  std::vector<uint64_t> hashes;
  hashes.reserve(words.size() - n + 1);
  for (size_t i = 0; i + n <= words.size(); ++i) {
    const bool contiguous = spaced_run[i] + 1 >= n;
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
    hashes.push_back(XXH64(shingle.data(), shingle.size(), 0));
  }
  FoldShingles(hashes.data(), hashes.size(), a_.data(), b_.data(), minima.data(), a_.size());
  return minima;
}

}  // namespace strata::text
