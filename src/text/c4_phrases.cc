#include "text/c4_phrases.h"

#include <string>

#include "common/swar.h"
#include "text/unicode.h"

namespace strata::text {

namespace {

// The phrases c4_quality looks for in a lowercased line, found in the
// line's bytes by one of their rarer letters (k, v, f, p) at a known place:
// eight bytes at a time, only where one stands is a phrase compared, each
// letter in either case (C4PhrasesIn says for which lines that equals
// lowercasing first).
struct C4Anchor {
  char letter;
  size_t at;  // of the letter in the phrase
  std::string_view phrase;
  C4Phrase kind;
};
constexpr C4Anchor kC4Anchors[] = {
    {'p', 7, "lorem ipsum", kLoremIpsum},  {'v', 2, "javascript", kJavascript}, {'v', 3, "privacy policy", kPolicy},
    {'f', 7, "terms of use", kPolicy},     {'k', 3, "cookie policy", kPolicy},  {'k', 8, "uses cookies", kPolicy},
    {'k', 10, "use of cookies", kPolicy},  {'k', 7, "use cookies", kPolicy}};

// The phrases a line holds where its byte j is an anchor letter.
uint32_t C4PhrasesAt(std::string_view line, size_t j) {
  const char letter = static_cast<char>(line[j] | 0x20);
  uint32_t found = 0;
  for (const C4Anchor& a : kC4Anchors) {
    if (a.letter != letter || j < a.at || j - a.at + a.phrase.size() > line.size()) continue;
    bool same = true;
    for (size_t k = 0, start = j - a.at; k < a.phrase.size() && same; ++k) {
      const char c = line[start + k];
      same = a.phrase[k] == ' ' ? c == ' ' : (c | 0x20) == a.phrase[k];
    }
    if (same) found |= a.kind;
  }
  return found;
}

uint32_t C4PhrasesInBytes(std::string_view line) {
  uint32_t found = 0;
  size_t j = 0;
  for (; j + 8 <= line.size(); j += 8) {
    const uint64_t folded = swar::Load(line.data() + j) | (swar::kOnes * 0x20);
    for (uint64_t maybe = swar::Equal(folded, 'k') | swar::Equal(folded, 'v') | swar::Equal(folded, 'f') |
                          swar::Equal(folded, 'p');
         maybe != 0; maybe &= maybe - 1) {
      found |= C4PhrasesAt(line, j + swar::Lowest(maybe));  // a false flag finds nothing
    }
  }
  for (; j < line.size(); ++j) found |= C4PhrasesAt(line, j);
  return found;
}

}  // namespace

uint32_t C4PhrasesIn(std::string_view line) {
  // Lowercasing maps no code point beyond ASCII to an ASCII letter but the
  // Kelvin sign (to k) and İ (to i), and no byte of a multi-byte character
  // equals an ASCII one: without those two, the bytes are scanned as they are.
  if (line.find("\xE2\x84\xAA") == std::string_view::npos && line.find("\xC4\xB0") == std::string_view::npos) {
    return C4PhrasesInBytes(line);
  }
  thread_local std::string lower;
  LowerInto(line, &lower);
  uint32_t found = 0;
  for (const C4Anchor& a : kC4Anchors) {  // each phrase has one anchor
    if (lower.find(a.phrase) != std::string::npos) found |= a.kind;
  }
  return found;
}

}  // namespace strata::text
