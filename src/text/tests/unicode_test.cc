// Python's string functions as the text rules use them.
#include "text/unicode.h"

#include <gtest/gtest.h>

#include <random>

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

// The eight-bytes-at-a-time scan against splitlines() code point by code
// point, on random texts of long plain runs, every line break, other
// multi-byte characters (0xC2 and 0xE2 lead bytes among them) and broken bytes.
TEST(Unicode, LinesLikeSplitlinesOnRandomTexts) {
  static const char* const kPieces[] = {"abcdefghijklm", "a", " ", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c",
                                        "\x1d", "\x1e", "\t", "\u0085", "\u2028", "\u2029", "\u00A0", "\u00E9",
                                        "\u2014", "\u201C", "\xC2", "\xE2\x80", "\xFF"};
  std::mt19937 random(9);
  for (int doc = 0; doc < 5000; ++doc) {
    std::string text;
    for (int k = 0, n = static_cast<int>(random() % 30); k < n; ++k) text += kPieces[random() % std::size(kPieces)];
    std::vector<std::string> expected, lines;
    size_t start = 0;
    for (size_t i = 0; i < text.size();) {
      const size_t at = i;
      const char32_t c = NextCodePoint(text, &i);
      if (!IsLineBreak(c)) continue;
      expected.push_back(text.substr(start, at - start));
      if (c == '\r' && i < text.size() && text[i] == '\n') ++i;
      start = i;
    }
    if (start < text.size()) expected.push_back(text.substr(start));
    ForEachLine(text, [&](std::string_view l) { lines.emplace_back(l); });
    ASSERT_EQ(lines, expected) << text;
  }
}

// Code points and len(s.split()) eight bytes at a time against code point
// by code point, on random texts of ASCII runs, every ASCII space, controls
// that are none, spaces and letters beyond ASCII and broken bytes.
TEST(Unicode, CountsLikePythonOnRandomTexts) {
  static const char* const kPieces[] = {"abcdefghij", "x", " ", "  ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f",
                                        "\x01", "\x08", "\x0e", "\x1b", "!", "\u00A0", "\u2009", "\u3000", "\u00E9",
                                        "\u201C", "\xFF", "\xC3", "\x80", "\xE2\x80"};
  std::mt19937 random(13);
  for (int doc = 0; doc < 20000; ++doc) {
    std::string text;
    for (int k = 0, n = static_cast<int>(random() % 30); k < n; ++k) text += kPieces[random() % std::size(kPieces)];
    size_t code_points = 0, chunks = 0;
    bool in_chunk = false;
    for (size_t i = 0; i < text.size(); ++code_points) {
      const bool space = IsSpace(NextCodePoint(text, &i));
      chunks += !space && !in_chunk;
      in_chunk = !space;
    }
    ASSERT_EQ(CodePoints(text), code_points) << text;
    ASSERT_EQ(CountChunks(text), chunks) << text;
  }
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
