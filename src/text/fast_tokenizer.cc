// NLTKWordTokenizer's rules as one scan, for the sentences most text is made
// of. Why it gives the same words as the rules one after the other
// (word_tokenizer.cc), rule by rule, for a sentence without `"`, '`', `''`
// and the typographic quotes (but “ and ”), dashes and spaces:
// - starting quotes: only the apostrophe rule applies — an apostrophe after
//   a non-word character and before a word that is not a clitic ('s, 're,
//   ...) ends its piece;
// - the final period (with only closers and spaces after it) is its own
//   token, and so is each closer after it; the second final-period rule
//   then changes nothing;
// - `:` and `,` not before a digit (or last) are tokens; the character after
//   one is consumed by that rule, so it is never split as one itself;
// - runs of two or more periods, `;@#$%&?!*`, brackets and `--` are tokens;
// - an apostrophe ending a piece is split off; then a piece ending in 's 'm
//   'd (any case) and then in 'll 're 've n't (lower or upper case) is cut
//   before it (every piece is followed by a space by then);
// - `cannot`, `gonna`, ... are cut where they stand between word
//   boundaries;
// - “ is padded with spaces by the first starting-quote rule, before any
//   rule looks at its neighbours; ” by the first ending-quote rule, after
//   the punctuation rules — to which it is a character like a letter (taken
//   after `:` or `,` like any other) but for the first final-period rule,
//   which counts it among the closers — and before the clitic rules, which
//   then see a space: both cut the piece and are tokens.
// word_tokenizer_test.cc checks both ways agree on hand-picked sentences and
// on 20,000 random strings (a million once, by hand, when “ and ” joined);
// they also agreed on all 186,281 fast-path sentences of the 20 MB
// generated corpus (checked once, by hand, before that).
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "common/byte_set.h"
#include "common/swar.h"
#include "text/nltk_rules.h"
#include "text/unicode.h"
#include "text/word_tokenizer.h"

namespace strata::text {

namespace {

// What the first scan looks at in a byte; most bytes (spaces too) are kOrdinary.
enum ByteKind : uint8_t { kOrdinary, kSpecial, kApostrophe, kStray, kLead };
constexpr auto kCheckKind = [] {
  std::array<ByteKind, 256> t{};
  for (int b = 0x80; b < 0xC0; ++b) t[b] = kStray;  // a continuation byte without its lead
  for (int b = 0xC0; b < 0x100; ++b) t[b] = kLead;
  t['"'] = t['`'] = kSpecial;
  t['\''] = kApostrophe;
  return t;
}();

// The bytes the second scan stops at; it steps over the others. 0xE2 is
// the lead byte of “ and ” (and of other characters, stepped over).
constexpr ByteSet kStops("\t\n\v\f\r\x1C\x1D\x1E\x1F \xE2.:,-';@#$%&?!*[]()<>{}");
static_assert(kStops.ByNibbles(), "the scan's stops fit AVX2's nibble classification");

constexpr auto kAsciiAlnum = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] = t[static_cast<size_t>(c - 32)] = true;
  return t;
}();

constexpr auto kMayStartContraction = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("cdglmwCDGLMW")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// NLTK's contractions made of letters only (cannot, gimme, gonna, gotta,
// lemme, wanna; the others hold an apostrophe), lowercase, packed as an
// 8-byte load reads them.
constexpr uint64_t Packed(std::string_view a, std::string_view b) {
  uint64_t x = 0;
  size_t k = 0;
  for (const char c : a) x |= uint64_t{static_cast<unsigned char>(c)} << (8 * k++);
  for (const char c : b) x |= uint64_t{static_cast<unsigned char>(c)} << (8 * k++);
  return x;
}
constexpr auto kLetterContractions = [] {
  std::array<uint64_t, std::size(nltk::kContractions)> t{};  // unused entries 0: no piece loads as that
  size_t k = 0;
  for (const nltk::Contraction& c : nltk::kContractions) {
    if (c.a.find('\'') == std::string_view::npos && c.b.find('\'') == std::string_view::npos) t[k++] = Packed(c.a, c.b);
  }
  return t;
}();

