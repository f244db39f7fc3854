// NLTK's word_tokenize on the examples from its documentation, and the
// cases datatrove's filters depend on.
#include "text/word_tokenizer.h"

#include <gtest/gtest.h>

namespace strata::text {
namespace {

using Words = std::vector<std::string>;

TEST(WordTokenizer, NltkDocumentationExample) {
  EXPECT_EQ(WordTokenize("Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks."),
            (Words{"Good", "muffins", "cost", "$", "3.88", "in", "New", "York", ".", "Please", "buy",
                   "me", "two", "of", "them", ".", "Thanks", "."}));
}

TEST(WordTokenizer, OneSentenceKeepsInnerPeriods) {
  Words words;
  TokenizeSentence("Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.", &words);
  EXPECT_EQ(words, (Words{"Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")",
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
