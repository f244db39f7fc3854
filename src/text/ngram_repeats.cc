#include "text/ngram_repeats.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "common/swar.h"
#include "text/unicode.h"
#include "text/word_hash.h"

namespace strata::text {

namespace {

constexpr uint64_t kBase = 0x100000001B3ull * 2 + 1;  // odd: invertible mod 2^64

// A word's hash (HashWord's) and its length in code points. A word of up
// to 16 bytes (nearly every one) of a text in valid UTF-8 takes both from
// the same two loads, without a branch on its length: one code point per
// byte that does not continue one.
struct WordKey {
  uint64_t hash;
  size_t chars;
};
WordKey KeyOf(std::string_view w, const char* end, bool valid_utf8) {
  const size_t n = w.size();
  if (n <= 16 && end - w.data() >= 16 && valid_utf8) [[likely]] {
    const uint64_t a = swar::Load(w.data()) & word_hash::kMasks.low[n];
    const uint64_t b = swar::Load(w.data() + 8) & word_hash::kMasks.high[n];
    auto continuing = [](uint64_t x) { return swar::ExactZero((x & (swar::kOnes * 0xC0)) ^ (swar::kOnes * 0x80)); };
    // Both halves' flags summed byte by byte (at most 2 each) in one count.
    const uint64_t per_byte = (continuing(a) >> 7) + (continuing(b) >> 7);
    return {word_hash::Mix(a, b, n), n - static_cast<size_t>((per_byte * swar::kOnes) >> 56)};
  }
  return {HashWord(w.data(), n, end), CodePoints(w)};
}

// kBase^n (n-grams are short: a table for the usual lengths).
uint64_t Power(size_t n) {
  static const auto kPowers = [] {
    std::array<uint64_t, 64> p{};
    p[0] = 1;
    for (size_t k = 1; k < p.size(); ++k) p[k] = p[k - 1] * kBase;
    return p;
  }();
  if (n < kPowers.size()) return kPowers[n];
  uint64_t p = kPowers.back();
  for (size_t k = kPowers.size() - 1; k < n; ++k) p *= kBase;
  return p;
}

// An open-addressing table of n-gram hashes, reused between documents (one
// per thread): counting n-grams is the repetition filter's main cost.
class GramTable {
 public:
  struct Slot {
    uint64_t key = 0;
    uint32_t count = 0;  // meaningful only when `generation` is the table's
    uint32_t first = 0;  // where the n-gram was first seen
    uint32_t generation = 0;
  };
  // Empties the table for `items` n-grams: a new generation, not a fill.
  void Reset(size_t items) {
    size_t want = 16;
    while (want < items * 2) want <<= 1;
    if (slots_.size() < want || ++generation_ == 0) {
      slots_.assign(std::max(want, slots_.size()), Slot());
      generation_ = 1;
    }
    mask_ = slots_.size() - 1;
  }
  // The n-gram's slot: count 0 if new (the caller fills it in).
  Slot& Find(uint64_t key) {
    size_t i = (key * 0x9E3779B97F4A7C15ull) >> 20 & mask_;
    while (slots_[i].generation == generation_ && slots_[i].key != key) i = (i + 1) & mask_;
    Slot& slot = slots_[i];
    if (slot.generation != generation_) {
      slot.generation = generation_;
      slot.key = key;
      slot.count = 0;
    }
    return slot;
  }