// Whether a piece of n ASCII letters and digits is one of those whole, given
// its first eight bytes as loaded (a contraction inside such a piece would
// not start a word): compared all at once, without a branch.
bool IsLetterContraction(uint64_t head, size_t n) {
  const uint64_t lower = (head | swar::kOnes * 0x20) & ((swar::FirstBytes(n) >> 7) * 0xFF);
  bool any = false;
  for (const uint64_t c : kLetterContractions) any |= lower == c;
  return any;
}

// The first eight bytes of a piece (zero past `end`, where its buffer ends).
uint64_t HeadOf(std::string_view piece, const char* end) {
  if (end - piece.data() >= 8) return swar::Load(piece.data());
  uint64_t head = 0;
  std::memcpy(&head, piece.data(), std::min<size_t>(8, piece.size()));
  return head;
}

// The code points beyond ASCII that a rule looks for and the scan leaves to
// the rules: the typographic quotes but “ and ”, the dashes, and the spaces
// (IsSpace). Every other one (é, •, …, ©) is a letter of a piece to the
// rules as to the scan.
bool LeftToRules(char32_t c) {
  switch (c) {
    case U'«': case U'‘': case U'„': case U'»': case U'’':
    case 0x2012: case 0x2013: case 0x2014: case 0x2015:
      return true;
    default:
      return c > 0x7F && IsSpace(c);
  }
}

// The bytes kCheckKind does not call kOrdinary.
constexpr ByteSet kToCheck = ByteSet::Of([](unsigned char b) { return kCheckKind[b] != kOrdinary; });
static_assert(kToCheck.ByNibbles());


// Every byte is ASCII-safe or part of a valid code point, and none is one
// the fast path leaves to the rules.
bool FastPathTakes(std::string_view t) {
  size_t last_apostrophe = std::string_view::npos;
  for (size_t i = 0;;) {
    i = kToCheck.Find(t, i);  // the first byte not kOrdinary
    if (i == t.size()) return true;
    switch (kCheckKind[static_cast<unsigned char>(t[i])]) {
      case kOrdinary:
      case kSpecial:
      case kStray:
        return false;
      case kApostrophe:
        // Two apostrophes in one whitespace-delimited chunk: the clitic
        // rules' order matters there.
        if (last_apostrophe != std::string_view::npos) {
          size_t k = last_apostrophe + 1;
          while (k < i && !(static_cast<unsigned char>(t[k]) < 0x80 && IsSpace(static_cast<unsigned char>(t[k])))) ++k;
          if (k == i) return false;
        }
        last_apostrophe = i++;
        break;
      case kLead: {
        const char32_t c = NextCodePoint(t, &i);
        if (c == 0xFFFD || LeftToRules(c)) return false;  // valid UTF-8 only
        break;
      }
    }
  }
}

// Only ASCII spaces reach the scan (the others send a sentence to the rules);
// a byte inside a multi-byte character is never one.
bool AsciiSpace(char c) { return static_cast<unsigned char>(c) < 0x80 && IsSpace(static_cast<unsigned char>(c)); }

bool SingleCharToken(char c) {
  switch (c) {
    case ';': case '@': case '#': case '$': case '%': case '&': case '?': case '!': case '*':
    case '[': case ']': case '(': case ')': case '<': case '>': case '{': case '}':
      return true;
    default:
      return false;
  }
}

