#include "text/text_stats.h"

#include "text/unicode.h"

namespace strata::text {

TextStats StatsOf(std::string_view text) {
  TextStats s;
  int64_t visible = 0, non_alpha = 0, word_chars = 0;
  bool in_word = false;
  for (size_t i = 0; i < text.size();) {
    const char32_t c = NextCodePoint(text, &i);
    ++s.chars;
    if (IsSpace(c)) {
      in_word = false;
      continue;
    }
    if (!in_word) ++s.words;
    in_word = true;
    ++visible;
    ++word_chars;
    non_alpha += !IsAlpha(c);
  }
  ForEachLine(text, [&](std::string_view) { ++s.lines; });
  s.mean_word_length = s.words > 0 ? static_cast<double>(word_chars) / static_cast<double>(s.words) : 0;
  s.non_alpha_ratio = visible > 0 ? static_cast<double>(non_alpha) / static_cast<double>(visible) : 0;
  return s;
}

}  // namespace strata::text
