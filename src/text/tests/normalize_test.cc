#include "text/normalize.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include <utf8proc.h>

#include "data/ops/operators.h"
#include "data/ops/steps.h"
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

// The step rewrites in place: rows before the first change are copied
// then, nulls stay nulls, and a block with nothing to change keeps its
// column; to another column every row is written.
TEST(NormalizeText, TheStepKeepsUnchangedTextsAndRows) {
  auto block_of = [](std::initializer_list<const char*> texts) {
    data::Block b;
    data::Column c = data::Column::OfType(data::Type::kString);
    for (const char* t : texts) t == nullptr ? c.AppendNull() : c.AppendString(t);
    b.Add("text", std::move(c));
    b.num_rows = static_cast<int64_t>(texts.size());
    return b;
  };
  auto step = data::MakeStep("normalize_text", nlohmann::ordered_json::object());
  ASSERT_TRUE(step.ok()) << step.status().message();
  data::Block b = block_of({"fine", nullptr, "two  spaces", "fine too"});
  ASSERT_TRUE((*step)->Apply(&b).ok());
  const data::Column* text = b.Get("text");
  EXPECT_EQ(text->Str(0), "fine");
  EXPECT_TRUE(text->IsNull(1));
  EXPECT_EQ(text->Str(2), "two spaces");
  EXPECT_EQ(text->Str(3), "fine too");
  data::Block same = block_of({"all", "normal", nullptr});
  ASSERT_TRUE((*step)->Apply(&same).ok());
  EXPECT_EQ(same.Get("text")->Str(1), "normal");
  EXPECT_TRUE(same.Get("text")->IsNull(2));
  auto to_other = data::MakeStep("normalize_text", {{"output", "clean"}});
  ASSERT_TRUE(to_other.ok()) << to_other.status().message();
  data::Block other = block_of({"all", nullptr, "a  b"});
  ASSERT_TRUE((*to_other)->Apply(&other).ok());
  ASSERT_NE(other.Get("clean"), nullptr);
  EXPECT_EQ(other.Get("clean")->Str(0), "all");
  EXPECT_TRUE(other.Get("clean")->IsNull(1));
  EXPECT_EQ(other.Get("clean")->Str(2), "a b");
  EXPECT_EQ(other.Get("text")->Str(2), "a  b");
}

// NormalizeTextInto says whether a text changes, wherever the first change
// falls, and gives what NormalizeText gives.
// The whitespace, control and case pass written plainly, code point by
// code point: what the pass's stretch-at-once way must agree with.
std::string PlainPass(const NormalizeOptions& o, std::string_view t) {
  std::string out;
  size_t pending_spaces = 0, newlines = 0;
  bool line_has_text = false;
  for (size_t i = 0; i < t.size();) {
    char32_t c = NextCodePoint(t, &i);
    if (c == '\r') {
      if (i < t.size() && t[i] == '\n') continue;
      c = '\n';
    }
    const bool control = c < 0x20 ? (c != '\n' && c != '\t') : (c >= 0x7F && c < 0xA0);
    if (control && o.remove_control) continue;
    if (o.collapse_whitespace) {
      if (c == '\n') {
        pending_spaces = 0;
        line_has_text = false;
        if (!out.empty() && newlines < 2) out += '\n';
        ++newlines;
        continue;
      }
      if (IsSpace(c)) {
        ++pending_spaces;
        continue;
      }
      if (pending_spaces > 0 && line_has_text) out += ' ';
      pending_spaces = 0;
      newlines = 0;
      line_has_text = true;
    }
    AppendUtf8(o.lowercase ? ToLower(c) : c, &out);
  }
  if (o.collapse_whitespace) {
    while (!out.empty() && out.back() == '\n') out.pop_back();
  }
  return out;
}

TEST(NormalizeText, StretchesAgreeWithThePlainPass) {
  // Words, single and double spaces, tabs, line breaks, controls, a letter
  // past ASCII; texts long enough to cross 64-byte windows.
  static const char* const kPieces[] = {"word", "Word", "x", ".", " ", " ", " ", "  ", "\t", "\n", "\r\n",
                                        "\x01", "\x7f", "\u00e9", "A-Z", "1,234", "\u00a0", "\n\n\n"};
  testing_support::TestRandom next(17);
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    for (size_t k = next() % 60; k > 0; --k) s += kPieces[next() % std::size(kPieces)];
    for (const bool collapse : {true, false}) {
      for (const bool lower : {false, true}) {
        NormalizeOptions o;
        o.fix_mojibake = o.fix_html_entities = false;
        o.collapse_whitespace = collapse;
        o.lowercase = lower;
        o.remove_control = (n % 2) == 0;
        ASSERT_EQ(NormalizeText(o, s), PlainPass(o, s)) << "[" << s << "] collapse " << collapse << " lower " << lower;
      }
    }
  }
}