// The final period: the last '.', not after another, with only closers
// (`])}>'`, ” and spaces) after it, then whitespace. npos if none.
size_t FinalPeriodAt(std::string_view t) {
  size_t p = t.size();
  while (p > 0) {
    const char c = t[p - 1];
    if (c == ']' || c == ')' || c == '}' || c == '>' || c == '\'' || AsciiSpace((c))) {
      --p;
    } else if (p >= 3 && t.substr(p - 3, 3) == "”") {
      p -= 3;
    } else {
      break;
    }
  }
  if (p < 2 || t[p - 1] != '.' || t[p - 2] == '.') return std::string_view::npos;
  // Closers (spaces among them), then any whitespace, then the end.
  size_t j = p;
  while (j < t.size()) {
    if (std::string_view("])}>' ").find(t[j]) != std::string_view::npos) {
      ++j;
    } else if (t.substr(j, 3) == "”") {
      j += 3;
    } else {
      break;
    }
  }
  while (j < t.size() && AsciiSpace((t[j]))) ++j;
  return j == t.size() ? p - 1 : std::string_view::npos;
}

// The first two letters of a contraction (can, d'ye, gim, gon, got, lem,
// more, wan) at byte i: most words starting with c, d, g, l, m or w have
// other second letters, and need no closer look.
bool MayContinueContraction(std::string_view piece, size_t i) {
  if (i + 1 >= piece.size()) return false;
  const char second = static_cast<char>(piece[i + 1] | 0x20);
  switch (piece[i] | 0x20) {
    case 'c': case 'w': return second == 'a';
    case 'd': return piece[i + 1] == '\'';
    case 'g': return second == 'i' || second == 'o';
    case 'l': return second == 'e';
    case 'm': return second == 'o';
    default: return false;
  }
}

// Cuts `cannot` & co. inside a piece (followed by a space, as every piece is).
void EmitWithContractions(std::string_view piece, WordList* words) {
  size_t start = 0;
  for (size_t i = 0; i < piece.size(); ++i) {
    if (!kMayStartContraction[static_cast<unsigned char>(piece[i])]) continue;
    // Only where a word starts: after an ASCII letter or digit it cannot.
    if (i > 0) {
      const char before = static_cast<char>(piece[i - 1] | 0x20);
      if ((before >= 'a' && before <= 'z') || (piece[i - 1] >= '0' && piece[i - 1] <= '9')) continue;
    }
    if (!MayContinueContraction(piece, i)) continue;
    const nltk::Contraction* c = nltk::ContractionAt(piece, i, /*at_end=*/true);
    if (c == nullptr) continue;
    if (i > start) words->Add(piece.substr(start, i - start));
    words->Add(piece.substr(i, c->a.size()));
    words->Add(piece.substr(i + c->a.size(), c->b.size()));
    start = i + c->a.size() + c->b.size();
    i = start - 1;
  }
  if (start < piece.size()) words->Add(piece.substr(start));
}

// A piece of up to sixteen ASCII letters and digits that cannot hold a
// contraction (EmitPiece's first case), told without a branch when sixteen
// bytes of the sentence are readable from its start: word lengths vary too
// much for branches on them to be predicted.
[[gnu::always_inline]] inline bool IsPlainWord(std::string_view piece, std::string_view sentence) {
  static constexpr char kNothing[16] = {};  // read instead of bytes past the sentence
  const size_t n = piece.size();
  const bool readable = piece.data() + 16 <= sentence.data() + sentence.size();
  const char* p = readable ? piece.data() : kNothing;
  auto alnum = [](uint64_t x) { return (swar::AsciiLetters(x) | swar::AsciiDigits(x)) & ~swar::NonAscii(x); };
  const uint64_t head = swar::FirstBytes(n), tail = swar::FirstBytes(n > 8 ? n - 8 : 0);
  const bool letters = ((alnum(swar::Load(p)) & head) == head) & ((alnum(swar::Load(p + 8)) & tail) == tail);
  const bool may_contract = IsLetterContraction(swar::Load(p), n);
  return readable & (n <= 16) & letters & !may_contract;
}

