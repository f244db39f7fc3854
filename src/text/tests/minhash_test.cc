// MinHash signatures against numbers numpy and Python's xxhash give with
// datatrove's formulas (computed once, written here).
#include "text/minhash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include <xxhash.h>

#include "text/simplify.h"
#include "text/word_tokenizer.h"

namespace strata::text {
namespace {

TEST(MinHash, PermutationsAreNumpysRandomStateOne) {
  // np.random.RandomState(1).randint(1, 2**61 - 1, dtype=np.uint64, size=(1, 112)),
  // then the same with 0 as the low bound.
  const MinHasher h{MinHashConfig()};
  ASSERT_EQ(h.a().size(), 112u);
  EXPECT_EQ(h.a()[0], 775169054918279404ull);
  EXPECT_EQ(h.a()[1], 1758426461858698313ull);
  EXPECT_EQ(h.a()[2], 2109959069025162ull);
  EXPECT_EQ(h.a()[111], 223865076026037746ull);
  EXPECT_EQ(h.b()[0], 1062448801025099917ull);
  EXPECT_EQ(h.b()[1], 1324811268927594100ull);
  EXPECT_EQ(h.b()[2], 1217488311597731462ull);
  EXPECT_EQ(h.b()[111], 1097409548522419201ull);
}

TEST(MinHash, SignatureEqualsDatatrovesArithmetic) {
  const MinHasher h{MinHashConfig()};
  // simplify_text leaves this text as it is; its words are its 5-grams' words.
  const std::vector<uint64_t> sig = h.Signature("the quick brown fox jumps over the lazy dog again and again");
  ASSERT_EQ(sig.size(), 112u);
  EXPECT_EQ(sig[0], 85330943174081874ull);
  EXPECT_EQ(sig[1], 366011346326592937ull);
  EXPECT_EQ(sig[2], 302227827184868053ull);
  EXPECT_EQ(sig[3], 34440879854629237ull);
  EXPECT_EQ(sig[111], 3963570588256049ull);
  // Case, punctuation and spacing do not change it (simplify_text).
  EXPECT_EQ(h.Signature("The QUICK brown fox,  jumps over the lazy dog... again and again!"), sig);
}

TEST(MinHash, NearDuplicatesShareMostValuesShortDocumentsHaveNone) {
  const MinHasher h{MinHashConfig()};
  std::string base;  // 60 different words (digits would all simplify to "0")
  for (int i = 0; i < 60; ++i) {
    base += 'w';
    base += static_cast<char>('a' + i % 26);
    base += static_cast<char>('a' + i / 26);
    base += ' ';
  }
  const std::string edited = base + "one more sentence at the end";
  const auto x = h.Signature(base), y = h.Signature(edited);
  size_t same = 0;
  for (size_t i = 0; i < x.size(); ++i) same += x[i] == y[i];
  EXPECT_GT(same, 80u);  // Jaccard of their 5-gram sets is ~0.9
  EXPECT_TRUE(h.Signature("only four words here").empty());
  EXPECT_TRUE(h.Signature("").empty());
}

// The signature the formulas give, computed the plain way: joined 5-grams,
// a % of the wrapped 64-bit product and sum, a minimum per permutation.
std::vector<uint64_t> PlainSignature(const MinHasher& h, std::string_view text) {
  const std::string simple = SimplifyText(text);
  const WordList words = TokenizeWords(simple);
  if (words.size() < 5) return {};
  std::vector<uint64_t> minima(h.a().size(), UINT64_MAX);
  for (size_t i = 0; i + 5 <= words.size(); ++i) {
    std::string gram(words.At(i));
    for (size_t k = 1; k < 5; ++k) gram += " " + std::string(words.At(i + k));
    const uint64_t x = XXH64(gram.data(), gram.size(), 0);
    for (size_t j = 0; j < minima.size(); ++j) minima[j] = std::min(minima[j], (x * h.a()[j] + h.b()[j]) % kMersennePrime61);
  }
  return minima;
}

// The vectorized fold (eight permutations at a time, hashes streaming past)
// against the plain arithmetic, on documents of every length up to 300 words.
TEST(MinHash, FastSignatureEqualsThePlainFormulas) {
  const MinHasher h{MinHashConfig()};
  std::mt19937 random(7);
  for (int doc = 0; doc < 200; ++doc) {
    std::string text;
    const int words = static_cast<int>(random() % 300);
    for (int w = 0; w < words; ++w) {
      const int len = 1 + static_cast<int>(random() % 9);
      for (int c = 0; c < len; ++c) text += static_cast<char>('a' + random() % 6);
      text += (random() % 10 == 0) ? ". " : " ";
    }
    ASSERT_EQ(h.Signature(text), PlainSignature(h, text)) << text;
  }
}

}  // namespace
}  // namespace strata::text
