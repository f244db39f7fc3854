// datatrove's filters on the strings from datatrove's own tests
// (tests/pipeline/filters/test_filters.py), each with its reason name.
#include "text/quality_rules.h"

#include "text/unicode.h"
#include "text/word_tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <random>
#include <set>

namespace strata::text {
namespace {

const std::string kLotr =
    "I wish it need not have happened in my time,' said Frodo. 'So do I,' said Gandalf, 'and so do all who "
    "live to see such times. But that is not for them to decide. All we have to decide is what to do with "
    "the time that is given us.'";

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Each ASCII byte as a word of four: letters make words with letters and no
// stop words, digits words without letters, every other byte (punctuation,
// controls) symbols only, and whitespace no words at all.
TEST(GopherQuality, EveryAsciiByteIsALetterADigitOrASymbol) {
  for (int c = 1; c < 128; ++c) {
    std::string text;
    for (int k = 0; k < 60; ++k) text += std::string(4, static_cast<char>(c)) + " ";
    const std::string reason = GopherQuality(GopherQualityParams(), text);
    const bool space = (c >= 9 && c <= 13) || (c >= 28 && c <= 32);  // Python's str.isspace
    const char* expected = std::isalpha(c)   ? "gopher_enough_stop_words"
                           : std::isdigit(c) ? "gopher_below_alpha_threshold"
                           : space           ? "empty"
                                             : "gopher_short_doc";
    EXPECT_EQ(reason, expected) << "byte " << c;
  }
}

// The hash and ellipsis ratios (str.count of "#", "..." and "…") on random
// texts of periods, hashes, ellipses and words, each ratio's threshold set
// just under and just over the text's own.
TEST(GopherQuality, HashAndEllipsisRatiosCountLikePython) {
  static const char* const kPieces[] = {"word ", ".", "..", "...", "#", "##", "\u2026", "\u2026.", "\u00E9 ", "a. "};
  std::mt19937 random(23);
  for (int doc = 0; doc < 3000; ++doc) {
    std::string text;
    for (int k = 0, n = 1 + static_cast<int>(random() % 40); k < n; ++k) text += kPieces[random() % std::size(kPieces)];
    const size_t words = WordTokenize(text).size();
    if (words == 0) continue;
    size_t hashes = 0, ellipses = 0;
    for (size_t at = text.find('#'); at != std::string::npos; at = text.find('#', at + 1)) ++hashes;
    for (size_t at = text.find("..."); at != std::string::npos; at = text.find("...", at + 3)) ++ellipses;
    for (size_t at = text.find("\u2026"); at != std::string::npos; at = text.find("\u2026", at + 3)) ++ellipses;
    GopherQualityParams p;
    p.min_doc_words = p.max_doc_words = p.min_avg_word_length = p.max_avg_word_length = 0;
    p.max_bullet_lines_ratio = p.max_ellipsis_lines_ratio = p.max_non_alpha_words_ratio = p.min_stop_words = 0;
    const double hash_ratio = static_cast<double>(hashes) / static_cast<double>(words);
    const double ellipsis_ratio = static_cast<double>(ellipses) / static_cast<double>(words);
    p.max_symbol_word_ratio = std::max(hash_ratio, ellipsis_ratio) * 1.001 + 1e-9;
    ASSERT_EQ(GopherQuality(p, text), "") << text;
    if (hash_ratio > 0) {
      p.max_symbol_word_ratio = hash_ratio * 0.999;
      ASSERT_EQ(GopherQuality(p, text), "gopher_too_many_hashes") << text;
    }
    if (ellipsis_ratio > hash_ratio) {
      p.max_symbol_word_ratio = std::max(hash_ratio * 1.001, ellipsis_ratio * 0.999);
      ASSERT_EQ(GopherQuality(p, text), "gopher_too_many_ellipsis") << text;
    }
  }
}

TEST(GopherRepetition, DatatroveCases) {
  const GopherRepetitionParams p;
  EXPECT_EQ(GopherRepetition(p, Repeat("I am your father.\n", 4)), "dup_line_frac");
  EXPECT_EQ(GopherRepetition(p, Repeat("I am your father.\n\n", 4)), "dup_para_frac");
  EXPECT_EQ(GopherRepetition(p, "I am groot.\n\nYou are a wizard.\n\nI am your father.\n\n" +
                                    Repeat(std::string(30, 'x') + ".\n\n", 2)),
            "dup_para_char_frac");
  EXPECT_EQ(GopherRepetition(p, "I am groot.\nYou are a wizard.\nI am your father.\n" +
                                    Repeat(std::string(40, 'x') + ".\n", 2)),
            "dup_line_char_frac");
  EXPECT_EQ(GopherRepetition(p, "I am Frank, I am Frank, I am Frank"), "top_2_gram");
  EXPECT_EQ(GopherRepetition(p, "I am Frank, you are Jhon. I am Frank. I am Frank you are Jhon"), "top_3_gram");
  EXPECT_EQ(GopherRepetition(p, Repeat("I am a solo traveller ", 4) + kLotr), "duplicated_5_n_grams");
  EXPECT_EQ(GopherRepetition(p, ""), "empty");
  EXPECT_EQ(GopherRepetition(p, kLotr), "");
}

TEST(GopherQuality, DatatroveCases) {
  GopherQualityParams p;
  p.min_doc_words = 10;
  p.max_doc_words = 1000;
  EXPECT_EQ(GopherQuality(p, "I am too small..."), "gopher_short_doc");
  EXPECT_EQ(GopherQuality(p, Repeat("I am ", 20)), "gopher_below_avg_threshold");
  EXPECT_EQ(GopherQuality(p, Repeat("interconnection ", 20)), "gopher_above_avg_threshold");
  EXPECT_EQ(GopherQuality(p, Repeat("# comment ", 20)), "gopher_too_many_hashes");
  EXPECT_EQ(GopherQuality(p, Repeat("... comment ", 20)), "gopher_too_many_ellipsis");
  EXPECT_EQ(GopherQuality(p, Repeat("the ./!*?<><> apple <?////> orange  ++ interconnection !<>??? have", 20)),
            "gopher_below_alpha_threshold");
  EXPECT_EQ(GopherQuality(p, kLotr), "");
  p.min_doc_words = 0;
  EXPECT_EQ(GopherQuality(p, ""), "empty");
  EXPECT_EQ(GopherQuality(p, "   \n  \n"), "empty");
}

TEST(GopherQuality, BulletsEllipsisLinesAndStopWords) {
  GopherQualityParams p;
  p.min_doc_words = 3;
  EXPECT_EQ(GopherQuality(p, "• apple pie\n• cherry cake\n- plum tart\n• lemon bar and the"), "gopher_too_many_bullets");
  EXPECT_EQ(GopherQuality(p, "the apples are red and the pears are green and the plums are blue...\n"
                            "the sea is wide and the sky is high and the land is far\n"
                            "the end of the story is near and the book is closed"),
            "gopher_too_many_end_ellipsis");
  // Checked in datatrove's order: the same text with more ellipses is
  // dropped for their ratio to words first.
  EXPECT_EQ(GopherQuality(p, "apples are red...\npears are green…\nthe plums of the sea"),
            "gopher_too_many_ellipsis");
  EXPECT_EQ(GopherQuality(p, "apples pears plums cherries lemons"), "gopher_enough_stop_words");
}

TEST(C4Quality, DatatroveCases) {
  const C4QualityParams p;
  std::string kept;
  const std::string good =
      "This is a well-written paragraph with several sentences.\n"
      "The content continues with more good information here.\n"
      "Another important point is being made in this line.\n"
      "We can see that this document has quality content.\n"
      "Finally, the conclusion wraps everything up nicely.\n"
      "An additional sentence to ensure we pass the threshold.";
  EXPECT_EQ(C4Quality(p, good, &kept), "");
  EXPECT_EQ(kept, good);
  EXPECT_EQ(C4Quality(p,
                      "This is a sentence with lorem ipsum dolor sit amet.\nAnother sentence with proper "
                      "punctuation.\nMore content to fill out the document.\nEven more content is needed to "
                      "pass the check.\nThe final sentence of the document.",
                      &kept),
            "lorem_ipsum");
  EXPECT_EQ(C4Quality(p,
                      "This is some code with a { bracket.\nAnother sentence follows this one.\nMore content "
                      "to fill out the document.\nEven more content is needed to pass.\nThe final sentence "
                      "of the document.",
                      &kept),
            "curly_bracket");
  EXPECT_EQ(C4Quality(p, "Just one sentence.", &kept), "too_few_sentences");
}

// Given `unchanged`, a page whose kept lines are all of it is reported as
// such and not copied; any other gets the same kept text as without it.
TEST(C4Quality, SaysWhenNothingWasDropped) {
  static const char* const kLines[] = {"A line that ends well.", "Menu Home About", "  Spaced line ends here.  ",
                                       "Short.", "Enable javascript to see this.", "Citations here[1] end.",
                                       "Another complete sentence here.", "", "Third sentence is fine too!"};
  std::mt19937 random(31);
  int unchanged_pages = 0;
  for (int doc = 0; doc < 4000; ++doc) {
    std::string text;
    for (int k = 0, n = 1 + static_cast<int>(random() % 10); k < n; ++k) {
      if (k > 0) text += random() % 7 == 0 ? "\r\n" : "\n";
      text += kLines[random() % std::size(kLines)];
    }
    for (const bool paragraphs : {true, false}) {
      C4QualityParams p;
      p.split_paragraph = paragraphs;
      p.min_num_sentences = static_cast<int>(random() % 3);
      std::string plain, lazy = "left as it was";
      bool unchanged = false;
      const std::string why = C4Quality(p, text, &plain);
      ASSERT_EQ(C4Quality(p, text, &lazy, &unchanged), why) << text;
      if (!why.empty()) continue;
      ASSERT_EQ(unchanged, plain == text) << text;
      if (unchanged) {
        EXPECT_EQ(lazy, "left as it was");
        ++unchanged_pages;
      } else {
        EXPECT_EQ(lazy, plain) << text;
      }
    }
  }
  EXPECT_GT(unchanged_pages, 100);
}

TEST(C4Quality, RewritesTheTextAsDatatroveDoes) {
  C4QualityParams p;
  p.min_num_sentences = -1;
  p.min_words_per_line = -1;
  std::string kept;
  EXPECT_EQ(C4Quality(p, "This site uses cookies for tracking.\nAnother valid line here today.", &kept), "");
  EXPECT_EQ(kept, "Another valid line here today.");
  // Lines without terminal punctuation, with javascript, and citations go.
  p = C4QualityParams();
  p.min_num_sentences = 1;
  EXPECT_EQ(C4Quality(p, "Menu Home About\nEnable JavaScript to see this page.\nThe war ended in 1945.[12] It was "
                         "long.[citation needed]\n  Ends with an ellipsis...",
                      &kept),
            "");
  EXPECT_EQ(kept, "The war ended in 1945. It was long.");
  // Words are counted before citations go; a word over max_word_length code
  // points drops its line (a long line of short words does not).
  p = C4QualityParams();
  p.min_num_sentences = 1;
  const std::string long_word(1001, 'x'), short_words = Repeat("ab ", 400);
  EXPECT_EQ(C4Quality(p, "Two words.\nOne [1] [2] two.\nA " + long_word + " word.\n" + short_words + "end.", &kept), "");
  EXPECT_EQ(kept, "One   two.\n" + short_words + "end.");
  p.max_word_length = 1001;
  EXPECT_EQ(C4Quality(p, "A " + long_word + " word.", &kept), "");
  EXPECT_EQ(kept, "A " + long_word + " word.");
  p.max_word_length = 1000;
  EXPECT_EQ(C4Quality(p, "A " + std::string(500, '\xC3') + std::string(500, '\xA9') + " e.", &kept), "");  // bytes, not letters
}

// The phrases (lorem ipsum, javascript, the policy ones) found in any case
// in one-line documents made of their pieces (and characters beyond ASCII,
// two of them lowercasing to ASCII letters), against lowercasing and find.
TEST(C4Quality, FindsThePhrasesInAnyCase) {
  static const char* const kPieces[] = {"Lorem", "lorem", " ipsum", " IPSUM", "ipsum", "java", "Script", "JavaScript",
                                        "terms", " of", " use", "Terms of Use", "privacy", " Policy", "cookie",
                                        "COOKIES", " cookies", "uses", "Use", " ", "  ", "x", "t", "u", "\t",
                                        "\u00E9", "\u201C", "coo\u212Aie", "l\u0130"};
  static const char* const kPhrases[] = {"terms of use", "privacy policy", "cookie policy",
                                         "uses cookies", "use of cookies", "use cookies"};
  std::mt19937 random(3);
  C4QualityParams p;
  p.min_num_sentences = -1;
  for (int doc = 0; doc < 5000; ++doc) {
    std::string line = "one two three";
    for (int k = 0, n = static_cast<int>(random() % 8); k < n; ++k) line += kPieces[random() % std::size(kPieces)];
    line += ".";
    // Lowercased: ASCII letters, and the two characters beyond ASCII whose
    // lowercase is an ASCII letter (the Kelvin sign, İ).
    std::string lower;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line.compare(i, 3, "\u212A") == 0) {
        lower += 'k';
        i += 2;
      } else if (line.compare(i, 2, "\u0130") == 0) {
        lower += 'i';
        i += 1;
      } else {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(line[i])));
      }
    }
    const bool policy = std::any_of(std::begin(kPhrases), std::end(kPhrases),
                                    [&](const char* s) { return lower.find(s) != std::string::npos; });
    std::string kept;
    const std::string reason = C4Quality(p, line, &kept);
    if (lower.find("lorem ipsum") != std::string::npos) {
      EXPECT_EQ(reason, "lorem_ipsum") << line;
    } else {
      EXPECT_EQ(reason, "") << line;
      EXPECT_EQ(kept, lower.find("javascript") != std::string::npos || policy ? "" : line) << line;
    }
    if (HasFailure()) return;
  }
}