// A piece as the rules leave it: a trailing apostrophe split off, then the
// clitics, then the contractions.
void EmitPiece(std::string_view piece, WordList* words) {
  if (piece.empty()) return;
  // Most pieces are ASCII letters and digits: no apostrophe for the clitic
  // rules, no word start inside, and a contraction without one (cannot,
  // gimme, gonna, gotta, lemme, wanna) ends at a word's end, so only a whole
  // piece can be one — anything else is a word as it stands.
  bool alnum = true;
  for (const char c : piece) alnum = alnum && kAsciiAlnum[static_cast<unsigned char>(c)];
  if (alnum && !IsLetterContraction(HeadOf(piece, piece.data() + piece.size()), piece.size())) {
    words->Add(piece);
    return;
  }
  if (piece.size() >= 2 && piece.back() == '\'' && piece[piece.size() - 2] != '\'') {
    EmitPiece(piece.substr(0, piece.size() - 1), words);
    words->Add(piece.substr(piece.size() - 1));
    return;
  }
  const size_t n = piece.size();
  if (n >= 3 && piece[n - 2] == '\'' && std::string_view("sSmMdD").find(piece[n - 1]) != std::string_view::npos &&
      piece[n - 3] != '\'') {
    EmitWithContractions(piece.substr(0, n - 2), words);
    words->Add(piece.substr(n - 2));
    return;
  }
  if (n >= 4 && piece[n - 4] != '\'' && (piece[n - 3] == '\'' || piece[n - 2] == '\'')) {
    const std::string_view tail = piece.substr(n - 3);
    static constexpr std::string_view kClitics[] = {"'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T"};
    for (std::string_view c : kClitics) {
      if (tail != c) continue;
      EmitWithContractions(piece.substr(0, n - 3), words);
      words->Add(tail);
      return;
    }
  }
  EmitWithContractions(piece, words);
}

}  // namespace

