// NLTK's word_tokenize on the examples from its documentation, and the
// cases datatrove's filters depend on.
#include "text/word_tokenizer.h"

#include <gtest/gtest.h>

#include "support/test_random.h"

namespace strata::text {
namespace {

using Words = std::vector<std::string>;

TEST(WordTokenizer, NltkDocumentationExample) {
  EXPECT_EQ(WordTokenize("Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks."),
            (Words{"Good", "muffins", "cost", "$", "3.88", "in", "New", "York", ".", "Please", "buy",
                   "me", "two", "of", "them", ".", "Thanks", "."}));
}

TEST(WordTokenizer, OneSentenceKeepsInnerPeriods) {
  const std::string_view sentence =
      "Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.";
  WordList words(sentence);
  TokenizeSentence(sentence, &words);
  EXPECT_EQ(words.Strings(), (Words{"Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")",
                          "in", "New", "York.", "Please", "buy", "me", "two", "of", "them.", "Thanks", "."}));
}

TEST(WordTokenizer, Contractions) {
  EXPECT_EQ(WordTokenize("They'll save and invest more."),
            (Words{"They", "'ll", "save", "and", "invest", "more", "."}));
  EXPECT_EQ(WordTokenize("hi, my name can't hello,"),
            (Words{"hi", ",", "my", "name", "ca", "n't", "hello", ","}));
  EXPECT_EQ(WordTokenize("I don't know, I cannot say."),
            (Words{"I", "do", "n't", "know", ",", "I", "can", "not", "say", "."}));
  EXPECT_EQ(WordTokenize("It's John's gonna"), (Words{"It", "'s", "John", "'s", "gon", "na"}));
}

TEST(WordTokenizer, QuotesBecomeTreebankQuotes) {
  EXPECT_EQ(WordTokenize("\"Hello,\" she said: \"no!\""),
            (Words{"``", "Hello", ",", "''", "she", "said", ":", "``", "no", "!", "''"}));
  EXPECT_EQ(WordTokenize("the 'quoted' word"), (Words{"the", "'", "quoted", "'", "word"}));
}

TEST(WordTokenizer, PunctuationAndSymbols) {
  EXPECT_EQ(WordTokenize("Wait... what?! 50% off -- #deal @home; a*b"),
            (Words{"Wait", "...", "what", "?", "!", "50", "%", "off", "--", "#", "deal", "@", "home",
                   ";", "a", "*", "b"}));
  EXPECT_EQ(WordTokenize("Prices: 1,000 and 2:30"), (Words{"Prices", ":", "1,000", "and", "2:30"}));
}

TEST(WordTokenizer, AbbreviationsDoNotEndSentences) {
  // Abbreviations in any case end no sentence; other short words do.
  EXPECT_EQ(SplitSentences("DR. Who came. Prof. X left. Etc. more. Tom. He went."),
            (std::vector<std::string_view>{"DR. Who came.", "Prof. X left.", "Etc. more.", "Tom.", "He went."}));
  EXPECT_EQ(SplitSentences("E.g. This. U.S. Army. Cat. Dog.").size(), 4u);
  EXPECT_EQ(WordTokenize("Mr. Smith went to Washington. He left."),
            (Words{"Mr.", "Smith", "went", "to", "Washington", ".", "He", "left", "."}));
  EXPECT_EQ(SplitSentences("One. Two? Three! four").size(), 4u);
}

TEST(WordTokenizer, WhitespaceOnly) {
  EXPECT_EQ(WordTokenize("don't  stop,\tnow.", WordTokenizer::kWhitespace),
            (Words{"don't", "stop,", "now."}));
}

TEST(WordTokenizer, MalformedUtf8AndEmptyInputAreWords) {
  EXPECT_TRUE(WordTokenize("").empty());
  EXPECT_TRUE(WordTokenize("  \n ").empty());
  const Words w = WordTokenize(std::string("ab\xff" "cd ef"));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], "ab\xEF\xBF\xBD" "cd");  // the bad byte reads as U+FFFD
}

}  // namespace
}  // namespace strata::text

