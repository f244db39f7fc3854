#include "text/quality_rules.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_set>

#include "common/xxhash_inline.h"

#include "common/byte_set.h"
#include "common/swar.h"
#include "text/c4_phrases.h"
#include "text/ngram_repeats.h"
#include "text/unicode.h"
#include "text/word_cache.h"  // a chain of filters tokenizes a document once

namespace strata::text {

namespace {

// datatrove/utils/text.py's PUNCTUATION, plus the C0 and C1 controls it
// appends (all but tab and newline).
const std::unordered_set<char32_t>& SymbolChars() {
  static const std::unordered_set<char32_t> set = [] {
    std::unordered_set<char32_t> s;
    const std::string_view listed =
        "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»";
    for (size_t i = 0; i < listed.size();) s.insert(NextCodePoint(listed, &i));
    for (char32_t c = 0; c < 160; ++c) {
      if (c < 9 || (c >= 11 && c < 32) || c >= 127) s.insert(c);
    }
    return s;
  }();
  return set;
}

bool IsSymbolWord(std::string_view w) {
  for (size_t i = 0; i < w.size();) {
    if (!IsSymbolChar(NextCodePoint(w, &i))) return false;
  }
  return true;
}

bool HasAlpha(std::string_view w) {
  for (size_t i = 0; i < w.size();) {
    if (IsAlpha(NextCodePoint(w, &i))) return true;
  }
  return false;
}

// What GopherQuality asks of a word, in one pass over an ASCII word.
struct WordFacts {
  bool symbol;  // only symbol characters
  bool alpha;   // a letter somewhere
  size_t chars;
};
WordFacts FactsOf(std::string_view w) {
  static const auto kKind = [] {  // bit 1: symbol, bit 2: letter
    std::array<uint8_t, 128> t{};
    for (char32_t c = 0; c < 128; ++c) t[c] = (IsSymbolChar(c) ? 1 : 0) | (IsAlpha(c) ? 2 : 0);
    return t;
  }();
  uint8_t all = 1, any = 0;
  for (const char ch : w) {
    const auto b = static_cast<unsigned char>(ch);
    if (b >= 0x80) return {IsSymbolWord(w), HasAlpha(w), CodePoints(w)};
    all &= kKind[b];
    any |= kKind[b];
  }
  return {all != 0, (any & 2) != 0, w.size()};
}

// The same for a word of up to sixteen ASCII bytes inside `text` with
// sixteen bytes readable from its start, branch-free on two loads (word
// lengths do not predict); nullopt for any other word. ASCII symbols are
// all but letters, digits and whitespace.
std::optional<WordFacts> ShortAsciiFactsOf(std::string_view w, std::string_view text) {
  if (w.size() > 16 || w.data() < text.data() || w.data() + 16 > text.data() + text.size()) return std::nullopt;
  const uint64_t head = swar::FirstBytes(w.size()), tail = swar::FirstBytes(w.size() > 8 ? w.size() - 8 : 0);
  const uint64_t x = swar::Load(w.data()), y = swar::Load(w.data() + 8);
  // Words hold no whitespace (the tokenizers split on it); a control or
  // space byte, like a non-ASCII one, leaves the word to FactsOf.
  auto unusual = [](uint64_t v) { return swar::NonAscii(v) | swar::Below(v, 0x21); };
  if (((unusual(x) & head) | (unusual(y) & tail)) != 0) return std::nullopt;
  const uint64_t letters = (swar::AsciiLetters(x) & head) | (swar::AsciiLetters(y) & tail);
  const uint64_t digits = (swar::AsciiDigits(x) & head) | (swar::AsciiDigits(y) & tail);
  return WordFacts{(letters | digits) == 0, letters != 0, w.size()};
}

// text.count("#") and text.count("...") + text.count("…") in one pass,
// eight bytes at a time past those holding none of '#', '.' or 0xE2 (…'s
// first byte). A run of k periods holds k // 3 "..." (str.count does not
// overlap).
struct SymbolCounts {
  size_t hashes = 0, ellipses = 0;
};
constexpr ByteSet kHashDotOrE2("#.\xE2");
static_assert(kHashDotOrE2.ByNibbles());

SymbolCounts CountHashesAndEllipses(std::string_view text) {
  SymbolCounts c;
  size_t dots = 0, dots_end = 0;  // the run of periods last seen, and where it ends
  for (size_t base = 0; base < text.size(); base += 64) {
    for (uint64_t marked = kHashDotOrE2.Mask(text, base); marked != 0; marked &= marked - 1) {
      const size_t at = base + static_cast<size_t>(std::countr_zero(marked));
      const char ch = text[at];
      if (ch == '.') {
        if (at != dots_end) {  // a new run: the last one's "..." counted
          c.ellipses += dots / 3;
          dots = 0;
        }
        ++dots;
        dots_end = at + 1;
      } else if (ch == '#') {
        ++c.hashes;
      } else if (text.substr(at, 3) == "…") {
        ++c.ellipses;
      }
    }
  }
  c.ellipses += dots / 3;
  return c;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  ForEachLine(text, [&](std::string_view l) { lines.push_back(l); });
  return lines;
}

// text.split("\n"): every line, empty ones too.
std::vector<std::string_view> SplitOnNewlines(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const void* nl = std::memchr(text.data() + start, '\n', text.size() - start);
    if (nl == nullptr) break;
    const size_t i = static_cast<size_t>(static_cast<const char*>(nl) - text.data());
    parts.push_back(text.substr(start, i - start));
    start = i + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

// re.split(r"\n{at_least,}", text)
std::vector<std::string_view> SplitOnNewlineRuns(std::string_view text, size_t at_least) {
  std::vector<std::string_view> parts;
  size_t start = 0, i = 0;
  while (i < text.size()) {
    const void* nl = std::memchr(text.data() + i, '\n', text.size() - i);
    if (nl == nullptr) break;
    i = static_cast<size_t>(static_cast<const char*>(nl) - text.data());
    size_t j = i;
    while (j < text.size() && text[j] == '\n') ++j;
    if (j - i >= at_least) {
      parts.push_back(text.substr(start, i - start));
      start = j;
    }
    i = j;
  }
  parts.push_back(text.substr(start));
  return parts;
}

bool EndsWithAny(std::string_view s, std::initializer_list<std::string_view> ends) {
  for (std::string_view e : ends) {
    if (EndsWith(s, e)) return true;
  }
  return false;
}

// C4's CITATION_REGEX: `\[\d*]|\[edit]|\[citation needed]` removed.
std::string RemoveCitations(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '[') {
      size_t j = i + 1;
      while (j < line.size()) {
        size_t k = j;
        if (!IsDecimal(NextCodePoint(line, &k))) break;
        j = k;
      }
      if (j < line.size() && line[j] == ']') {
        i = j + 1;
        continue;
      }
      if (StartsWith(line.substr(i), "[edit]")) {
        i += 6;
        continue;
      }
      if (StartsWith(line.substr(i), "[citation needed]")) {
        i += 17;
        continue;
      }
    }
    out.push_back(line[i++]);
  }
  return out;
}

// The line has at least `want` words (len(line.split()) >= want) and, when
// `max_word_length` is not -1, none longer than it. A line no longer than
// that in bytes holds no such word, and then counting stops at `want`.
bool EnoughWordsNoneTooLong(std::string_view line, int want, int max_word_length) {
  const bool check_length = max_word_length != -1 && line.size() > static_cast<size_t>(max_word_length);
  size_t n_words = 0;
  bool too_long = false;
  if (!check_length) {
    if (want <= 0) return true;
    ForEachWordUntil(line, [&](std::string_view) { return ++n_words < static_cast<size_t>(want); });
    return n_words >= static_cast<size_t>(want);
  }
  ForEachWord(line, [&](std::string_view w) {
    ++n_words;
    // A word has no more code points than bytes: count only long ones.
    if (w.size() > static_cast<size_t>(max_word_length) && CodePoints(w) > static_cast<size_t>(max_word_length)) {
      too_long = true;
    }
  });
  return !too_long && static_cast<int>(n_words) >= want;
}

}  // namespace

