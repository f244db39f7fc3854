// NLTKWordTokenizer's rules as one scan, for the sentences most text is made
// of. Why it gives the same words as the rules one after the other
// (word_tokenizer.cc), rule by rule, for a sentence without `"`, '`', `''`
// and the typographic quotes, dashes and spaces:
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
//   boundaries.
// word_tokenizer_test.cc checks both ways agree on hand-picked sentences and
// on 20,000 random strings; they also agreed on all 186,281 fast-path
// sentences of the 20 MB generated corpus (checked once, by hand).
#include <string>
#include <vector>

#include "text/nltk_rules.h"
#include "text/unicode.h"
#include "text/word_tokenizer.h"

namespace strata::text {

namespace {

bool Special(unsigned char b) {
  // '"', '`', and lead bytes of the typographic quotes, dashes and spaces
  // (U+0085, U+00A0, U+1680, U+2000-U+205F, U+3000).
  return b == '"' || b == '`' || b == 0xC2 || b == 0xE1 || b == 0xE2 || b == 0xE3;
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
// (`])}>'` and spaces) after it, then whitespace. npos if none.
size_t FinalPeriodAt(std::string_view t) {
  size_t p = t.size();
  while (p > 0) {
    const char c = t[p - 1];
    if (c == ']' || c == ')' || c == '}' || c == '>' || c == '\'' || AsciiSpace((c))) {
      --p;
    } else {
      break;
    }
  }
  if (p < 2 || t[p - 1] != '.' || t[p - 2] == '.') return std::string_view::npos;
  // Closers (spaces among them), then any whitespace, then the end.
  size_t j = p;
  while (j < t.size() && std::string_view("])}>' ").find(t[j]) != std::string_view::npos) ++j;
  while (j < t.size() && AsciiSpace((t[j]))) ++j;
  return j == t.size() ? p - 1 : std::string_view::npos;
}

// Cuts `cannot` & co. inside a piece (followed by a space, as every piece is).
void EmitWithContractions(std::string_view piece, std::vector<std::string>* words) {
  size_t start = 0;
  for (size_t i = 0; i < piece.size(); ++i) {
    // Only where a word starts: after an ASCII letter or digit it cannot.
    if (i > 0) {
      const char before = static_cast<char>(piece[i - 1] | 0x20);
      if ((before >= 'a' && before <= 'z') || (piece[i - 1] >= '0' && piece[i - 1] <= '9')) continue;
    }
    const nltk::Contraction* c = nltk::ContractionAt(piece, i, /*at_end=*/true);
    if (c == nullptr) continue;
    if (i > start) words->emplace_back(piece.substr(start, i - start));
    words->emplace_back(piece.substr(i, c->a.size()));
    words->emplace_back(piece.substr(i + c->a.size(), c->b.size()));
    start = i + c->a.size() + c->b.size();
    i = start - 1;
  }
  if (start < piece.size()) words->emplace_back(piece.substr(start));
}

// A piece as the rules leave it: a trailing apostrophe split off, then the
// clitics, then the contractions.
void EmitPiece(std::string_view piece, std::vector<std::string>* words) {
  if (piece.empty()) return;
  if (piece.size() >= 2 && piece.back() == '\'' && piece[piece.size() - 2] != '\'') {
    EmitPiece(piece.substr(0, piece.size() - 1), words);
    words->emplace_back("'");
    return;
  }
  const size_t n = piece.size();
  if (n >= 3 && piece[n - 2] == '\'' && std::string_view("sSmMdD").find(piece[n - 1]) != std::string_view::npos &&
      piece[n - 3] != '\'') {
    EmitWithContractions(piece.substr(0, n - 2), words);
    words->emplace_back(piece.substr(n - 2));
    return;
  }
  if (n >= 4 && piece[n - 4] != '\'' && (piece[n - 3] == '\'' || piece[n - 2] == '\'')) {
    const std::string_view tail = piece.substr(n - 3);
    static constexpr std::string_view kClitics[] = {"'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T"};
    for (std::string_view c : kClitics) {
      if (tail != c) continue;
      EmitWithContractions(piece.substr(0, n - 3), words);
      words->emplace_back(tail);
      return;
    }
  }
  EmitWithContractions(piece, words);
}

}  // namespace

bool TokenizeSentenceFast(std::string_view t, std::vector<std::string>* words) {
  size_t apostrophes = 0;  // in this whitespace-delimited chunk
  for (size_t i = 0; i < t.size(); ++i) {
    const auto b = static_cast<unsigned char>(t[i]);
    if (Special(b)) return false;
    // Two apostrophes in one piece: the clitic rules' order matters there.
    if (AsciiSpace(static_cast<char>(b))) apostrophes = 0;
    if (b == '\'' && ++apostrophes > 1) return false;
    if (b == '\'' && i + 1 < t.size() && t[i + 1] == '\'') return false;
    if (b >= 0x80 && (b & 0xC0) != 0x80) {  // valid UTF-8 only
      size_t j = i;
      if (NextCodePoint(t, &j) == 0xFFFD) return false;
    }
  }
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
    if (end > start) EmitPiece(t.substr(start, end - start), words);
  };
  bool consumed = false;  // the previous `:`/`,` took this character
  for (size_t i = 0; i < t.size();) {
    const char c = t[i];
    const bool taken = consumed;
    consumed = false;
    if (AsciiSpace((c))) {
      cut(i);
      start = ++i;
      continue;
    }
    if (i == final_period) {
      cut(i);
      words->emplace_back(".");
      for (size_t j = i + 1; j < t.size(); ++j) {
        if (!AsciiSpace((t[j]))) words->emplace_back(1, t[j]);
      }
      return true;
    }
    if ((c == ':' || c == ',') &&
        ((!taken && i + 1 < t.size() && !IsDecimal([&] { size_t j = i + 1; return NextCodePoint(t, &j); }())) ||
         i == last_colon)) {
      cut(i);
      words->emplace_back(1, c);
      start = ++i;
      consumed = true;
      continue;
    }
    if (c == '.' && i + 1 < t.size() && t[i + 1] == '.') {
      size_t j = i;
      while (j < t.size() && t[j] == '.') ++j;
      cut(i);
      words->emplace_back(t.substr(i, j - i));
      start = i = j;
      continue;
    }
    if (c == '-' && i + 1 < t.size() && t[i + 1] == '-') {
      cut(i);
      words->emplace_back("--");
      start = i += 2;
      continue;
    }
    if (SingleCharToken(c)) {
      cut(i);
      words->emplace_back(1, c);
      start = ++i;
      continue;
    }
    if (c == '\'' && nltk::OpensWord(t, i)) {  // the apostrophe ends its piece
      cut(i + 1);
      start = ++i;
      continue;
    }
    ++i;
  }
  cut(t.size());
  return true;
}

}  // namespace strata::text