namespace strata::text {
namespace {

std::vector<std::string> ByRules(std::string_view s) {
  WordList w(s);
  TokenizeSentenceByRules(s, &w);
  return w.Strings();
}

// The one-scan tokenizer must give the rules' words wherever it answers.
void ExpectSameWords(std::string_view sentence) {
  WordList fast(sentence);
  if (!TokenizeSentenceFast(sentence, &fast)) return;
  EXPECT_EQ(fast.Strings(), ByRules(sentence)) << "sentence: [" << sentence << "]";
}

TEST(WordTokenizer, OneScanAgreesWithTheRulesOnHandPickedSentences) {
  for (const char* s : {
           "Good muffins cost $3.88 in New York.", "They'll save and invest more.", "hi, my name can't hello,",
           "a,,b", "a,b:c", "x,1 y:2 z:", "end.')", "the boys'", "'Tis the season", "x-'abc", "rock 'n' roll.",
           "gonna's wanna go", "d'ye more'n lemme gimme gotta", "cannot.", "Cannot, CANNOT!", "a---b -- c",
           "what?! ... ok..", "U.S. and e.g. x.y.", "3,36 euros (roughly)", "[1] {a} <b> *c*", "it's 50% off & more;",
           "no. :", "a ,", "He said 'hello' to me.", "I'm I'd I'M you're YOU'RE they've wouldn't WOULDN'T",
           "x's y'S z'd", "word' next", "Ünïcödé wörds, déjà vu.", "tab\tseparated\nlines ok.", "a.)\n)",
           "final ).", "'", "''", ".", "..", "a.", "a..", "a. ", ":", ",", "x:\n", "rock'n'roll", "o'clock's",
       }) {
    ExpectSameWords(s);
  }
}

TEST(WordTokenizer, OneScanAgreesWithTheRulesOnRandomStrings) {
  // Sentences from an alphabet dense in the characters the rules treat
  // specially; a fixed seed, so a failure is reproducible.
  const std::string alphabet = "aAbnstdmlrveoicgwy'.,:;!?-()[]<>{}*#$%&@ 0123456789\tÄé";
  testing_support::TestRandom next(42);
  size_t answered = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    const size_t len = 1 + next() % 24;
    for (size_t k = 0; k < len; ++k) {
      const size_t c = next() % alphabet.size();
      if (next() % 8 == 0) {  // pieces of the contractions, which the scan cuts only whole
        static const char* const kFragments[] = {"can", "not", "Cannot", "gim", "me", "gon", "na", "GOT", "ta",
                                                 "lem", "wan", "more", "'n", "d'ye", "wanna", "gotta", "lemme", "“", "”", "”.", ",”",
                                                 "“'", ".”", "”'s", "'”"};
        s += kFragments[next() % std::size(kFragments)];
        continue;
      }
      // Keep multi-byte letters whole.
      if (static_cast<unsigned char>(alphabet[c]) >= 0x80) {
        // Letters, and characters beyond ASCII that the rules do or do not
        // look at (typographic quotes, dashes and spaces go to the rules).
        static const char* const kLetters[] = {"Ä", "é", "à", "ß", "ı", "Σ", "•", "…", "©", "·", "€",
                                               "“", "”", "’", "«", "—", "\u00A0", "\u2009", "١"};
        s += kLetters[next() % std::size(kLetters)];
      } else {
        s += alphabet[c];
      }
    }
    WordList fast(s);
    if (TokenizeSentenceFast(s, &fast)) ++answered;
    ExpectSameWords(s);
    if (HasFailure()) return;
  }
  EXPECT_GT(answered, 10000u);  // the fast path is exercised, not skipped
}

// Texts of letters, digits and spaces, and symbols between spaces
// (simplify_text's output): the split between spaces equals the whole
// tokenizer; anything else is refused.
TEST(WordTokenizer, PlainAsciiAgreesWithTheTokenizer) {
  static const char* const kPieces[] = {"word", "cannot", "Gonna", "wanna", "gimme", "lemme", "gotta", "can",
                                        "not", "0", "42", " ", "  ", "x", "cannotx", "wannab",
                                        " \u00A9 ", " \u20AC\u00AE ", " \u00B0 "};
  testing_support::TestRandom next(21);
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    for (size_t k = next() % 20; k > 0; --k) s += kPieces[next() % std::size(kPieces)];
    WordList plain(s);
    ASSERT_TRUE(TokenizePlainAscii(s, &plain)) << s;
    ASSERT_EQ(plain.Strings(), TokenizeWords(s).Strings()) << "[" << s << "]";
  }
  for (const std::string other : {"a.b", "a,b", "don't", "caf\u00E9", "a\tb", "a\nb", "a-b", "gonna\u00A9",
                                   "\u00A9word", "x \u00A90 y", "a \u00AB b", "bad \xff"}) {
    WordList words(other);
    EXPECT_FALSE(TokenizePlainAscii(other, &words)) << other;
    EXPECT_TRUE(words.empty());
  }
}

TEST(WordTokenizer, SentenceSplitByJumpsAgreesWithChunkByChunkOnRandomTexts) {
  // Pieces dense in what ends a sentence or hides an end: terminators,
  // closing quotes (ASCII and typographic), abbreviations, initials,
  // ellipses, capitals, Unicode spaces; a fixed seed. Then broken UTF-8,
  // which takes the chunk-by-chunk way (still equal).
  static const char* const kPieces[] = {
      "word", "Word", "Mr", "e.g", "U", "x", ".", ".", "?", "!", "..", "…", "\"", "'", ")", "]", "}", "’", "”",
      "»", "(", "\u201C", " ", " ", " ", "  ", "\t", "\n", "\u00A0", "\u3000", "\u2009", "Éa", "ß", "1.5", "a.b"};
  testing_support::TestRandom next(7);
  size_t splits = 0;
  for (int n = 0; n < 30000; ++n) {
    std::string s = next.Pieces(kPieces, 30);
    if (n % 10 == 9) s.insert(next() % (s.size() + 1), 1, static_cast<char>(0x80 + next() % 0x40));
    const auto jumps = SplitSentences(s), chunks = SplitSentencesByChunks(s);
    ASSERT_EQ(jumps, chunks) << "text: [" << s << "]";
    splits += jumps.size() > 1;
  }
  EXPECT_GT(splits, 5000u);  // sentences do end in these texts
}

}  // namespace
}  // namespace strata::text
