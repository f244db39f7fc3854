#include "text/word_tokenizer.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_set>

#include "common/byte_set.h"
#include "text/nltk_rules.h"
#include "text/unicode.h"

namespace strata::text {

namespace {

// Rules work on valid UTF-8 (the caller replaces bad bytes), byte by byte;
// every character a rule looks for is ASCII or a fixed byte sequence.
using Str = std::string;

constexpr std::string_view kOpenQuotes[] = {"«", "“", "‘", "„"};
constexpr std::string_view kCloseQuotes[] = {"»", "”", "’"};
constexpr std::string_view kDashes[] = {"\u2012", "\u2013", "\u2014", "\u2015"};

bool Has(const Str& t, char c) { return t.find(c) != Str::npos; }
// One pass with a table (std::string::find_first_of calls memchr per byte).
bool HasAny(const Str& t, std::string_view chars) {
  bool table[256] = {};
  for (char c : chars) table[static_cast<unsigned char>(c)] = true;
  for (char c : t) {
    if (table[static_cast<unsigned char>(c)]) return true;
  }
  return false;
}

// The length of a sequence from `set` at t[i], or 0.
template <size_t N>
size_t SequenceAt(const Str& t, size_t i, const std::string_view (&set)[N]) {
  for (std::string_view q : set) {
    // The first byte before the rest: nearly every position starts none.
    if (t[i] == q[0] && t.compare(i, q.size(), q) == 0) return q.size();
  }
  return 0;
}

// Surrounds the pieces `run_length` finds with spaces.
template <class F>
void PadRuns(Str* t, F&& run_length) {
  Str out;
  out.reserve(t->size() + 16);
  for (size_t i = 0; i < t->size();) {
    const size_t n = run_length(*t, i);
    if (n == 0) {
      out.push_back((*t)[i++]);
      continue;
    }
    out.push_back(' ');
    out.append(*t, i, n);
    out.push_back(' ');
    i += n;
  }
  t->swap(out);
}

void PadChars(Str* t, std::string_view chars) {
  if (!HasAny(*t, chars)) return;
  PadRuns(t, [&](const Str& s, size_t i) -> size_t { return chars.find(s[i]) != std::string_view::npos ? 1 : 0; });
}

template <size_t N>
void PadSequences(Str* t, const std::string_view (&set)[N]) {
  if (!HasAny(*t, "\xC2\xE2")) return;
  PadRuns(t, [&](const Str& s, size_t i) { return SequenceAt(s, i, set); });
}

void ReplaceAll(Str* t, std::string_view from, std::string_view to) {
  if (t->find(from) == Str::npos) return;
  Str out;
  out.reserve(t->size() + 16);
  for (size_t i = 0; i < t->size();) {
    if (t->compare(i, from.size(), from) == 0) {
      out.append(to);
      i += from.size();
    } else {
      out.push_back((*t)[i++]);
    }
  }
  t->swap(out);
}

bool IsCloser(const Str& t, size_t i, std::string_view ascii, bool unicode_quotes, size_t* len) {
  if (ascii.find(t[i]) != std::string_view::npos) {
    *len = 1;
    return true;
  }
  if (unicode_quotes && (*len = SequenceAt(t, i, kCloseQuotes)) > 0) return true;
  return false;
}

// `([^\.])(\.)([CLOSERS]*)\s*$` -> `\1 \2 \3 ` (or `\1 \2\3 `): the
// sentence's final period.
void FinalPeriod(Str* t, std::string_view ascii_closers, bool unicode_quotes, bool space_after_period) {
  // Backwards over closers and whitespace to the period.
  size_t p = t->size();
  while (p > 0) {
    size_t j = p - 1;
    while (j > 0 && (static_cast<unsigned char>((*t)[j]) & 0xC0) == 0x80) --j;
    size_t len = 0;
    size_t k = j;
    if (IsSpace(NextCodePoint(*t, &k)) || IsCloser(*t, j, ascii_closers, unicode_quotes, &len)) {
      p = j;
    } else {
      break;
    }
  }
  if (p < 2 || (*t)[p - 1] != '.' || (*t)[p - 2] == '.') return;
  const size_t period = p - 1;
  size_t j = period + 1, len = 0;
  while (j < t->size() && IsCloser(*t, j, ascii_closers, unicode_quotes, &len)) j += len;
  const size_t closers_end = j;
  while (j < t->size()) {
    if (!IsSpace(NextCodePoint(*t, &j))) return;
  }
  Str out(*t, 0, period);
  out += space_after_period ? " . " : " .";
  out.append(*t, period + 1, closers_end - period - 1);
  out += ' ';
  t->swap(out);
}

// `(?i)\b(a)(b)\b` -> ` \1 \2 ` for each pattern. NLTK applies them one
// after the other; no split one makes can start or end another's match, so
// one pass that tries every pattern at each word start is the same.
void SplitContractions(Str* t) {
  if (!HasAny(*t, "cdglmwCDGLMW")) return;
  Str out;
  bool any = false;
  for (size_t i = 0; i < t->size();) {
    const nltk::Contraction* hit = nltk::ContractionAt(*t, i, /*at_end=*/false);
    if (hit == nullptr) {
      out.push_back((*t)[i++]);
      continue;
    }
    any = true;
    out += ' ';
    out.append(*t, i, hit->a.size());
    out += ' ';
    out.append(*t, i + hit->a.size(), hit->b.size());
    out += ' ';
    i += hit->a.size() + hit->b.size();
  }
  if (any) t->swap(out);
}

const std::unordered_set<std::string>& Abbreviations() {
  static const std::unordered_set<std::string> words = {
      "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd",
      "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
      "dec", "u.s", "u.k", "a.m", "p.m", "fig", "al", "approx", "dept", "gen", "gov", "lt", "mt",
      "rev", "sen", "sgt", "capt", "col", "cf", "vol", "pp", "no", "ft", "mass", "calif", "ave",
  };
  return words;
}

// An ASCII word of up to eight bytes as a number (lowercased, byte k in
// bits 8k..8k+7): abbreviations are compared as such, without a string.
uint64_t PackedLower(std::string_view w) {
  uint64_t packed = 0;
  for (size_t k = 0; k < w.size(); ++k) {
    const char c = w[k];
    packed |= static_cast<uint64_t>(static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + 32 : c)) << (8 * k);
  }
  return packed;
}

bool IsAbbreviation(std::string_view word) {
  static const std::vector<uint64_t> kPacked = [] {
    std::vector<uint64_t> v;
    for (const std::string& a : Abbreviations()) v.push_back(PackedLower(a));
    std::sort(v.begin(), v.end());
    return v;
  }();
  if (word.size() <= 8 && IsAscii(word)) return std::binary_search(kPacked.begin(), kPacked.end(), PackedLower(word));
  return Abbreviations().count(Lower(word)) != 0;
}

}  // namespace

