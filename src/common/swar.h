// Eight bytes at a time in a 64-bit word ("SIMD within a register"): the
// text scanners step over runs of bytes none of which concerns them. Each
// test below flags (high bit of the byte) every byte that matches; it may
// also flag a byte above a match (a borrow), never miss one, so a caller
// takes the lowest flag as a candidate and checks it byte by byte.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace strata::swar {

static_assert(std::endian::native == std::endian::little, "byte k of a loaded word is bits 8k..8k+7");

inline constexpr uint64_t kOnes = 0x0101010101010101ull;
inline constexpr uint64_t kHighs = 0x8080808080808080ull;

inline uint64_t Load(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);  // little-endian: byte k is bits 8k..8k+7
  return x;
}

// Bytes equal to zero.
inline uint64_t Zero(uint64_t x) { return (x - kOnes) & ~x & kHighs; }
// Bytes equal to `c`.
inline uint64_t Equal(uint64_t x, unsigned char c) { return Zero(x ^ (kOnes * c)); }
// Bytes below `n` (n at most 0x80; bytes from 0x80 up are never flagged).
inline uint64_t Below(uint64_t x, unsigned char n) { return (x - kOnes * n) & ~x & kHighs; }
// Bytes from 0x80 up.
inline uint64_t NonAscii(uint64_t x) { return x & kHighs; }

// Exact tests, for counting: no flag but on a match.
// Bytes equal to zero.
inline uint64_t ExactZero(uint64_t x) { return ~(((x & ~kHighs) + ~kHighs) | x) & kHighs; }
// Of eight ASCII bytes (x & kHighs == 0), those from `n` up (n at most 0x80):
// with each byte's high bit set first, no subtraction borrows from the next.
inline uint64_t AsciiAtLeast(uint64_t x, unsigned char n) { return ((x | kHighs) - kOnes * n) & kHighs; }

// Range tests on top of it, likewise exact only for ASCII bytes (callers
// test NonAscii first): low..high, letters (either case), digits.
inline uint64_t AsciiInRange(uint64_t x, unsigned char low, unsigned char high) {
  return AsciiAtLeast(x, low) & ~AsciiAtLeast(x, static_cast<unsigned char>(high + 1));
}
inline uint64_t AsciiLetters(uint64_t x) { return AsciiInRange(x | (kOnes * 0x20), 'a', 'z'); }
inline uint64_t AsciiDigits(uint64_t x) { return AsciiInRange(x, '0', '9'); }

// The flags of the first n (at most 8) bytes of a loaded word.
inline uint64_t FirstBytes(size_t n) { return n >= 8 ? kHighs : kHighs & ((uint64_t{1} << (8 * n)) - 1); }

// How many bytes are flagged (by an exact test): the high bits gathered by
// a multiply (baseline x86-64 has no popcount instruction).
inline unsigned CountFlags(uint64_t flags) { return static_cast<unsigned>(((flags >> 7) * kOnes) >> 56); }

// The index (0-7) of the lowest flagged byte of a non-zero mask.
inline unsigned Lowest(uint64_t flags) { return static_cast<unsigned>(__builtin_ctzll(flags)) >> 3; }

// How many bytes from s[from] on are printable ASCII other than space
// (0x21-0x7E): text that needs no work in most text passes.
inline size_t PrintableRun(std::string_view s, size_t from) {
  size_t i = from;
  for (; i + 8 <= s.size(); i += 8) {
    const uint64_t x = Load(s.data() + i);
    const uint64_t stops = NonAscii(x) | (kHighs & ~AsciiInRange(x, 0x21, 0x7E));
    if (stops != 0) return i + Lowest(stops) - from;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) - 0x21u < 0x5Eu) ++i;
  return i - from;
}

}  // namespace strata::swar
