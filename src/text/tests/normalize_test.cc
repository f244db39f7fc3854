#include "text/normalize.h"

#include <gtest/gtest.h>

#include "support/test_random.h"
#include "text/text_stats.h"
#include "text/unicode.h"

namespace strata::text {
namespace {

TEST(NormalizeText, FixesMojibakeOnlyWhereTheBytesAreUtf8) {
  EXPECT_EQ(FixMojibake("donâ€™t stop at the cafÃ©"), "don’t stop at the café");
  EXPECT_EQ(FixMojibake("Ã¼ber GrÃ¶ÃŸe â€œquotedâ€\u009d"), "über Größe “quoted”");
  // Real Latin-1 text stays: "Ã" followed by a letter is not a UTF-8 sequence.
  EXPECT_EQ(FixMojibake("São Paulo, Ãrvore"), "São Paulo, Ãrvore");
}

TEST(NormalizeText, DecodesHtmlEntities) {
  EXPECT_EQ(DecodeHtmlEntities("Tom &amp; Jerry &lt;3 &#39;hi&#x27; &#8212; &bogus; & &#xD800;"),
            "Tom & Jerry <3 'hi' — &bogus; & &#xD800;");
}

TEST(NormalizeText, FormsControlsWhitespaceAndCase) {
  NormalizeOptions o;
  EXPECT_EQ(NormalizeText(o, "e\u0301te\u0301"), "été");             // NFC composes
  EXPECT_EQ(NormalizeText(o, "ﬁne ①"), "ﬁne ①");                     // NFC keeps compatibility forms
  o.nfkc = true;
  EXPECT_EQ(NormalizeText(o, "ﬁne ①"), "fine 1");
  o = NormalizeOptions();
  EXPECT_EQ(NormalizeText(o, "\n\n  a \t b  \r\n\r\n\r\n\n c\x01\x7f d \n\n"), "a b\n\nc d");
  EXPECT_EQ(NormalizeText(o, std::string("bad\xff byte")), "bad byte");
  o.lowercase = true;
  EXPECT_EQ(NormalizeText(o, "ÜBER Straße İ"), "über straße i");  // simple case mapping: İ -> i
}

TEST(TextStats, CountsAndRatios) {
  const TextStats s = StatsOf("Hello wörld!\n42 cats");
  EXPECT_EQ(s.chars, 20);
  EXPECT_EQ(s.words, 4);
  EXPECT_EQ(s.lines, 2);
  EXPECT_DOUBLE_EQ(s.mean_word_length, 17.0 / 4);
  EXPECT_DOUBLE_EQ(s.non_alpha_ratio, 3.0 / 17);  // "!", "4", "2"
  const TextStats empty = StatsOf("");
  EXPECT_EQ(empty.words, 0);
  EXPECT_EQ(empty.mean_word_length, 0);
}

}  // namespace
}  // namespace strata::text

#include "text/simplify.h"

namespace strata::text {
namespace {

TEST(SimplifyText, DatatroveDefaults) {
  EXPECT_EQ(SimplifyText("  Hello,   World!\n\tIt's 2023-12-05. "), "hello world its 0");
  // Spaces collapse before punctuation goes, as in datatrove: "— «" leaves two.
  EXPECT_EQ(SimplifyText("Crème Brûlée — «naïve» café"), "creme brulee  naive cafe");
  EXPECT_EQ(SimplifyText("Price: $1,234.56"), "price 0");
  EXPECT_EQ(SimplifyText(""), "");
}

TEST(SimplifyText, OnePassForAsciiAgreesWithTheSteps) {
  const std::string alphabet = "aZ09 \t\n\r\x0b\x0c\x1c.,;:!?'\"-_()[]{}#$%&*+/<=>@\\^`|~\x01\x7f";
  testing_support::TestRandom next(7);
  for (int n = 0; n < 50000; ++n) {
    std::string s;
    for (size_t k = next() % 20; k > 0; --k) s += alphabet[next() % alphabet.size()];
    ASSERT_EQ(SimplifyText(s), SimplifyTextStepByStep(s)) << "[" << s << "]";
  }
}

TEST(SimplifyText, OnePassForAnyTextAgreesWithTheSteps) {
  // Letters with and without diacritics, precomposed and combining marks
  // (Mn, and Mc/Me that NFD keeps), other scripts' digits and spaces,
  // Hangul, ligatures and compatibility characters, punctuation, bad UTF-8.
  static const char* const kPieces[] = {
      "a", "Z", "7", " ", "\t", "\n", ",", ".", "-", "é", "É", "e\u0301", "\u0301", "\u0308\u0323", "ñ", "ß",
      "İ", "Σ", "ς", "\u0663", "\u0967", "\u00A0", "\u2003", "\u3000", "한", "\u1100\u1161", "ﬁ", "Ⅻ", "①",
      "—", "«", "»", "…", "•", "€", "\u0903", "\u20DD", "\u1D165", "\U0001D165\U0001D16D", "\xFF", "\xC3",
      "\xE2\x82", "Ǆ", "ǅ", "Å", "\u212B", "\u0345", "ά", "\u0344"};
  testing_support::TestRandom next(5);
  size_t unicode = 0;
  for (int n = 0; n < 30000; ++n) {
    const std::string s = next.Pieces(kPieces, 12);
    unicode += !IsAscii(s);
    ASSERT_EQ(SimplifyText(s), SimplifyTextStepByStep(s)) << "[" << s << "]";
  }
  EXPECT_GT(unicode, 20000u);
}

}  // namespace
}  // namespace strata::text
