#include "text/c4_phrases.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "text/unicode.h"

namespace strata::text {
namespace {

// What c4_quality asks, the slow way: the line lowercased, then searched.
uint32_t Expected(std::string_view line) {
  std::string lower;
  LowerInto(line, &lower);
  uint32_t found = 0;
  if (lower.find("lorem ipsum") != std::string::npos) found |= kLoremIpsum;
  if (lower.find("javascript") != std::string::npos) found |= kJavascript;
  for (const char* p : {"terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"}) {
    if (lower.find(p) != std::string::npos) found |= kPolicy;
  }
  return found;
}

TEST(C4PhrasesTest, FindsEachPhraseInAnyCaseAndPlace) {
  EXPECT_EQ(C4PhrasesIn("Lorem Ipsum dolor sit amet"), kLoremIpsum);
  EXPECT_EQ(C4PhrasesIn("enable JAVASCRIPT"), kJavascript);  // at the very end: no 16 bytes to load
  EXPECT_EQ(C4PhrasesIn("read our Privacy Policy and the Terms of Use."), kPolicy);
  EXPECT_EQ(C4PhrasesIn("this site uses cookies"), kPolicy);
  EXPECT_EQ(C4PhrasesIn("lorem ipsum and javascript and use of cookies"), kLoremIpsum | kJavascript | kPolicy);
  EXPECT_EQ(C4PhrasesIn("loremipsum java script terms  of use"), 0u);
  EXPECT_EQ(C4PhrasesIn("terms\tof use"), 0u);  // a space is only a space
  EXPECT_EQ(C4PhrasesIn(""), 0u);
  // The Kelvin sign lowercases to k, İ to i: only lowercasing finds these.
  EXPECT_EQ(C4PhrasesIn("use coo\u212Aies"), kPolicy);
  EXPECT_EQ(C4PhrasesIn("lorem \u0130psum"), Expected("lorem \u0130psum"));
}

TEST(C4PhrasesTest, AgreesWithLowercasingOnRandomLines) {
  // Pieces of the phrases, their letters in random case, and other bytes,
  // so that phrases start, end and break across 64-byte windows.
  const std::string pieces[] = {"lorem", "ipsum", "java", "script", "terms", "of", "use", "uses", "privacy",
                                "policy", "cookie", "cookies", " ", " ", "x", "\u212A", "\u201C", ".", "\n"};
  std::mt19937 random(5);
  int with_phrase = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string line;
    const int parts = static_cast<int>(random() % 40);
    for (int k = 0; k < parts; ++k) {
      std::string piece = pieces[random() % std::size(pieces)];
      for (char& c : piece) {
        if (c >= 'a' && c <= 'z' && random() % 3 == 0) c = static_cast<char>(c - 32);
      }
      line += piece;
    }
    ASSERT_EQ(C4PhrasesIn(line), Expected(line)) << line;
    with_phrase += Expected(line) != 0;
  }
  EXPECT_GT(with_phrase, 1000);  // the lines do hold phrases
}

}  // namespace
}  // namespace strata::text