bool IsSymbolChar(char32_t c) {
  // ASCII (nearly every character) from a table; the rest from the set.
  static const std::array<bool, 128> ascii = [] {
    std::array<bool, 128> t{};
    for (char32_t a = 0; a < 128; ++a) t[a] = SymbolChars().count(a) != 0;
    return t;
  }();
  return c < 128 ? ascii[c] : SymbolChars().count(c) != 0;
}

std::pair<size_t, size_t> FindDuplicates(const std::vector<std::string_view>& items) {
  // Two open-addressing tables of item numbers (0: empty), reused between
  // calls: by length, then by content. Only an item whose length came
  // before can repeat one, so only those (and the first of each such
  // length) are hashed: most paragraphs and many lines never are.
  thread_local std::vector<uint32_t> by_length, by_content;
  thread_local std::vector<uint64_t> hashes;
  thread_local std::vector<uint8_t> hashed;
  size_t capacity = 16;
  while (capacity < items.size() * 2) capacity <<= 1;
  by_length.assign(capacity, 0);
  by_content.assign(capacity, 0);
  hashes.resize(items.size());
  hashed.assign(items.size(), 0);
  const size_t mask = capacity - 1;
  // Whether an equal item was put in the content table; puts `k` there if not.
  auto seen_before = [&](size_t k) {
    const std::string_view x = items[k];
    const uint64_t h = XXH3_64bits(x.data(), x.size());
    hashes[k] = h;
    hashed[k] = 1;
    size_t i = h & mask;
    for (; by_content[i] != 0; i = (i + 1) & mask) {
      const size_t other = by_content[i] - 1;
      if (hashes[other] == h && items[other] == x) return true;
    }
    by_content[i] = static_cast<uint32_t>(k + 1);
    return false;
  };
  size_t elements = 0, chars = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    const size_t length = items[k].size();
    size_t i = (length * 0x9E3779B97F4A7C15ull) >> 32 & mask;
    while (by_length[i] != 0 && items[by_length[i] - 1].size() != length) i = (i + 1) & mask;
    if (by_length[i] == 0) {  // the first of its length: new
      by_length[i] = static_cast<uint32_t>(k + 1);
      continue;
    }
    const size_t first = by_length[i] - 1;
    if (hashed[first] == 0) seen_before(first);
    if (seen_before(k)) {
      ++elements;
      chars += CodePoints(items[k]);
    }
  }
  return {elements, chars};
}