bool ParseWordTokenizer(std::string_view name, WordTokenizer* out) {
  if (name == "english") *out = WordTokenizer::kEnglish;
  else if (name == "whitespace") *out = WordTokenizer::kWhitespace;
  else return false;
  return true;
}

void TokenizeSentenceByRules(std::string_view sentence, WordList* words) {
  // Python's `str` of bytes that are not UTF-8 would not exist: bad bytes
  // read as U+FFFD, as a reader decoding with errors="replace" does.
  Str t = IsAscii(sentence) ? Str(sentence) : ReplaceInvalidUtf8(sentence, "\xEF\xBF\xBD");
  // Starting quotes.
  if (Has(t, '`') || HasAny(t, "\xC2\xE2")) {
    PadRuns(&t, [](const Str& s, size_t i) -> size_t {
      if (const size_t n = SequenceAt(s, i, kOpenQuotes)) return n;
      size_t n = 0;
      while (i + n < s.size() && s[i + n] == '`') ++n;
      return n;
    });
  }
  if (!t.empty() && t[0] == '"') t.replace(0, 1, "``");
  ReplaceAll(&t, "``", " `` ");
  if (Has(t, '"') || t.find("''") != Str::npos) {
    Str out;
    for (size_t i = 0; i < t.size();) {
      const char c = t[i];
      if ((c == ' ' || c == '(' || c == '[' || c == '{' || c == '<') && i + 1 < t.size() &&
          (t[i + 1] == '"' || (t[i + 1] == '\'' && i + 2 < t.size() && t[i + 2] == '\''))) {
        out.push_back(c);
        out += " `` ";
        i += t[i + 1] == '"' ? 2 : 3;
      } else {
        out.push_back(t[i++]);
      }
    }
    t.swap(out);
  }
  if (Has(t, '\'')) {
    // An apostrophe opening a word (not a clitic such as 's or 're).
    Str out;
    for (size_t i = 0; i < t.size(); ++i) {
      out.push_back(t[i]);
      if (nltk::OpensWord(t, i)) out.push_back(' ');
    }
    t.swap(out);
  }
  // Punctuation.
  FinalPeriod(&t, "])}>\"' ", /*unicode_quotes=*/true, /*space_after_period=*/true);
  if (HasAny(t, ":,")) {
    Str out;
    for (size_t i = 0; i < t.size();) {
      if ((t[i] == ':' || t[i] == ',') && i + 1 < t.size() && !IsDecimal(nltk::CodePointAt(t, i + 1))) {
        const size_t next = i + 1;
        size_t after = next;
        NextCodePoint(t, &after);
        out.push_back(' ');
        out.push_back(t[i]);
        out.push_back(' ');
        out.append(t, next, after - next);
        i = after;
      } else {
        out.push_back(t[i++]);
      }
    }
    t.swap(out);
    size_t last = t.size() - 1;
    if (t[last] == '\n' && last > 0 && (t[last - 1] == ':' || t[last - 1] == ',')) --last;
    if (t[last] == ':' || t[last] == ',') t.replace(last, 1, std::string(" ") + t[last] + " ");
  }
  if (t.find("..") != Str::npos) {
    PadRuns(&t, [](const Str& s, size_t i) -> size_t {
      size_t n = 0;
      while (i + n < s.size() && s[i + n] == '.') ++n;
      return n >= 2 ? n : 0;
    });
  }
  PadChars(&t, ";@#$%&");
  PadSequences(&t, kDashes);
  FinalPeriod(&t, "])}>\"'", /*unicode_quotes=*/false, /*space_after_period=*/false);
  PadChars(&t, "?!");
  if (t.find("' ") != Str::npos) {
    Str out;
    for (size_t i = 0; i < t.size();) {
      if (t[i] != '\'' && i + 2 < t.size() && t[i + 1] == '\'' && t[i + 2] == ' ') {
        out.push_back(t[i]);
        out += " ' ";
        i += 3;
      } else {
        out.push_back(t[i++]);
      }
    }
    t.swap(out);
  }
  PadChars(&t, "*");
  PadChars(&t, "[]()<>{}");
  ReplaceAll(&t, "--", " -- ");
  t = " " + t + " ";
  // Ending quotes.
  PadSequences(&t, kCloseQuotes);
  ReplaceAll(&t, "''", " '' ");
  ReplaceAll(&t, "\"", " '' ");
  {
    Str out;
    out.reserve(t.size());
    bool space = false;
    for (size_t i = 0; i < t.size();) {
      const size_t at = i;
      const auto b = static_cast<unsigned char>(t[i]);
      const char32_t c = b < 0x80 ? (++i, b) : NextCodePoint(t, &i);
      const bool is_space = IsSpace(c);
      if (is_space) {
        if (!space) out.push_back(' ');
      } else {
        out.append(t, at, i - at);
      }
      space = is_space;
    }
    t.swap(out);
  }
  if (Has(t, '\'')) {
    // `([^' ])('[sS]|'[mM]|'[dD]|') ` then `([^' ])('ll|'re|'ve|n't ...) `.
    Str out;
    for (size_t i = 0; i < t.size();) {
      if (t[i] != '\'' && t[i] != ' ' && i + 1 < t.size() && t[i + 1] == '\'') {
        if (i + 3 < t.size() && std::string_view("sSmMdD").find(t[i + 2]) != std::string_view::npos &&
            t[i + 3] == ' ') {
          out.push_back(t[i]);
          out += " '";
          out.push_back(t[i + 2]);
          out += ' ';
          i += 4;
          continue;
        }
        if (i + 2 < t.size() && t[i + 2] == ' ') {
          out.push_back(t[i]);
          out += " ' ";
          i += 3;
          continue;
        }
      }
      out.push_back(t[i++]);
    }
    t.swap(out);
    out.clear();
    for (size_t i = 0; i < t.size();) {
      bool hit = false;
      if (t[i] != '\'' && t[i] != ' ' && i + 4 < t.size() && t[i + 4] == ' ') {
        const std::string_view three(t.data() + i + 1, 3);
        for (std::string_view c : {"'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T"}) hit |= three == c;
      }
      if (!hit) {
        out.push_back(t[i++]);
        continue;
      }
      out.push_back(t[i]);
      out += ' ';
      out.append(t, i + 1, 3);
      out += ' ';
      i += 5;
    }
    t.swap(out);
  }
  SplitContractions(&t);
  if (t.find("'t") != Str::npos || t.find("'T") != Str::npos) {
    for (std::string_view second : {"is", "was"}) {
      // ` ('t)(is)\b` -> ` 't is `
      Str out;
      for (size_t i = 0; i < t.size();) {
        if (t[i] == ' ' && nltk::LowerMatch(t, i + 1, "'t") && nltk::LowerMatch(t, i + 3, second) &&
            !nltk::WordAt(t, i + 3 + second.size())) {
          out += ' ';
          out.append(t, i + 1, 2);
          out += ' ';
          out.append(t, i + 3, second.size());
          out += ' ';
          i += 3 + second.size();
        } else {
          out.push_back(t[i++]);
        }
      }
      t.swap(out);
    }
  }
  // Only ' ' separates words now.
  size_t start = 0;
  for (size_t i = 0; i <= t.size(); ++i) {
    if (i == t.size() || t[i] == ' ') {
      if (i > start) words->Add(std::string_view(t).substr(start, i - start));
      start = i + 1;
    }
  }
}

