// text_stats: per document, the numbers people filter and plot by.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata::text {

struct TextStats {
  int64_t chars = 0;             // code points
  int64_t words = 0;             // whitespace-separated
  int64_t lines = 0;             // as str.splitlines()
  double mean_word_length = 0;   // code points per word (0 without words)
  double non_alpha_ratio = 0;    // of the characters that are not whitespace, the share that are not letters
};

TextStats StatsOf(std::string_view text);

}  // namespace strata::text