TEST(C4Paragraph, DatatroveCases) {
  const C4ParagraphParams p;
  const std::string para(250, 'x');
  EXPECT_EQ(C4Paragraph(p, para + "\n" + para + "\n" + para), "");
  EXPECT_EQ(C4Paragraph(p, "short\nshort\nshort"), "< 3 paragraphs");
}

TEST(FineWebQuality, DatatroveCases) {
  EXPECT_EQ(FineWebQuality(FineWebQualityParams(), ""), "empty");
  FineWebQualityParams p;
  p.line_punct_thr = 0.5;
  EXPECT_EQ(FineWebQuality(p, "No punctuation here\nAnother line without any\nStill nothing"), "line_punct_ratio");
  p = FineWebQualityParams();
  p.short_line_thr = 0.5;
  p.line_punct_thr = 0.0;
  EXPECT_EQ(FineWebQuality(p, "hi.\nbye.\nok.\nno.\nyes."), "short_line_ratio");
  EXPECT_EQ(FineWebQuality(FineWebQualityParams(),
                           "This is a well-written paragraph that ends with proper punctuation.\n"
                           "The content here is substantial and has meaningful information.\n"
                           "Quality filtering ensures that only the best documents pass through.\n"
                           "Each line here is long enough and ends with a terminal punctuation mark.\n"
                           "This document should pass all the quality checks applied by the filter."),
            "");
  p = FineWebQualityParams();
  p.new_line_ratio = 0.1;
  std::string list = "a";
  for (int i = 1; i < 50; ++i) list += "\na";
  EXPECT_NE(FineWebQuality(p, list), "");
  const std::string line = "This line is long enough to count and it ends well.";
  EXPECT_EQ(FineWebQuality(FineWebQualityParams(), line + "\n" + line + "\nA different line, also long enough."),
            "char_dup_ratio");
}

}  // namespace
}  // namespace strata::text