Reason GopherQuality(const GopherQualityParams& p, std::string_view text) {
  const SharedWords words = CachedWords(text, p.tokenizer);
  if (words.empty()) return "empty";
  const double n_words = static_cast<double>(words.size());
  // Counted in integers: a sum of doubles waits on the previous addition.
  size_t non_symbol_count = 0, non_symbol_chars_count = 0, alpha_count = 0;
  for (const std::string_view w : words) {
    const std::optional<WordFacts> fast = ShortAsciiFactsOf(w, text);
    const WordFacts facts = fast ? *fast : FactsOf(w);
    alpha_count += facts.alpha;
    // Without a branch: symbol words (punctuation) come and go unpredictably.
    const size_t counted = facts.symbol ? 0 : ~size_t{0};
    non_symbol_count += counted & 1;
    non_symbol_chars_count += counted & facts.chars;
  }
  const auto non_symbol = static_cast<double>(non_symbol_count);
  const auto non_symbol_chars = static_cast<double>(non_symbol_chars_count);
  const auto alpha = static_cast<double>(alpha_count);
  if (p.min_doc_words != 0 && non_symbol < p.min_doc_words) return "gopher_short_doc";
  if (p.max_doc_words != 0 && non_symbol > p.max_doc_words) return "gopher_long_doc";
  if (non_symbol > 0) {  // numpy's mean of nothing is nan: no verdict
    const double avg = non_symbol_chars / non_symbol;
    if (p.min_avg_word_length != 0 && avg < p.min_avg_word_length) return "gopher_below_avg_threshold";
    if (p.max_avg_word_length != 0 && avg > p.max_avg_word_length) return "gopher_above_avg_threshold";
  }
  if (n_words > 0 && p.max_symbol_word_ratio != 0) {
    const SymbolCounts counts = CountHashesAndEllipses(text);
    if (static_cast<double>(counts.hashes) / n_words > p.max_symbol_word_ratio) return "gopher_too_many_hashes";
    if (static_cast<double>(counts.ellipses) / n_words > p.max_symbol_word_ratio) return "gopher_too_many_ellipsis";
  }
  const std::vector<std::string_view> lines = Lines(text);
  if (!lines.empty()) {
    const double n_lines = static_cast<double>(lines.size());
    double bullets = 0, ellipsis = 0;
    for (std::string_view l : lines) {
      const std::string_view left = LStrip(l), right = RStrip(l);
      bullets += StartsWith(left, "•") || StartsWith(left, "-");
      ellipsis += EndsWith(right, "...") || EndsWith(right, "…");
    }
    if (p.max_bullet_lines_ratio != 0 && bullets / n_lines > p.max_bullet_lines_ratio) return "gopher_too_many_bullets";
    if (p.max_ellipsis_lines_ratio != 0 && ellipsis / n_lines > p.max_ellipsis_lines_ratio) {
      return "gopher_too_many_end_ellipsis";
    }
  }
  if (n_words > 0 && p.max_non_alpha_words_ratio != 0) {
    if (alpha / n_words < p.max_non_alpha_words_ratio) return "gopher_below_alpha_threshold";
  }
  if (p.min_stop_words != 0) {
    double stop = 0;
    // Counting stops once there are enough (the verdict cannot change).
    for (size_t k = 0; k < words.size() && stop < p.min_stop_words; ++k) {
      const std::string_view w = words[k];
      // Lengths and first letters before bytes: most words are no stop word.
      stop += std::any_of(p.stop_words.begin(), p.stop_words.end(), [&](const std::string& s) {
        return s.size() == w.size() && !w.empty() && s[0] == w[0] && s == w;
      });
    }
    if (stop < p.min_stop_words) return "gopher_enough_stop_words";
  }
  return "";
}

