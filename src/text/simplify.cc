#include "text/simplify.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>

#include <utf8proc.h>

#include "common/byte_set.h"
#include "text/quality_rules.h"  // IsSymbolChar: datatrove's PUNCTUATION
#include "text/unicode.h"

namespace strata::text {

namespace {

constexpr ByteSet kNotLetterOrSpace =
    ByteSet::Of([](unsigned char b) { return !(static_cast<unsigned char>(b | 0x20) - 'a' < 26u) && b != ' '; });
constexpr ByteSet kSpace(" ");
static_assert(kNotLetterOrSpace.ByNibbles());

// Any text in one pass, code point by code point: lowercased, spaces
// collapsed (a run becomes one space before punctuation goes, so "a , b"
// keeps two; digits separated only by removed punctuation are one run,
// "1,234"), punctuation dropped, then each character's canonical
// decomposition without its nonspacing marks, digit runs to "0". The steps'
// NFD also reorders combining marks across characters; every mark it moves
// is dropped afterwards unless it is a non-Mn mark with a combining class,
// so such a text (none in ordinary writing) returns false and takes the steps.
bool SimplifyOnePass(std::string_view text, std::string* out) {
  text = Strip(text);
  out->clear();
  out->reserve(text.size());
  bool pending_space = false, in_digits = false;
  utf8proc_int32_t parts[32];
  for (size_t i = 0; i < text.size();) {
    // A stretch of ASCII letters and single spaces (most of English) that
    // starts with a letter, up to 64 bytes: lowercased at once, a space
    // before it if one is pending, a last space left pending as the steps
    // below would.
    if (static_cast<unsigned char>(text[i] | 0x20) - 'a' < 26u) {
      const uint64_t others = kNotLetterOrSpace.Mask(text, i);
      const uint64_t spaces = kSpace.Mask(text, i);
      const uint64_t doubled = spaces & spaces >> 1;  // a space with another after it
      const uint64_t stops = others | doubled;
      const size_t window = std::min<size_t>(64, text.size() - i);
      const size_t length = stops != 0 ? static_cast<size_t>(std::countr_zero(stops)) : window;
      if (pending_space) out->push_back(' ');
      const bool space_last = (spaces >> (length - 1) & 1) != 0;
      const size_t kept = length - space_last;
      const size_t at = out->size();
      out->append(text, i, kept);
      for (size_t k = at; k < at + kept; ++k) (*out)[k] = static_cast<char>((*out)[k] | 0x20);  // letters and spaces only
      pending_space = space_last;
      in_digits = false;
      i += length;
      continue;
    }
    const auto b = static_cast<unsigned char>(text[i]);
    char32_t c;
    if (b < 0x80) {
      ++i;
      c = b >= 'A' && b <= 'Z' ? b + 32 : b;
    } else {
      c = ToLower(NextCodePoint(text, &i));
    }
    if (IsSpace(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) {
      out->push_back(' ');
      pending_space = false;
      in_digits = false;
    }
    if (IsSymbolChar(c)) continue;
    if (c < 0x80) {
      if (c >= '0' && c <= '9') {
        if (!in_digits) out->push_back('0');
        in_digits = true;
      } else {
        in_digits = false;
        out->push_back(static_cast<char>(c));
      }
      continue;
    }
    int last_boundclass = 0;
    const utf8proc_ssize_t n =
        utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), parts, 32,
                                static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE), &last_boundclass);
    if (n < 0 || n > 32) return false;
    for (utf8proc_ssize_t k = 0; k < n; ++k) {
      const utf8proc_property_t* prop = utf8proc_get_property(parts[k]);
      if (prop->category == UTF8PROC_CATEGORY_MN) continue;
      if (prop->combining_class != 0) return false;  // a mark NFD could move: take the steps
      const auto d = static_cast<char32_t>(parts[k]);
      if (IsDecimal(d)) {
        if (!in_digits) out->push_back('0');
        in_digits = true;
        continue;
      }
      in_digits = false;
      AppendUtf8(d, out);
    }
  }
  return true;
}

}  // namespace

std::string SimplifyText(std::string_view text) {
  std::string out;
  if (SimplifyOnePass(text, &out)) {
    const std::string_view stripped = Strip(out);
    if (stripped.size() == out.size()) return out;  // nearly always: no copy
    return std::string(stripped);
  }
  return SimplifyTextStepByStep(text);
}

std::string SimplifyTextStepByStep(std::string_view text) {
  // lower(), then whitespace: strip and collapse.
  std::string lowered = Lower(Strip(text));
  std::string spaced;
  spaced.reserve(lowered.size());
  bool space = false;
  for (size_t i = 0; i < lowered.size();) {
    const size_t at = i;
    const char32_t c = NextCodePoint(lowered, &i);
    if (IsSpace(c)) {
      space = true;
      continue;
    }
    if (space) spaced.push_back(' ');
    space = false;
    spaced.append(lowered, at, i - at);
  }
  // Punctuation out (datatrove's PUNCTUATION holds no space, so spacing stays).
  std::string kept;
  kept.reserve(spaced.size());
  for (size_t i = 0; i < spaced.size();) {
    const size_t at = i;
    const char32_t c = NextCodePoint(spaced, &i);
    if (!IsSymbolChar(c)) kept.append(spaced, at, i - at);
  }
  // NFD, then every nonspacing mark out (ASCII text has neither to do).
  const bool ascii = IsAscii(kept);
  utf8proc_uint8_t* nfd = nullptr;
  std::string decomposed;
  if (ascii) {
    decomposed.swap(kept);
  } else {
    const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(kept.data()),
                                            static_cast<utf8proc_ssize_t>(kept.size()), &nfd,
                                            static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
    decomposed = n >= 0 ? std::string(reinterpret_cast<const char*>(nfd), static_cast<size_t>(n)) : kept;
    std::free(nfd);
  }
  std::string out;
  out.reserve(decomposed.size());
  bool in_digits = false;
  for (size_t i = 0; i < decomposed.size();) {
    const size_t at = i;
    const char32_t c = NextCodePoint(decomposed, &i);
    if (utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_MN) continue;
    if (IsDecimal(c)) {  // \d+ -> "0"
      if (!in_digits) out.push_back('0');
      in_digits = true;
      continue;
    }
    in_digits = false;
    out.append(decomposed, at, i - at);
  }
  return std::string(Strip(out));
}

}  // namespace strata::text
