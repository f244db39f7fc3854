// What the two ways of applying NLTKWordTokenizer's rules share (the rule
// cascade in word_tokenizer.cc, the one-scan tokenizer in
// fast_tokenizer.cc): its contraction list, the clitics an opening
// apostrophe must not split, and Python's \b and (?i) on UTF-8 text.
#pragma once

#include <string_view>

#include "text/unicode.h"

namespace strata::text::nltk {

// `(?i)\b(a)(b)\b` -> ` a b ` (`space_after`: `(?=\s)` instead of the final \b).
struct Contraction {
  std::string_view a, b;
  bool space_after;
};
inline constexpr Contraction kContractions[] = {
    {"can", "not", false}, {"d", "'ye", false}, {"gim", "me", false}, {"gon", "na", false},
    {"got", "ta", false},  {"lem", "me", false}, {"more", "'n", false}, {"wan", "na", true},
};
// First letters of the contractions: only words starting so can hold one.
inline bool MayStartContraction(char c) {
  c = static_cast<char>(c | 0x20);
  return c == 'c' || c == 'd' || c == 'g' || c == 'l' || c == 'm' || c == 'w';
}

// The code point at byte i (valid UTF-8), or 0 past the end.
inline char32_t CodePointAt(std::string_view t, size_t i) { return i < t.size() ? NextCodePoint(t, &i) : 0; }

// \w just before byte i / at byte i.
inline bool WordBefore(std::string_view t, size_t i) {
  if (i == 0) return false;
  const auto b = static_cast<unsigned char>(t[i - 1]);
  if (b < 0x80) return IsWordChar(b);
  size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(t[j]) & 0xC0) == 0x80) --j;
  return IsWordChar(NextCodePoint(t, &j));
}
inline bool WordAt(std::string_view t, size_t i) { return i < t.size() && IsWordChar(CodePointAt(t, i)); }

// (?i) match of the lowercase ASCII `word` at byte i.
inline bool LowerMatch(std::string_view t, size_t i, std::string_view word) {
  if (i + word.size() > t.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    char c = t[i + k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != word[k]) return false;
  }
  return true;
}

// The apostrophe at byte i opens a word that is not a clitic ('re, 's, ...):
// the starting-quotes rule splits it off.
inline bool OpensWord(std::string_view t, size_t i) {
  if (t[i] != '\'' || WordBefore(t, i) || !WordAt(t, i + 1)) return false;
  for (std::string_view c : {"re", "ve", "ll", "m", "t", "s", "d", "n"}) {
    if (LowerMatch(t, i + 1, c) && !WordAt(t, i + 1 + c.size())) return false;
  }
  return true;
}

// The contraction starting at byte i, if one does there (`at_end`: t ends
// where a space follows, as a piece of the one-scan tokenizer does).
inline const Contraction* ContractionAt(std::string_view t, size_t i, bool at_end) {
  if (!MayStartContraction(t[i]) || WordBefore(t, i)) return nullptr;
  const char first = static_cast<char>(t[i] | 0x20);
  for (const Contraction& c : kContractions) {
    if (c.a[0] != first || !LowerMatch(t, i, c.a) || !LowerMatch(t, i + c.a.size(), c.b)) continue;
    const size_t end = i + c.a.size() + c.b.size();
    const bool ends = c.space_after ? (end == t.size() ? at_end : IsSpace(CodePointAt(t, end)))
                                    : WordBefore(t, end) != WordAt(t, end);
    if (ends) return &c;
  }
  return nullptr;
}

}  // namespace strata::text::nltk