TEST(NormalizeText, SaysWhetherATextChanges) {
  NormalizeOptions o;
  std::string out;
  for (const char* normal : {"", "plain words, one line.", "two\n\nparagraphs and more", "caf\u00e9 \u201cq\u201d"}) {
    EXPECT_FALSE(NormalizeTextInto(o, normal, &out)) << normal;
  }
  for (const char* text : {" lead", "trail \n", "a  b", "x\x01y", "line\r\nend", "tab\there", "cafe\u0301", "tom &amp; jerry",
                           "\n\n\nthree", "end\n\n", "donâ€™t"}) {
    ASSERT_TRUE(NormalizeTextInto(o, text, &out)) << text;
    EXPECT_EQ(out, NormalizeText(o, text)) << text;
    EXPECT_NE(out, text);
  }
  o.lowercase = true;
  EXPECT_FALSE(NormalizeTextInto(o, "already lower", &out));
  ASSERT_TRUE(NormalizeTextInto(o, "already lower but One", &out));
  EXPECT_EQ(out, "already lower but one");
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
  // Dense in letters and spaces: the stretch-at-once way, stretches
  // running past a 64-byte window too.
  const std::string letters = "abcXYZqzabcXYZqz    \t.,9";
  for (int n = 0; n < 50000; ++n) {
    std::string s;
    for (size_t k = next() % 200; k > 0; --k) s += letters[next() % letters.size()];
    ASSERT_EQ(SimplifyText(s), SimplifyTextStepByStep(s)) << "[" << s << "]";
  }
  // Long stretches of words and single spaces, cut at every length.
  std::string words;
  for (int k = 0; k < 12; ++k) words += "The Quick brown FOX jumps ";
  for (size_t n = 0; n <= words.size(); ++n) {
    const std::string s = words.substr(0, n) + (n % 3 == 0 ? ", x" : n % 3 == 1 ? "  y" : "");
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

// NFC and NFKC stretch by stretch (the ASCII between copied) against
// utf8proc_map over the whole text, on random mixes of ASCII, combining
// marks that compose with the letter before them or reorder, precomposed
// and compatibility characters and Hangul jamo.
TEST(NormalizeText, FormsStretchByStretchEqualTheWholeText) {
  static const char* kPieces[] = {"a", "e", " ", "Z", ".", "\u0301", "\u0308", "\u0327", "\u0323", "\u031B",
                                  "\u00E9", "\u00C5", "\u212B", "\uFB01", "\u2460", "\u1100", "\u1161",
                                  "\u11A8", "\uAC00", "\u0F73", "\u3099", "\u304B", "\u00BD", "\u1E9B"};
  std::mt19937 random(5);
  NormalizeOptions o;
  o.fix_mojibake = o.fix_html_entities = o.remove_control = o.collapse_whitespace = false;
  for (int doc = 0; doc < 3000; ++doc) {
    std::string text;
    for (int k = 0, n = static_cast<int>(random() % 24); k < n; ++k) text += kPieces[random() % std::size(kPieces)];
    for (const bool nfkc : {false, true}) {
      o.nfkc = nfkc;
      utf8proc_uint8_t* whole = nullptr;
      const int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | (nfkc ? UTF8PROC_COMPAT : 0);
      const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                              static_cast<utf8proc_ssize_t>(text.size()), &whole,
                                              static_cast<utf8proc_option_t>(options));
      ASSERT_GE(n, 0);
      const std::string expected(reinterpret_cast<const char*>(whole), static_cast<size_t>(n));
      std::free(whole);
      ASSERT_EQ(NormalizeText(o, text), expected) << text << (nfkc ? " (NFKC)" : " (NFC)");
    }
  }
  // Invalid UTF-8 anywhere: the text is left as it was (its bad byte then replaced).
  o.nfkc = false;
  EXPECT_EQ(NormalizeText(o, "e\u0301 x \xff e\u0301"), "e\u0301 x \uFFFD e\u0301");
}

}  // namespace
}  // namespace strata::text