namespace {

// Whether a sentence ends after `chunk` (a run of non-space characters),
// given the next chunk (only its first character counts).
bool EndsSentence(std::string_view chunk, std::string_view next) {
  // The word without closing quotes and brackets, ASCII or typographic.
  std::string_view core = chunk;
  while (!core.empty()) {
    const auto last = static_cast<unsigned char>(core.back());
    if (last == '"' || last == '\'' || last == ')' || last == ']' || last == '}') {
      core.remove_suffix(1);
    } else if (last >= 0x80 && (EndsWith(core, "’") || EndsWith(core, "”"))) {
      core.remove_suffix(3);
    } else if (last >= 0x80 && EndsWith(core, "»")) {
      core.remove_suffix(2);
    } else {
      break;
    }
  }
  const char last = core.empty() ? '\0' : core.back();
  if (last == '?' || last == '!') return true;
  if (last == '.') {
    size_t i = 0;
    const char32_t first = NextCodePoint(next, &i);
    const bool next_capital = IsUpper(first) || first == '"' || first == '\'' || first == 0x201C;
    if (EndsWith(core, "..") || EndsWith(core, "…")) return next_capital;
    std::string_view word = core.substr(0, core.size() - 1);
    while (!word.empty() && (word.front() == '"' || word.front() == '\'' || word.front() == '(' ||
                             word.front() == '[' || word.front() == '{')) {
      word.remove_prefix(1);
    }
    const bool initial = CodePoints(word) == 1 && IsAlpha([&] { size_t j = 0; return NextCodePoint(word, &j); }());
    // Every listed abbreviation is short: longer words need no lookup.
    return !initial && (word.size() > 6 || !IsAbbreviation(word));
  }
  if (static_cast<unsigned char>(last) == 0xA6 && EndsWith(core, "…")) {
    size_t i = 0;
    return IsUpper(NextCodePoint(next, &i));
  }
  return false;
}

// The last byte of what can end a sentence: . ? ! and the ellipsis (E2 80 A6).
constexpr ByteSet kEndByte(".?!\xA6");
static_assert(kEndByte.ByNibbles());

// The closing quotes and brackets EndsSentence strips, forward from `i`.
size_t SkipClosers(std::string_view s, size_t i) {
  for (;;) {
    if (i < s.size() && (s[i] == '"' || s[i] == '\'' || s[i] == ')' || s[i] == ']' || s[i] == '}')) {
      ++i;
    } else if (s.substr(i, 3) == "’" || s.substr(i, 3) == "”") {
      i += 3;
    } else if (s.substr(i, 2) == "»") {
      i += 2;
    } else {
      return i;
    }
  }
}

bool SpaceAt(std::string_view s, size_t i) {
  size_t j = i;
  return IsSpace(NextCodePoint(s, &j));
}

size_t SkipSpaces(std::string_view s, size_t i) {
  while (i < s.size()) {
    size_t j = i;
    if (!IsSpace(NextCodePoint(s, &j))) break;
    i = j;
  }
  return i;
}

// Where the code point before `i` starts (valid UTF-8).
size_t PreviousStart(std::string_view s, size_t i) {
  do {
    --i;
  } while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80);
  return i;
}

