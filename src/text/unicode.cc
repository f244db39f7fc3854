#include "text/unicode.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <utf8proc.h>

#include "common/byte_set.h"
#include "data/json_text.h"

namespace strata::text {

char32_t NextCodePointSlow(std::string_view s, size_t* i) {
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + *i),
                                              static_cast<utf8proc_ssize_t>(s.size() - *i), &cp);
  if (n <= 0) {
    ++*i;
    return 0xFFFD;
  }
  *i += static_cast<size_t>(n);
  return static_cast<char32_t>(cp);
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
    return;
  }
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

// utf8proc_iterate accepts exactly strict UTF-8 (no overlong forms,
// surrogates or code points past U+10FFFF): the data layer's check is the same.
bool IsValidUtf8(std::string_view s) { return data::IsStrictUtf8(s); }

size_t CodePoints(std::string_view s) {
  const size_t ascii = AsciiPrefix(s);  // ASCII, nearly always: one code point per byte
  if (ascii == s.size()) return ascii;
  // Valid UTF-8 (the rest, mostly): one code point per byte that does not
  // continue one, counted eight bytes at a time.
  if (const std::string_view rest = s.substr(ascii); IsValidUtf8(rest)) {
    size_t continuing = 0, i = 0;
    for (; i + 8 <= rest.size(); i += 8) {
      const uint64_t x = swar::Load(rest.data() + i);
      continuing += swar::CountFlags(swar::ExactZero((x & (swar::kOnes * 0xC0)) ^ (swar::kOnes * 0x80)));
    }
    for (; i < rest.size(); ++i) continuing += (static_cast<unsigned char>(rest[i]) & 0xC0) == 0x80;
    return s.size() - continuing;
  }
  size_t n = ascii;
  for (size_t i = ascii; i < s.size();) {
    NextCodePoint(s, &i);
    ++n;
  }
  return n;
}

namespace {
utf8proc_category_t Category(char32_t c) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}
}  // namespace

bool IsAlphaSlow(char32_t c) {
  const auto k = Category(c);
  return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

bool IsWordCharSlow(char32_t c) {
  const auto k = Category(c);
  return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
         (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}

bool IsDecimal(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return Category(c) == UTF8PROC_CATEGORY_ND;
}

bool IsSpaceSlow(char32_t c) {
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsLineBreakSlow(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0x85 ||
         c == 0x2028 || c == 0x2029;
}

bool IsPunctuation(char32_t c) {
  const auto k = Category(c);
  return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

bool IsSymbol(char32_t c) {
  const auto k = Category(c);
  return k >= UTF8PROC_CATEGORY_SM && k <= UTF8PROC_CATEGORY_SO;
}

bool IsUpper(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  return Category(c) == UTF8PROC_CATEGORY_LU || Category(c) == UTF8PROC_CATEGORY_LT;
}

char32_t ToLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
}

std::string_view LStrip(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t next = i;
    if (!IsSpace(NextCodePoint(s, &next))) break;
    i = next;
  }
  return s.substr(i);
}

std::string_view RStrip(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    const auto b = static_cast<unsigned char>(s[end - 1]);
    if (b < 0x80) {
      if (!IsSpace(b)) break;
      --end;
      continue;
    }
    // The start of the last character; a malformed one is not a space.
    size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t i = start;
    const char32_t c = NextCodePoint(s, &i);
    if (i != end || !IsSpace(c)) break;
    end = start;
  }
  return s.substr(0, end);
}

std::string_view Strip(std::string_view s) { return RStrip(LStrip(s)); }

std::string Lower(std::string_view s) {
  std::string out;
  LowerInto(s, &out);
  return out;
}

void LowerInto(std::string_view s, std::string* into) {
  std::string& out = *into;
  const size_t ascii = AsciiPrefix(s);
  out.assign(s.substr(0, ascii));
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (ascii == s.size()) return;
  out.reserve(s.size());
  for (size_t i = ascii; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
      ++i;
      continue;
    }
    AppendUtf8(ToLower(NextCodePoint(s, &i)), &out);
  }
}

namespace {
constexpr ByteSet kAsciiSpace("\t\n\v\f\r\x1C\x1D\x1E\x1F ");  // Python's ASCII spaces
constexpr ByteSet kBeyondAscii = ByteSet::Of([](unsigned char b) { return b >= 0x80; });
}  // namespace

size_t CountChunks(std::string_view s) {
  size_t chunks = 0;
  bool in_chunk = false;
  for (size_t i = 0; i < s.size();) {
    // The ASCII bytes from i on, up to 64, at once: a chunk starts at each
    // non-space byte after a space (or after the text's start).
    const uint64_t beyond = kBeyondAscii.Mask(s, i);
    const size_t ascii = beyond != 0 ? static_cast<size_t>(std::countr_zero(beyond)) : std::min<size_t>(64, s.size() - i);
    if (ascii > 0) {
      const uint64_t inside = ascii == 64 ? ~uint64_t{0} : (uint64_t{1} << ascii) - 1;
      const uint64_t others = ~kAsciiSpace.Mask(s, i) & inside;
      const uint64_t starts = others & ~(others << 1 | static_cast<uint64_t>(in_chunk));
      chunks += static_cast<size_t>(std::popcount(starts));
      in_chunk = (others >> (ascii - 1) & 1) != 0;
      i += ascii;
      continue;
    }
    const bool space = IsSpace(NextCodePoint(s, &i));
    chunks += !space && !in_chunk;
    in_chunk = !space;
  }
  return chunks;
}

bool IsAscii(std::string_view s) { return AsciiPrefix(s) == s.size(); }

std::string ReplaceInvalidUtf8(std::string_view s, std::string_view with) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t at = i;
    // A decoded U+FFFD that is not the three bytes of one is a bad byte.
    if (NextCodePoint(s, &i) == 0xFFFD && s.compare(at, i - at, "\xEF\xBF\xBD") != 0) {
      out.append(with);
    } else {
      out.append(s, at, i - at);
    }
  }
  return out;
}

size_t CountOf(std::string_view s, std::string_view needle) {
  if (needle.empty()) return 0;
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string_view::npos; at = s.find(needle, at + needle.size())) ++n;
  return n;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

}  // namespace strata::text
