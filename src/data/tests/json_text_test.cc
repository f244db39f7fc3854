// The JSON Lines writer's string escaping against nlohmann::json's, on
// random byte strings: controls, quotes, backslashes, valid UTF-8 of every
// length and broken UTF-8 (overlong, surrogate, truncated, stray bytes).
#include "data/json_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_random.h"

namespace strata::data {
namespace {

// 20,000 strings of up to `max_pieces` pieces, each written by
// AppendJsonString and by nlohmann; how many came out with U+FFFD.
template <size_t N>
size_t ExpectEscapesLikeNlohmann(const char* const (&pieces)[N], size_t max_pieces, uint64_t seed) {
  testing_support::TestRandom next(seed);
  size_t broken = 0;
  for (int n = 0; n < 20000; ++n) {
    const std::string s = next.Pieces(pieces, max_pieces);
    std::string mine;
    AppendJsonString(s, &mine);
    const std::string theirs = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    EXPECT_EQ(mine, theirs) << "bytes: " << nlohmann::json(s).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    if (mine != theirs) break;
    broken += theirs.find("\xEF\xBF\xBD") != std::string::npos;
  }
  return broken;
}

TEST(JsonText, EscapesExactlyAsNlohmannDoes) {
  static const char* const kPieces[] = {
      "a", "Z", " ", "\"", "\\", "\n", "\t", "\r", "\b", "\f", "\x01", "\x1f", "\x7f", "/", "é", "€", "😀",
      "\xC3", "\xA9", "\xE2\x82", "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "\xFF", "\x80", "\xF0\x9F"};
  EXPECT_GT(ExpectEscapesLikeNlohmann(kPieces, 12, 11), 1000u);  // the broken-UTF-8 way is exercised too
}

// Long strings: the writer and the UTF-8 check skip eight plain bytes at a
// time, so escapes and broken bytes must be found at every offset of a word.
TEST(JsonText, LongStringsEscapeAtEveryOffset) {
  static const char* const kPieces[] = {"abcdefgh", "0123456", "xy", " ", "\"", "\\", "\n", "\x1f", "\x7f",
                                        "\x20", "~", "é", "€", "\xC3", "\xFF", "\xED\xA0\x80", "😀"};
  EXPECT_GT(ExpectEscapesLikeNlohmann(kPieces, 60, 12), 1000u);
}

}  // namespace
}  // namespace strata::data