// The start of the chunk holding `i`, no earlier than `floor` (valid UTF-8).
size_t ChunkStart(std::string_view s, size_t i, size_t floor) {
  while (i > floor) {
    const size_t prev = PreviousStart(s, i);
    if (SpaceAt(s, prev)) break;
    i = prev;
  }
  return i;
}

}  // namespace

std::vector<std::string_view> SplitSentencesByChunks(std::string_view text) {
  std::vector<std::string_view> sentences;
  thread_local std::vector<std::string_view> chunks;  // reused: one per document otherwise
  chunks.clear();
  ForEachWord(text, [&](std::string_view w) { chunks.push_back(w); });
  size_t start = 0;  // byte offset of the current sentence's first chunk
  for (size_t k = 0; k < chunks.size(); ++k) {
    const std::string_view w = chunks[k];
    if (k == 0) start = static_cast<size_t>(w.data() - text.data());
    if (k + 1 == chunks.size()) break;
    if (EndsSentence(w, chunks[k + 1])) {
      const size_t stop = static_cast<size_t>(w.data() - text.data()) + w.size();
      sentences.push_back(text.substr(start, stop - start));
      start = static_cast<size_t>(chunks[k + 1].data() - text.data());
    }
  }
  if (!chunks.empty()) {
    const std::string_view last = chunks.back();
    const size_t stop = static_cast<size_t>(last.data() - text.data()) + last.size();
    sentences.push_back(text.substr(start, stop - start));
  }
  return sentences;
}

