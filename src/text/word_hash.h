// A 64-bit hash of a word for the text operators' own tables (not a format
// anyone reads back): a word of up to 16 bytes, nearly all, is read as two
// masked 8-byte loads and mixed, not hashed length by length (XXH3's short
// paths branch on the length, and word lengths do not predict). `end` is
// where the buffer holding the word ends: within 16 bytes of it the word is
// copied out first (the same hash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace strata::text {

namespace word_hash {

constexpr uint64_t Mask(size_t bytes) { return bytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1; }

struct Masks {
  uint64_t low[17], high[17];
  constexpr Masks() : low(), high() {
    for (size_t n = 0; n <= 16; ++n) {
      low[n] = Mask(n);
      high[n] = n <= 8 ? 0 : Mask(n - 8);
    }
  }
};
inline constexpr Masks kMasks;

inline uint64_t Mix(uint64_t a, uint64_t b, size_t n) {
  uint64_t h = (a ^ 0x9E3779B97F4A7C15ull) * 0xBF58476D1CE4E5B9ull;
  h ^= ((b ^ 0x94D049BB133111EBull) * 0xD6E8FEB86659FD93ull) + n;
  h ^= h >> 31;
  h *= 0x9FB21C651E98DF25ull;
  return h ^ (h >> 29);
}

uint64_t HashLong(const char* p, size_t n);  // XXH3, past 16 bytes

}  // namespace word_hash

inline uint64_t HashWord(const char* p, size_t n, const char* end) {
  if (n > 16) return word_hash::HashLong(p, n);
  uint64_t a, b;
  if (end - p >= 16) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
  } else {
    char buffer[16] = {};
    std::memcpy(buffer, p, n);
    std::memcpy(&a, buffer, 8);
    std::memcpy(&b, buffer + 8, 8);
  }
  return word_hash::Mix(a & word_hash::kMasks.low[n], b & word_hash::kMasks.high[n], n);
}

}  // namespace strata::text