namespace strata::text {
namespace {

// Hostile documents: every filter answers, none crashes or hangs.
TEST(QualityRules, MalformedEmptyAndHugeDocuments) {
  std::string bad = "Valid start. \xff\xfe\xc3 broken \xe2\x82 bytes and more words here to count.\n";
  std::string huge;
  while (huge.size() < 10 << 20) huge += "The same long line of perfectly ordinary words repeats itself here.\n";
  std::string kept;
  for (const std::string* doc : {&bad, &huge}) {
    EXPECT_NO_THROW({
      GopherQuality(GopherQualityParams(), *doc);
      GopherRepetition(GopherRepetitionParams(), *doc);
      C4Quality(C4QualityParams(), *doc, &kept);
      C4Paragraph(C4ParagraphParams(), *doc);
      FineWebQuality(FineWebQualityParams(), *doc);
    });
  }
  EXPECT_EQ(GopherRepetition(GopherRepetitionParams(), huge), "dup_line_frac");  // one paragraph, its lines repeat
  EXPECT_EQ(FineWebQuality(FineWebQualityParams(), huge), "char_dup_ratio");
  EXPECT_EQ(GopherQuality(GopherQualityParams(), ""), "empty");
  EXPECT_EQ(C4Quality(C4QualityParams(), "", &kept), "too_few_sentences");
}

// datatrove's find_top_duplicate and find_all_duplicate written plainly
// (strings joined, a map and a set), against the filter's n-gram levels:
// random documents of few two-letter words (so that joining without spaces
// cannot make two different n-grams equal), each threshold set just under
// and just over the document's own fraction.
double PlainTopFraction(const std::vector<std::string>& words, size_t n, double length) {
  std::map<std::string, size_t> count;
  std::vector<std::string> order;
  for (size_t i = 0; i + n <= words.size(); ++i) {
    std::string gram = words[i];
    for (size_t k = 1; k < n; ++k) gram += " " + words[i + k];
    if (count[gram]++ == 0) order.push_back(gram);
  }
  size_t best = 0;
  std::string top;
  for (const std::string& g : order) {
    if (count[g] > best) best = count[g], top = g;
  }
  return static_cast<double>(top.size() * best) / length;
}
double PlainDuplicateFraction(const std::vector<std::string>& words, size_t n, double length) {
  std::set<std::string> seen;
  size_t repeated = 0;
  for (size_t i = 0; i + n <= words.size();) {
    std::string gram;
    for (size_t k = 0; k < n; ++k) gram += words[i + k];
    if (seen.count(gram) != 0) {
      repeated += gram.size();
      i += n;
    } else {
      seen.insert(gram);
      ++i;
    }
  }
  return static_cast<double>(repeated) / length;
}

// find_duplicates against a plain set, on lists of strings of few lengths
// (equal lengths, different contents: the length table must not decide).
TEST(GopherRepetition, FindDuplicatesEqualsASet) {
  static const std::string kPool[] = {"", "ab", "cd", "ab ", "abc", "\u00E9\u00E9", "xy", "\u00E9", "ba", "cd "};
  std::mt19937 random(17);
  for (int list = 0; list < 3000; ++list) {
    std::vector<std::string_view> items;
    for (int k = 0, n = static_cast<int>(random() % 40); k < n; ++k) items.push_back(kPool[random() % std::size(kPool)]);
    std::set<std::string_view> seen;
    size_t elements = 0, chars = 0;
    for (const std::string_view x : items) {
      if (!seen.insert(x).second) {
        ++elements;
        chars += CodePoints(x);
      }
    }
    ASSERT_EQ(FindDuplicates(items), std::make_pair(elements, chars));
  }
}

TEST(GopherRepetition, NGramFractionsEqualThePlainFormulas) {
  std::mt19937 random(11);
  int checked = 0;
  for (int doc = 0; doc < 300; ++doc) {
    // Every tenth long (the bit-set prefilter takes 256 n-grams and up), of
    // up to 26 x 26 words: most of its n-grams occur once.
    const bool long_doc = doc % 10 == 0;
    const size_t vocabulary = 2 + random() % (long_doc ? 25 : 12);
    std::vector<std::string> words;
    std::string text;
    for (size_t w = 0, count = 1 + random() % (long_doc ? 3000 : 200); w < count; ++w) {
      const auto v = static_cast<char>('a' + random() % vocabulary);
      const auto second = long_doc ? static_cast<char>('a' + random() % vocabulary) : v;
      words.push_back(std::string{v, second});
      text += (w > 0 ? " " : "") + words.back();
    }
    const double length = static_cast<double>(text.size());
    for (int n = 2; n <= 10; ++n) {
      const bool top = n <= 4;
      const double f = top ? PlainTopFraction(words, n, length) : PlainDuplicateFraction(words, n, length);
      if (f == 0) continue;
      const std::string reason = top ? "top_" + std::to_string(n) + "_gram" : "duplicated_" + std::to_string(n) + "_n_grams";
      for (const double threshold : {f * 0.999, f * 1.001}) {
        GopherRepetitionParams p;
        p.dup_line_frac = p.dup_para_frac = p.dup_line_char_frac = p.dup_para_char_frac = 0;
        p.top_n_grams.clear();
        p.dup_n_grams.clear();
        (top ? p.top_n_grams : p.dup_n_grams).push_back({n, threshold});
        EXPECT_EQ(GopherRepetition(p, text), threshold < f ? reason : "") << text << " n=" << n;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace strata::text
