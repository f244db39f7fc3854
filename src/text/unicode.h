// Code points and the character classes the text operators share, with
// Python's meanings (the rules they reproduce are written in Python):
// `\w`, `\d`, `\s`, str.isalpha, str.splitlines and len() in code points.
// Invalid UTF-8 decodes as U+FFFD, one byte at a time — never an error.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/byte_set.h"
#include "common/swar.h"
#include "data/json_text.h"

namespace strata::text {

// The code point at s[*i]; advances *i past it.
char32_t NextCodePointSlow(std::string_view s, size_t* i);
inline char32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto b = static_cast<unsigned char>(s[*i]);
  if (b < 0x80) {
    ++*i;
    return b;
  }
  return NextCodePointSlow(s, i);
}
void AppendUtf8(char32_t c, std::string* out);
size_t CodePoints(std::string_view s);
// The length of the longest all-ASCII prefix (the data layer's).
using data::AsciiPrefix;

bool IsAlphaSlow(char32_t c);
bool IsWordCharSlow(char32_t c);
bool IsSpaceSlow(char32_t c);
inline bool IsAsciiAlpha(char32_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
// str.isalpha: categories L*
inline bool IsAlpha(char32_t c) { return c < 0x80 ? IsAsciiAlpha(c) : IsAlphaSlow(c); }
// re's \w: L*, N*, '_'
inline bool IsWordChar(char32_t c) {
  return c < 0x80 ? IsAsciiAlpha(c) || (c >= '0' && c <= '9') || c == '_' : IsWordCharSlow(c);
}
bool IsDecimal(char32_t c);    // re's \d: Nd
// re's \s, str.isspace, str.split()
inline bool IsSpace(char32_t c) {
  return c < 0x80 ? c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) : IsSpaceSlow(c);
}
bool IsLineBreakSlow(char32_t c);
// Where str.splitlines() splits.
inline bool IsLineBreak(char32_t c) {
  return c < 0x80 ? c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E)
                  : IsLineBreakSlow(c);
}
bool IsPunctuation(char32_t c);  // Unicode category P*
bool IsSymbol(char32_t c);       // Unicode category S*
bool IsUpper(char32_t c);
char32_t ToLower(char32_t c);

// Python's str.strip(), str.lower(), str.splitlines(), str.split().
std::string_view Strip(std::string_view s);
std::string_view LStrip(std::string_view s);
std::string_view RStrip(std::string_view s);
std::string Lower(std::string_view s);
void LowerInto(std::string_view s, std::string* out);  // the same, into a reused buffer
template <class F>
void ForEachLine(std::string_view s, F&& f);  // splitlines(): no empty last line
template <class F>
void ForEachWord(std::string_view s, F&& f);  // split(): runs of non-space
template <class F>
void ForEachWordUntil(std::string_view s, F&& f);  // the same while f(word) is true

// len(s.split()): runs of non-space characters.
size_t CountChunks(std::string_view s);

bool IsAscii(std::string_view s);
// Every byte part of a code point NextCodePoint decodes (no U+FFFD made up).
bool IsValidUtf8(std::string_view s);
// `s` with every byte that is not part of valid UTF-8 replaced by `with`
// (U+FFFD, or "" to drop them).
std::string ReplaceInvalidUtf8(std::string_view s, std::string_view with);

// Non-overlapping occurrences, as str.count.
size_t CountOf(std::string_view s, std::string_view needle);
bool StartsWith(std::string_view s, std::string_view p);
bool EndsWith(std::string_view s, std::string_view p);

// The bytes a line break can start with: the ASCII ones, and the lead bytes
// of U+0085 (C2) and U+2028/U+2029 (E2). Any other byte is stepped over: it
// starts no break, and a valid multi-byte character holds none of these.
inline constexpr ByteSet kMayStartLineBreak("\x0A\x0B\x0C\x0D\x1C\x1D\x1E\xC2\xE2");
static_assert(kMayStartLineBreak.ByNibbles());

// Only where a byte may start a break is a character decoded: a mask of
// those per 64 bytes, its bits walked (lines are long, breaks few).
template <class F>
void ForEachLine(std::string_view s, F&& f) {
  size_t start = 0, i = 0;  // i: the first byte not yet decoded
  for (size_t base = 0; base < s.size(); base += 64) {
    for (uint64_t may = kMayStartLineBreak.Mask(s, base); may != 0;
         may &= may - 1) {
      const size_t at = base + static_cast<size_t>(__builtin_ctzll(may));
      if (at < i) continue;  // inside the character or the \r\n just taken
      i = at;
      const char32_t c = NextCodePoint(s, &i);
      if (!IsLineBreak(c)) continue;
      f(s.substr(start, at - start));
      if (c == '\r' && i < s.size() && s[i] == '\n') ++i;
      start = i;
    }
  }
  if (start < s.size()) f(s.substr(start));
}

template <class F>
void ForEachWordUntil(std::string_view s, F&& f) {
  size_t i = 0, start = std::string_view::npos;
  while (i < s.size()) {
    const size_t at = i;
    const char32_t c = NextCodePoint(s, &i);
    if (IsSpace(c)) {
      if (start != std::string_view::npos && !f(s.substr(start, at - start))) return;
      start = std::string_view::npos;
    } else if (start == std::string_view::npos) {
      start = at;
    }
  }
  if (start != std::string_view::npos) f(s.substr(start));
}

template <class F>
void ForEachWord(std::string_view s, F&& f) {
  ForEachWordUntil(s, [&](std::string_view w) {
    f(w);
    return true;
  });
}

}  // namespace strata::text
