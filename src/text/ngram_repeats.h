// The n-gram statistics of datatrove's repetition filter over one
// document's words: find_top_duplicate (the most common n-gram's length
// times its count) and find_all_duplicate (the length of repeated n-grams,
// the scan jumping past each). Words become 64-bit ids with prefix sums, so
// an n-gram is compared by a polynomial hash of its words' ids (O(1) per
// window), not by joined strings; a false match needs a 64-bit collision
// among one document's n-grams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "text/word_list.h"

namespace strata::text {

class NGramRepeats {
 public:
  // A new document's words; `valid_utf8`: the document is valid UTF-8 (a
  // word's length in code points is its count of bytes that start one).
  // Buffers are kept from one document to the next: one object per thread.
  void Reset(const Words& words, bool valid_utf8);

  // Counter(" ".join(n-gram)).most_common(1): the top n-gram's length (with
  // its spaces) times its count; ties go to the n-gram seen first.
  size_t TopChars(size_t n);

  // find_all_duplicate: n-grams joined without spaces; a repeated one counts
  // its length and the scan jumps past it. Once the rule has failed
  // (repeated / length > frac) the rest cannot change that: the scan stops.
  size_t DuplicateChars(size_t n, double frac, double length);

 private:
  // The n-grams that occur at least twice, n by n. An n-gram repeats only
  // where its first n-1 words do, so the count for n looks only at the
  // positions found for a shorter n: past n = 3 few are left, and the
  // filter's nine passes over every word (top 2..4-grams, duplicated
  // 5..10-grams) shrink to about two.
  struct Level {
    bool counted = false;
    std::vector<uint32_t> repeated;  // ascending: where an n-gram occurring twice or more starts
    size_t top_count = 0, top_first = 0;
  };
  const Level& Up(size_t n);
  void Count(const Level& shorter, size_t n, Level* level);
  uint64_t GramHash(size_t i, size_t n) const;
  size_t GramChars(size_t i, size_t n) const { return chars_before_[i + n] - chars_before_[i]; }

  std::vector<uint64_t> id_;
  std::vector<uint64_t> prefix_;        // prefix_[k]: hash of words [0, k)
  std::vector<uint64_t> chars_before_;  // code points of words [0, k)
  std::vector<Level> levels_;           // levels_[n]: n-grams; [0] is every position
};

}  // namespace strata::text
