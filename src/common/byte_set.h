// A set of byte values, and where its members stand in 64 bytes of text at
// once, as a bit mask. A scanner that stops at every word (the tokenizers
// stop at each space) loses most of its time to the branch that ends each
// short scan; walking the set bits of one mask per 64 bytes leaves a single
// hard-to-predict branch per 64 bytes instead.
//
// With AVX2 the mask costs a few instructions per 32 bytes: a byte's low and
// high nibbles index two 16-entry tables whose AND is non-zero exactly for
// members (simdjson's classification), which works when the high nibbles
// that hold members fall into at most eight groups with equal low-nibble
// sets. Other sets, and machines without AVX2, take a table per byte.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata {

class ByteSet {
 public:
  // The set of these bytes.
  constexpr explicit ByteSet(std::string_view members) {
    for (const char c : members) member_[static_cast<unsigned char>(c)] = true;
    BuildNibbleTables();
  }
  // The set of the bytes for which pred(b) holds.
  template <typename Pred>
  static constexpr ByteSet Of(Pred pred) {
    ByteSet s{std::string_view()};
    for (int b = 0; b < 256; ++b) s.member_[static_cast<size_t>(b)] = pred(static_cast<unsigned char>(b));
    s.BuildNibbleTables();
    return s;
  }

  constexpr bool Has(unsigned char b) const { return member_[b]; }
  // Whether the nibble tables classify this set exactly (AVX2 can be used).
  constexpr bool ByNibbles() const { return by_nibbles_; }

  // Bit k set where s[from + k] is a member, for the up to 64 bytes from
  // `from` on (bits past the end of `s` are clear). Reads only bytes of s:
  // near its end, the last 64 (or a copy, when s is shorter).
  uint64_t Mask(std::string_view s, size_t from) const;
  // Where the first member stands from `from` on (s.size() if none).
  size_t Find(std::string_view s, size_t from) const {
    for (; from < s.size(); from += 64) {
      if (const uint64_t m = Mask(s, from); m != 0) return from + static_cast<size_t>(__builtin_ctzll(m));
    }
    return s.size();
  }
  // Mask by the per-byte table (what machines without AVX2 use; tests
  // compare the two).
  uint64_t MaskByTable(const char* p, size_t n) const;

 private:
  constexpr void BuildNibbleTables() {
    std::array<uint16_t, 16> lows_of_high{};  // bit l: byte (h << 4 | l) is a member
    for (size_t b = 0; b < 256; ++b) {
      if (member_[b]) lows_of_high[b >> 4] = static_cast<uint16_t>(lows_of_high[b >> 4] | 1u << (b & 15));
    }
    std::array<uint16_t, 8> groups{};  // the distinct low-nibble sets, one bit each
    size_t used = 0;
    low_ = {};
    high_ = {};
    for (size_t h = 0; h < 16; ++h) {
      if (lows_of_high[h] == 0) continue;
      size_t g = 0;
      while (g < used && groups[g] != lows_of_high[h]) ++g;
      if (g == used) {
        if (used == groups.size()) {
          by_nibbles_ = false;
          return;
        }
        groups[used++] = lows_of_high[h];
      }
      high_[h] = static_cast<uint8_t>(high_[h] | 1u << g);
    }
    for (size_t g = 0; g < used; ++g) {
      for (size_t l = 0; l < 16; ++l) {
        if ((groups[g] >> l & 1) != 0) low_[l] = static_cast<uint8_t>(low_[l] | 1u << g);
      }
    }
    by_nibbles_ = true;
  }

  std::array<bool, 256> member_{};
  std::array<uint8_t, 16> low_{}, high_{};  // by low and by high nibble: AND non-zero for members
  bool by_nibbles_ = false;
};

}  // namespace strata