Reason GopherRepetition(const GopherRepetitionParams& p, std::string_view text) {
  const bool ascii = IsAscii(text);
  const double length = static_cast<double>(ascii ? text.size() : CodePoints(text));
  if (length == 0) return "empty";
  const std::vector<std::string_view> paragraphs = SplitOnNewlineRuns(Strip(text), 2);
  auto [para_dups, para_chars] = FindDuplicates(paragraphs);
  if (p.dup_para_frac != 0 && static_cast<double>(para_dups) / static_cast<double>(paragraphs.size()) > p.dup_para_frac) {
    return "dup_para_frac";
  }
  if (p.dup_para_char_frac != 0 && static_cast<double>(para_chars) / length > p.dup_para_char_frac) {
    return "dup_para_char_frac";
  }
  const std::vector<std::string_view> lines = SplitOnNewlineRuns(text, 1);
  auto [line_dups, line_chars] = FindDuplicates(lines);
  if (p.dup_line_frac != 0 && static_cast<double>(line_dups) / static_cast<double>(lines.size()) > p.dup_line_frac) {
    return "dup_line_frac";
  }
  if (p.dup_line_char_frac != 0 && static_cast<double>(line_chars) / length > p.dup_line_char_frac) {
    return "dup_line_char_frac";
  }
  thread_local NGramRepeats repeats;
  repeats.Reset(CachedWords(text, p.tokenizer), ascii || IsValidUtf8(text));
  for (const auto& [n, frac] : p.top_n_grams) {
    if (n <= 0) continue;
    if (static_cast<double>(repeats.TopChars(static_cast<size_t>(n))) / length > frac) {
      return "top_" + std::to_string(n) + "_gram";
    }
  }
  for (const auto& [n, frac] : p.dup_n_grams) {
    if (n <= 0) continue;
    const size_t chars = repeats.DuplicateChars(static_cast<size_t>(n), frac, length);
    if (static_cast<double>(chars) / length > frac) return "duplicated_" + std::to_string(n) + "_n_grams";
  }
  return "";
}

