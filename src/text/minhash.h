// MinHash signatures with datatrove's MinhashConfig arithmetic: the text
// simplified (simplify_text), split into words (the English word tokenizer),
// word 5-grams joined by spaces and hashed with xxHash64 (seed 0), then for
// each of 14 x 8 permutations (a·h + b) mod (2^61 - 1) — the product and sum
// wrapping at 2^64 as numpy's uint64 does — and the minimum over the
// document's n-grams. a and b come from numpy's RandomState(seed).randint
// (MT19937, masked rejection), so signatures equal datatrove's.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace strata::text {

struct MinHashConfig {
  int n_grams = 5;
  int num_buckets = 14;
  int hashes_per_bucket = 8;
  uint32_t seed = 1;
};

inline constexpr uint64_t kMersennePrime61 = (uint64_t{1} << 61) - 1;

class MinHasher {
 public:
  explicit MinHasher(MinHashConfig config);
  // num_buckets * hashes_per_bucket values, bucket after bucket; empty when
  // the document has fewer words than n_grams (datatrove writes no
  // signature then: such a document is nobody's duplicate).
  std::vector<uint64_t> Signature(std::string_view text) const;
  const std::vector<uint64_t>& a() const { return a_; }
  const std::vector<uint64_t>& b() const { return b_; }
  const MinHashConfig& config() const { return config_; }

 private:
  MinHashConfig config_;
  std::vector<uint64_t> a_, b_;
};

}  // namespace strata::text