std::vector<std::string_view> SplitSentences(std::string_view text) {
  // Backward steps need valid UTF-8; anything else takes the chunk by chunk way.
  if (!IsValidUtf8(text)) return SplitSentencesByChunks(text);
  std::vector<std::string_view> sentences;
  const size_t n = text.size();
  size_t start = SkipSpaces(text, 0);  // the current sentence's first chunk
  if (start == n) return sentences;
  // Only chunks ending in . ? ! or an ellipsis (then closers) can end a
  // sentence: jump from one such byte to the next instead of cutting
  // every word.
  for (size_t i = start; i < n;) {
    i = kEndByte.Find(text, i);
    if (i == n) break;
    const size_t end = SkipClosers(text, i + 1);  // the chunk's end, if it ends here
    if (end < n && !SpaceAt(text, end)) {
      ++i;
      continue;
    }
    const size_t next = SkipSpaces(text, end);
    if (next == n) break;  // the last chunk ends no sentence but the text
    const size_t chunk = ChunkStart(text, i, start);
    if (EndsSentence(text.substr(chunk, end - chunk), text.substr(next))) {
      sentences.push_back(text.substr(start, end - start));
      start = next;
    }
    i = next;
  }
  size_t stop = n;
  while (stop > start) {
    const size_t prev = PreviousStart(text, stop);
    if (!SpaceAt(text, prev)) break;
    stop = prev;
  }
  sentences.push_back(text.substr(start, stop - start));
  return sentences;
}

void TokenizeSentence(std::string_view sentence, WordList* words) {
  if (!TokenizeSentenceFast(sentence, words)) TokenizeSentenceByRules(sentence, words);
}

WordList TokenizeWords(std::string_view text, WordTokenizer kind) {
  WordList words(text);
  if (kind == WordTokenizer::kWhitespace) {
    ForEachWord(text, [&](std::string_view w) { words.Add(w); });
    return words;
  }
  words.reserve(text.size() / 5);  // about a word per five bytes of English
  for (std::string_view sentence : SplitSentences(text)) TokenizeSentence(sentence, &words);
  return words;
}

std::vector<std::string> WordTokenize(std::string_view text, WordTokenizer kind) {
  return TokenizeWords(text, kind).Strings();
}

void WordList::AddSlowly(std::string_view word) {
  const auto* p = word.data();
  if (p >= text_.data() && p + word.size() <= text_.data() + text_.size() && !word.empty()) {
    spans_.push_back({static_cast<uint64_t>(p - text_.data()), word.size()});
  } else {
    spans_.push_back({kOwn | own_.size(), word.size()});
    own_.append(word);
  }
}

std::vector<std::string> WordList::Strings() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.emplace_back(At(i));
  return out;
}

}  // namespace strata::text