 private:
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  uint32_t generation_ = 0;
};

GramTable& Table() {
  thread_local GramTable table;
  return table;
}

}  // namespace

void NGramRepeats::Reset(const Words& words, bool valid_utf8) {
  const size_t n = words.size();
  id_.resize(n);
  prefix_.resize(n + 1);
  chars_before_.resize(n + 1);
  // Running sums in registers: through the vectors, each word's would be
  // read back after the stores before it.
  uint64_t* __restrict id = id_.data();
  uint64_t* __restrict prefix = prefix_.data();
  uint64_t* __restrict chars_before = chars_before_.data();
  uint64_t hash_so_far = 0, chars_so_far = 0;
  prefix[0] = chars_before[0] = 0;
  const auto text_begin = reinterpret_cast<uintptr_t>(words.text().data());
  const auto text_end = text_begin + words.text().size();
  for (size_t k = 0; k < n; ++k) {
    const std::string_view word = words[k];
    const auto at = reinterpret_cast<uintptr_t>(word.data());
    const bool in_text = at >= text_begin && at + word.size() <= text_end;
    // The words the rules rewrite (`` and '') are ASCII.
    const WordKey key = KeyOf(word, reinterpret_cast<const char*>(in_text ? text_end : at + word.size()), valid_utf8);
    id[k] = key.hash;
    prefix[k + 1] = hash_so_far = hash_so_far * kBase + key.hash;
    chars_before[k + 1] = chars_so_far += key.chars;
  }
  for (Level& l : levels_) l.counted = false;
  if (levels_.empty()) levels_.resize(1);
  Level& every = levels_[0];
  every.repeated.resize(n);
  for (size_t i = 0; i < n; ++i) every.repeated[i] = static_cast<uint32_t>(i);
  every.counted = true;
}

inline uint64_t NGramRepeats::GramHash(size_t i, size_t n) const {
  const uint64_t h = prefix_[i + n] - prefix_[i] * Power(n);
  return (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull + n;
}

size_t NGramRepeats::TopChars(size_t n) {
  if (id_.size() < n) return 0;
  const Level& level = Up(n);
  if (level.top_count < 2) return GramChars(0, n) + n - 1;  // all once: the first
  return (GramChars(level.top_first, n) + n - 1) * level.top_count;
}

// Only repeating n-grams can be found again, so the scan visits just those
// (any other is new, a step of one).
size_t NGramRepeats::DuplicateChars(size_t n, double frac, double length) {
  if (id_.size() < n) return 0;
  const std::vector<uint32_t>& at = Up(n).repeated;
  GramTable& table = Table();
  table.Reset(at.size());
  size_t repeated = 0, i = 0;
  for (const uint32_t j : at) {
    if (j < i) continue;  // inside a repeat just counted
    i = j;
    GramTable::Slot& slot = table.Find(GramHash(i, n));
    if (slot.count != 0) {
      repeated += GramChars(i, n);
      if (static_cast<double>(repeated) / length > frac) return repeated;
      i += n;
    } else {
      slot.count = 1;
      ++i;
    }
  }
  return repeated;
}

// Counted from the longest shorter level already counted: its positions
// hold every repeating n-gram's (a repeat's prefix repeats too).
const NGramRepeats::Level& NGramRepeats::Up(size_t n) {
  if (levels_.size() <= n) levels_.resize(n + 1);
  if (!levels_[n].counted) {
    size_t shorter = n - 1;
    while (!levels_[shorter].counted) --shorter;
    Count(levels_[shorter], n, &levels_[n]);
  }
  return levels_[n];
}

// Most n-grams of a document occur once (the 2-gram at 94% of the bench
// corpus's word positions). Two passes over bit sets of their hashes, small enough for the
// first-level cache, find the ones that may occur again (hash bits seen
// twice); only those are counted exactly in the table, which is the
// costly part (a random access per n-gram).
void NGramRepeats::Count(const Level& shorter, size_t n, Level* level) {
  thread_local std::vector<uint32_t> at;    // the positions counted
  thread_local std::vector<uint64_t> keys;  // their n-grams' hashes
  at.clear();
  keys.clear();
  for (const uint32_t i : shorter.repeated) {
    if (i + n > id_.size()) break;
    at.push_back(i);
    keys.push_back(GramHash(i, n));
  }
  if (at.size() >= 256) {
    thread_local std::vector<uint64_t> once, twice;
    size_t bits = 64;
    while (bits < at.size() * 16) bits <<= 1;
    once.assign(bits / 64, 0);
    twice.assign(bits / 64, 0);
    for (const uint64_t key : keys) {
      const size_t b = key & (bits - 1);
      const uint64_t bit = uint64_t{1} << (b & 63);
      twice[b >> 6] |= once[b >> 6] & bit;
      once[b >> 6] |= bit;
    }
    size_t kept = 0;
    for (size_t k = 0; k < at.size(); ++k) {
      const size_t b = keys[k] & (bits - 1);
      if ((twice[b >> 6] >> (b & 63) & 1) == 0) continue;  // its hash occurs once: so does it
      at[kept] = at[k];
      keys[kept] = keys[k];
      ++kept;
    }
    at.resize(kept);
    keys.resize(kept);
  }
  GramTable& table = Table();
  table.Reset(at.size());
  thread_local std::vector<GramTable::Slot*> slot_of;
  slot_of.clear();
  // Every n-gram left out occurs once: the top count is 1 if none here
  // occurs twice (TopChars then takes the document's first n-gram).
  level->top_count = level->top_first = 0;
  for (size_t k = 0; k < at.size(); ++k) {
    GramTable::Slot& slot = table.Find(keys[k]);
    if (slot.count == 0) slot.first = at[k];
    const size_t c = ++slot.count;
    if (c > level->top_count || (c == level->top_count && slot.first < level->top_first)) {
      level->top_count = c;
      level->top_first = slot.first;
    }
    slot_of.push_back(&slot);
  }
  level->repeated.clear();
  for (size_t k = 0; k < slot_of.size(); ++k) {
    if (slot_of[k]->count >= 2) level->repeated.push_back(at[k]);
  }
  level->counted = true;
}

}  // namespace strata::text
