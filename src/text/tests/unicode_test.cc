// Python's string functions as the text rules use them.
#include "text/unicode.h"

#include <gtest/gtest.h>

namespace strata::text {
namespace {

TEST(Unicode, StripLikePython) {
  EXPECT_EQ(Strip("  a b \t\n"), "a b");
  EXPECT_EQ(Strip("\u00A0\u3000word\u2028\u00A0"), "word");  // NBSP, ideographic space, line separator
  EXPECT_EQ(RStrip("abc\xC3"), "abc\xC3");                    // a cut-off character is not a space
  EXPECT_EQ(RStrip("é \x85"), "é \x85");                       // a stray continuation byte neither
  EXPECT_EQ(Strip(""), "");
  EXPECT_EQ(Strip(" \n "), "");
}

TEST(Unicode, LinesLikeSplitlines) {
  std::vector<std::string> lines;
  ForEachLine("a\r\nb\rc\u2029d\n\ne\n", [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c", "d", "", "e"}));
}

TEST(Unicode, ClassesAndLengths) {
  EXPECT_EQ(CodePoints("Grüße"), 5u);
  EXPECT_EQ(CodePoints("\xff\xfe"), 2u);  // each bad byte counts once, as U+FFFD
  EXPECT_TRUE(IsWordChar(U'ß'));
  EXPECT_TRUE(IsWordChar(U'٣'));  // an Arabic-Indic digit: \w and \d in Python
  EXPECT_TRUE(IsDecimal(U'٣'));
  EXPECT_FALSE(IsWordChar(U'\u0301'));  // a combining mark is not \w
  EXPECT_TRUE(IsAlpha(U'Ж'));
  EXPECT_EQ(Lower("ÜBER Straße"), "über straße");
  EXPECT_EQ(CountOf("a...b....", "..."), 2u);
}

}  // namespace
}  // namespace strata::text