namespace {

// Whether every piece between spaces with a byte past ASCII is made of
// symbols only (Unicode S*: ©, €, °): no rule of the tokenizer's touches
// such a piece. (Next to a letter one could: "gonna©" is "gon", "na©".)
bool SymbolsStandAlone(std::string_view t) {
  for (size_t start = 0; start < t.size();) {
    size_t end = t.find(' ', start);
    if (end == std::string_view::npos) end = t.size();
    const std::string_view piece = t.substr(start, end - start);
    if (AsciiPrefix(piece) < piece.size()) {
      for (size_t i = 0; i < piece.size();) {
        const auto b = static_cast<unsigned char>(piece[i]);
        const size_t at = i;
        const char32_t c = NextCodePoint(piece, &i);
        const bool replaced = c == 0xFFFD && piece.compare(at, 3, "\xEF\xBF\xBD") != 0;
        if (b < 0x80 || !IsSymbol(c) || replaced) return false;
      }
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

// What TokenizePlainAscii takes as it is: ASCII letters, digits and the
// space; the bytes past ASCII (checked further); the rest sends a text away.
constexpr ByteSet kNotPlainAscii = ByteSet::Of([](unsigned char b) { return !kAsciiAlnum[b] && b != ' '; });
constexpr ByteSet kNotPlainAsciiOnly = ByteSet::Of([](unsigned char b) { return b < 0x80 && !kAsciiAlnum[b] && b != ' '; });
constexpr ByteSet kSpace(" ");
static_assert(kNotPlainAscii.ByNibbles() && kNotPlainAsciiOnly.ByNibbles());

bool TokenizePlainAscii(std::string_view t, WordList* words) {
  // Checked whole first: nothing is added to a text that is not plain.
  bool beyond_ascii = false;
  for (size_t base = 0; base < t.size(); base += 64) {
    const uint64_t unusual = kNotPlainAscii.Mask(t, base);
    if (unusual == 0) continue;
    if (kNotPlainAsciiOnly.Mask(t, base) != 0) return false;  // punctuation, controls
    beyond_ascii = true;
  }
  if (beyond_ascii && !SymbolsStandAlone(t)) return false;
  // One sentence (nothing ends one), no rule but the contractions applies:
  // the scan's pieces are the chunks between spaces, all letters and digits.
  size_t start = 0;
  auto cut = [&](size_t end) {
    if (end <= start) return;
    const std::string_view piece = t.substr(start, end - start);
    if (IsLetterContraction(HeadOf(piece, t.data() + t.size()), piece.size())) {
      EmitPiece(piece, words);
    } else {
      words->Add(piece);
    }
  };
  // The spaces 64 bytes at a time (words are short: a memchr per word cost
  // more than the scan).
  for (size_t base = 0; base < t.size(); base += 64) {
    for (uint64_t spaces = kSpace.Mask(t, base); spaces != 0; spaces &= spaces - 1) {
      const size_t at = base + static_cast<size_t>(std::countr_zero(spaces));
      cut(at);
      start = at + 1;
    }
  }
  cut(t.size());
  return true;
}

bool TokenizeSentenceFast(std::string_view t, WordList* words) {
  if (!FastPathTakes(t)) return false;
  const size_t final_period = FinalPeriodAt(t);
  // `([:,])$` (Python's `$` also before a final newline).
  size_t last_colon = std::string_view::npos;
  if (!t.empty()) {
    size_t last = t.size() - 1;
    if (t[last] == '\n' && last > 0) --last;
    if (t[last] == ':' || t[last] == ',') last_colon = last;
  }
  size_t start = 0;  // of the current piece
  auto cut = [&](size_t end) {
    if (end <= start) return;
    const std::string_view piece = t.substr(start, end - start);
    if (IsPlainWord(piece, t)) {
      words->Add(piece);
    } else {
      EmitPiece(piece, words);
    }
  };
  // The stops of 64 bytes at a time, one set bit each; a rule that takes
  // more than the stop's byte moves `i` past the stops it covers.
  size_t i = 0;                                 // the first byte no rule has taken
  size_t consumed_at = std::string_view::npos;  // the character a split `:`/`,` took
  for (size_t base = 0; base < t.size(); base += 64) {
    for (uint64_t stops = kStops.Mask(t, base); stops != 0; stops &= stops - 1) {
      const size_t at = base + static_cast<size_t>(std::countr_zero(stops));
      if (at < i) continue;
      i = at;
      const char c = t[i];
      const bool taken = i == consumed_at;
      if (AsciiSpace((c))) {
        cut(i);
        start = i = i + 1;
        continue;
      }
      if (i == final_period) {
        cut(i);
        words->Add(t.substr(i, 1));
        for (size_t j = i + 1; j < t.size(); ++j) {
          if (t.substr(j, 3) == "”") {
            words->Add(t.substr(j, 3));
            j += 2;
          } else if (!AsciiSpace((t[j]))) {
            words->Add(t.substr(j, 1));
          }
        }
        return true;
      }
      if ((c == ':' || c == ',') &&
          ((!taken && i + 1 < t.size() && !IsDecimal([&] { size_t j = i + 1; return NextCodePoint(t, &j); }())) ||
           i == last_colon)) {
        cut(i);
        words->Add(t.substr(i, 1));
        start = i = i + 1;
        consumed_at = i;
        continue;
      }
      if (c == '.' && i + 1 < t.size() && t[i + 1] == '.') {
        size_t j = i;
        while (j < t.size() && t[j] == '.') ++j;
        cut(i);
        words->Add(t.substr(i, j - i));
        start = i = j;
        continue;
      }
      if (c == '-' && i + 1 < t.size() && t[i + 1] == '-') {
        cut(i);
        words->Add(t.substr(i, 2));
        start = i = i + 2;
        continue;
      }
      // “ is padded with spaces before the punctuation rules, ” after them
      // (the rules above never match at either): both cut the piece and are
      // tokens of their own.
      if (c == '\xE2' && (t.substr(i, 3) == "“" || t.substr(i, 3) == "”")) {
        cut(i);
        words->Add(t.substr(i, 3));
        start = i = i + 3;
        continue;
      }
      if (SingleCharToken(c)) {
        cut(i);
        words->Add(t.substr(i, 1));
        start = i = i + 1;
        continue;
      }
      if (c == '\'' && nltk::OpensWord(t, i)) {  // the apostrophe ends its piece
        cut(i + 1);
        start = i = i + 1;
      }
    }
  }
  cut(t.size());
  return true;
}

}  // namespace strata::text
