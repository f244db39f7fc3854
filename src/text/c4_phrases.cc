#include "text/c4_phrases.h"

#include <algorithm>
#include <array>
#include <bit>
#include <string>
#include <utility>

#include "common/byte_set.h"
#include "common/swar.h"
#include "text/unicode.h"

namespace strata::text {

namespace {

// The phrases c4_quality looks for in a lowercased line, found in the
// line's bytes by one of their rarer letters (k, v, f, p) at a known place:
// only where one stands is a phrase compared, each letter in either case
// (C4PhrasesIn says for which lines that equals lowercasing first).
struct C4Anchor {
  char letter;
  size_t at;  // of the letter in the phrase
  std::string_view phrase;
  C4Phrase kind;
};
// By letter: C4PhrasesAt looks only at its letter's.
constexpr C4Anchor kC4Anchors[] = {
    {'f', 7, "terms of use", kPolicy},     {'k', 3, "cookie policy", kPolicy},
    {'k', 8, "uses cookies", kPolicy},     {'k', 10, "use of cookies", kPolicy},
    {'k', 7, "use cookies", kPolicy},      {'p', 7, "lorem ipsum", kLoremIpsum},
    {'v', 2, "javascript", kJavascript},   {'v', 3, "privacy policy", kPolicy}};

// An anchor's phrase as two 8-byte loads compare to it: the bytes, which
// bits must match, and the case bit set on letters before comparing.
struct PackedPhrase {
  uint64_t want[2] = {}, care[2] = {}, fold[2] = {};
};
constexpr PackedPhrase Pack(std::string_view phrase) {
  PackedPhrase p;
  for (size_t k = 0; k < phrase.size(); ++k) {
    const uint64_t shift = 8 * (k % 8);
    p.want[k / 8] |= uint64_t{static_cast<unsigned char>(phrase[k])} << shift;
    p.care[k / 8] |= uint64_t{0xFF} << shift;
    if (phrase[k] != ' ') p.fold[k / 8] |= uint64_t{0x20} << shift;
  }
  return p;
}
constexpr auto kPacked = [] {
  std::array<PackedPhrase, std::size(kC4Anchors)> t{};
  for (size_t i = 0; i < t.size(); ++i) t[i] = Pack(kC4Anchors[i].phrase);
  return t;
}();
static_assert([] {
  for (const C4Anchor& a : kC4Anchors) {
    if (a.phrase.size() > 16 || a.phrase[a.at] != a.letter) return false;
  }
  return true;
}());

// The anchors of one letter: [first, last) of kC4Anchors.
constexpr std::pair<size_t, size_t> AnchorsOf(char letter) {
  size_t first = 0;
  while (first < std::size(kC4Anchors) && kC4Anchors[first].letter != letter) ++first;
  size_t last = first;
  while (last < std::size(kC4Anchors) && kC4Anchors[last].letter == letter) ++last;
  return {first, last};
}

// Whether the line holds anchor i's phrase from byte `start` on.
bool PhraseAt(std::string_view line, size_t start, size_t i) {
  const std::string_view phrase = kC4Anchors[i].phrase;
  if (start + 16 <= line.size()) {  // two loads, compared whole
    const PackedPhrase& p = kPacked[i];
    const uint64_t head = swar::Load(line.data() + start), tail = swar::Load(line.data() + start + 8);
    return (((head | p.fold[0]) & p.care[0]) == p.want[0]) & (((tail | p.fold[1]) & p.care[1]) == p.want[1]);
  }
  for (size_t k = 0; k < phrase.size(); ++k) {
    const char c = line[start + k];
    if (phrase[k] == ' ' ? c != ' ' : (c | 0x20) != phrase[k]) return false;
  }
  return true;
}

// The phrases a line holds where its byte j is an anchor letter.
uint32_t C4PhrasesAt(std::string_view line, size_t j) {
  static constexpr std::pair<size_t, size_t> kF = AnchorsOf('f'), kK = AnchorsOf('k'), kP = AnchorsOf('p'),
                                              kV = AnchorsOf('v');
  std::pair<size_t, size_t> range;
  switch (line[j] | 0x20) {
    case 'f': range = kF; break;
    case 'k': range = kK; break;
    case 'p': range = kP; break;
    case 'v': range = kV; break;
    default: return 0;
  }
  uint32_t found = 0;
  for (size_t i = range.first; i < range.second; ++i) {
    const C4Anchor& a = kC4Anchors[i];
    if (j < a.at || j - a.at + a.phrase.size() > line.size()) continue;
    if (PhraseAt(line, j - a.at, i)) found |= a.kind;
  }
  return found;
}

// The anchor letters in either case, and the lead bytes of the Kelvin sign
// (E2 84 AA) and İ (C4 B0).
constexpr ByteSet kAnchorOrLead("fFkKpPvV\xE2\xC4");
static_assert(kAnchorOrLead.ByNibbles());

// The line lowercased first, then searched (a line with K or İ).
uint32_t C4PhrasesLowered(std::string_view line) {
  thread_local std::string lower;
  LowerInto(line, &lower);
  uint32_t found = 0;
  for (const C4Anchor& a : kC4Anchors) {  // each phrase has one anchor
    if (lower.find(a.phrase) != std::string::npos) found |= a.kind;
  }
  return found;
}

}  // namespace

uint32_t C4PhrasesIn(std::string_view line) {
  // Lowercasing maps no code point beyond ASCII to an ASCII letter but the
  // Kelvin sign (to k) and İ (to i), and no byte of a multi-byte character
  // equals an ASCII one: without those two, the bytes are searched as they
  // are. One mask per 64 bytes holds the anchors and both lead bytes.
  uint32_t found = 0;
  for (size_t base = 0; base < line.size(); base += 64) {
    for (uint64_t marked = kAnchorOrLead.Mask(line, base);
         marked != 0; marked &= marked - 1) {
      const size_t j = base + static_cast<size_t>(std::countr_zero(marked));
      if (static_cast<unsigned char>(line[j]) < 0x80) {
        found |= C4PhrasesAt(line, j);
      } else if (line.substr(j, 3) == "\xE2\x84\xAA" || line.substr(j, 2) == "\xC4\xB0") {
        return C4PhrasesLowered(line);
      }
    }
  }
  return found;
}

}  // namespace strata::text