Reason C4Quality(const C4QualityParams& p, std::string_view text, std::string* kept_text, bool* unchanged) {
  std::vector<std::string_view> raw_lines;
  if (p.split_paragraph) {
    raw_lines = Lines(text);
  } else {
    raw_lines = SplitSentences(text);
  }
  int sentences = 0;
  // Kept lines are joined as they come (into a buffer of this thread's, as
  // `text` may be `*kept_text`); an early verdict discards them.
  thread_local std::string joined;
  joined.clear();
  bool first = true;
  // While every kept line is the text's own next line, after the separator
  // the join would put there, the output so far is the text's prefix up to
  // `same_end`: nothing is written until a line is not (most pages keep
  // long runs of their lines).
  bool lazy = true;
  size_t same_end = 0;
  const char separator = p.split_paragraph ? '\n' : ' ';
  thread_local std::string cited;
  // Most documents hold neither bracket: one search each, not one per line.
  const bool any_square = text.find('[') != std::string_view::npos;
  const bool any_curly = text.find('{') != std::string_view::npos;
  for (std::string_view raw : raw_lines) {
    const std::string_view stripped = Strip(raw);
    // datatrove drops a line for a too long word, then for its end, then
    // for too few words (words counted before citations go): each only
    // drops the line, so the cheap test of its end goes first.
    std::string_view line = stripped;
    if (p.remove_citations && any_square && line.find('[') != std::string_view::npos) {
      cited = RemoveCitations(stripped);
      line = cited;
    }
    if (p.filter_no_terminal_punct &&
        (!EndsWithAny(line, {".", "?", "!", "\"", "'"}) || EndsWith(line, "..."))) {
      continue;
    }
    if (!EnoughWordsNoneTooLong(stripped, p.min_words_per_line, p.max_word_length)) continue;
    const uint32_t phrases = C4PhrasesIn(line);
    if (p.filter_lorem_ipsum && (phrases & kLoremIpsum) != 0) return "lorem_ipsum";
    if (p.filter_javascript && (phrases & kJavascript) != 0) continue;
    if (p.filter_curly_bracket && any_curly && line.find('{') != std::string::npos) return "curly_bracket";
    if (p.filter_policy && (phrases & kPolicy) != 0) continue;
    // Counted only while short of the minimum, the one use of the count.
    if (sentences < p.min_num_sentences) sentences += p.split_paragraph ? static_cast<int>(SplitSentences(line).size()) : 1;
    if (lazy) {
      const auto at = reinterpret_cast<uintptr_t>(line.data()) - reinterpret_cast<uintptr_t>(text.data());
      const bool next_in_text = at <= text.size() && line.size() <= text.size() - at &&
                                (first ? at == 0 : at == same_end + 1 && text[same_end] == separator);
      if (next_in_text) {
        same_end = at + line.size();
        first = false;
        continue;
      }
      joined.assign(text.substr(0, same_end));
      lazy = false;
    }
    if (!first) joined += separator;
    joined += line;
    first = false;
  }
  if (sentences < p.min_num_sentences) return "too_few_sentences";
  if (lazy) {
    const std::string_view kept = Strip(text.substr(0, same_end));
    if (kept.size() == text.size() && unchanged != nullptr) {
      *unchanged = true;
      return "";
    }
    joined.assign(kept);
  } else {
    const std::string_view stripped = Strip(joined);
    if (stripped.size() != joined.size()) joined = std::string(stripped);
  }
  if (unchanged != nullptr) *unchanged = joined == text;
  kept_text->swap(joined);
  return "";
}

Reason C4Paragraph(const C4ParagraphParams& p, std::string_view text) {
  std::vector<size_t> lengths;
  for (std::string_view line : SplitOnNewlines(text)) lengths.push_back(CodePoints(line));
  const std::string reason = "< " + std::to_string(p.min_paragraphs) + " paragraphs";
  if (static_cast<int>(lengths.size()) < p.min_paragraphs) return reason;
  // min(heapq.nlargest(3, lengths)): the third longest line.
  std::sort(lengths.begin(), lengths.end(), std::greater<>());
  if (lengths[std::min<size_t>(2, lengths.size() - 1)] < static_cast<size_t>(p.min_paragraph_len)) return reason;
  return "";
}

Reason FineWebQuality(const FineWebQualityParams& p, std::string_view text) {
  if (text.empty()) return "empty";
  const std::vector<std::string_view> lines = SplitOnNewlines(text);
  const double n_lines = static_cast<double>(lines.size());
  double punct = 0, short_lines = 0;
  for (std::string_view l : lines) {
    punct += EndsWithAny(l, {".", "'", "\"", "!", "?"});
    short_lines += CodePoints(l) <= static_cast<size_t>(p.short_line_length);
  }
  double ratio = punct / n_lines;
  if (ratio <= p.line_punct_thr && !(ratio == 0 && p.line_punct_exclude_zero)) return "line_punct_ratio";
  if (short_lines / n_lines >= p.short_line_thr) return "short_line_ratio";
  std::vector<std::string_view> non_empty;
  for (std::string_view l : lines) {
    if (!Strip(l).empty()) non_empty.push_back(l);
  }
  const size_t newline_count = CountOf(text, "\n");
  const size_t chars_without_newlines = CodePoints(text) - newline_count;
  if (chars_without_newlines > 0 &&
      static_cast<double>(FindDuplicates(non_empty).second) / static_cast<double>(chars_without_newlines) >=
          p.char_duplicates_ratio) {
    return "char_dup_ratio";
  }
  const auto newlines = static_cast<double>(newline_count);
  // Every whitespace-separated chunk holds at least one word (the rules
  // only insert spaces and rewrite quotes), so newlines per chunk bounds
  // newlines per word from above: at or under the ratio, the words need
  // not be counted (most documents; tokenizing is the costly part).
  if (p.new_line_ratio >= 0) {
    const auto chunks = static_cast<double>(CountChunks(text));
    if (chunks == 0 || newlines / chunks <= p.new_line_ratio) return "";
  }
  const size_t n_words = CachedWords(text, p.tokenizer).size();
  if (n_words > 0 && newlines / static_cast<double>(n_words) > p.new_line_ratio) return "list_ratio";
  return "";
}

}  // namespace strata::text
