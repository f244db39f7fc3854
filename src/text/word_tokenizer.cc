#include "text/word_tokenizer.h"

#include <algorithm>
#include <unordered_set>

#include "text/unicode.h"

namespace strata::text {

namespace {

using U32 = std::u32string;

bool In(char32_t c, std::u32string_view set) { return set.find(c) != std::u32string_view::npos; }

U32 Decode(std::string_view s) {
  U32 out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(NextCodePoint(s, &i));
  return out;
}

// Surrounds every char for which `pad(t, i)` returns a length > 0 with
// spaces: that many chars from i, as one piece.
template <class F>
U32 PadRuns(const U32& t, F&& run_length) {
  U32 out;
  out.reserve(t.size() + 16);
  for (size_t i = 0; i < t.size();) {
    const size_t n = run_length(t, i);
    if (n == 0) {
      out.push_back(t[i++]);
      continue;
    }
    out.push_back(' ');
    out.append(t, i, n);
    out.push_back(' ');
    i += n;
  }
  return out;
}

U32 PadChars(const U32& t, std::u32string_view set) {
  return PadRuns(t, [&](const U32& s, size_t i) -> size_t { return In(s[i], set) ? 1 : 0; });
}

U32 ReplaceAll(const U32& t, std::u32string_view from, std::u32string_view to) {
  U32 out;
  out.reserve(t.size() + 16);
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, from.size(), from) == 0) {
      out.append(to);
      i += from.size();
    } else {
      out.push_back(t[i++]);
    }
  }
  return out;
}

bool WordAt(const U32& t, size_t i) { return i < t.size() && IsWordChar(t[i]); }

// `([^\.])(\.)([CLOSERS]*)\s*$` -> `\1 \2 \3 ` (wide) or `\1 \2\3 `: the
// sentence's final period. Python's `$` also matches before a final "\n".
U32 FinalPeriod(const U32& t, std::u32string_view closers, bool space_after_period) {
  if (t.empty()) return t;
  size_t p = t.size();
  while (p > 0 && (In(t[p - 1], closers) || IsSpace(t[p - 1]))) --p;
  // t[p-1] must be the period; everything after it closers, then spaces.
  if (p < 2 || t[p - 1] != '.' || t[p - 2] == '.') return t;
  const size_t period = p - 1;
  size_t j = period + 1;
  while (j < t.size() && In(t[j], closers)) ++j;
  const size_t closers_end = j;
  while (j < t.size() && IsSpace(t[j])) ++j;
  if (j != t.size()) return t;
  U32 out(t, 0, period);
  out += U" .";
  if (space_after_period) out += U" ";
  out.append(t, period + 1, closers_end - period - 1);
  out += U" ";
  return out;
}

// (?i) ascii match of `word` at t[i].
bool MatchesAt(const U32& t, size_t i, std::u32string_view word) {
  if (i + word.size() > t.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    char32_t c = t[i + k];
    if (c < 0x80 && c >= 'A' && c <= 'Z') c += 32;
    if (c != word[k]) return false;
  }
  return true;
}

// `(?i)\b(a)(b)\b` -> ` \1 \2 ` (`lookahead_space`: `(?=\s)` instead of the
// final \b).
U32 SplitContraction(const U32& t, std::u32string_view a, std::u32string_view b, bool lookahead_space) {
  U32 out;
  out.reserve(t.size() + 8);
  for (size_t i = 0; i < t.size();) {
    const size_t end = i + a.size() + b.size();
    const bool start_ok = (i == 0 || !IsWordChar(t[i - 1])) && WordAt(t, i);
    bool match = start_ok && MatchesAt(t, i, a) && MatchesAt(t, i + a.size(), b);
    if (match) {
      match = lookahead_space ? (end < t.size() && IsSpace(t[end]))
                              : (WordAt(t, end - 1) != WordAt(t, end));
    }
    if (!match) {
      out.push_back(t[i++]);
      continue;
    }
    out += U" ";
    out.append(t, i, a.size());
    out += U" ";
    out.append(t, i + a.size(), b.size());
    out += U" ";
    i = end;
  }
  return out;
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

}  // namespace

bool ParseWordTokenizer(std::string_view name, WordTokenizer* out) {
  if (name == "english") *out = WordTokenizer::kEnglish;
  else if (name == "whitespace") *out = WordTokenizer::kWhitespace;
  else return false;
  return true;
}

void TokenizeSentence(std::string_view sentence, std::vector<std::string>* words) {
  U32 t = Decode(sentence);
  // Starting quotes.
  t = PadRuns(t, [](const U32& s, size_t i) -> size_t {
    if (In(s[i], U"«“‘„")) return 1;
    size_t n = 0;
    while (i + n < s.size() && s[i + n] == '`') ++n;
    return n;
  });
  if (!t.empty() && t[0] == '"') t.replace(0, 1, U"``");
  t = ReplaceAll(t, U"``", U" `` ");
  {
    U32 out;
    for (size_t i = 0; i < t.size();) {
      if (In(t[i], U" ([{<") && i + 1 < t.size() &&
          (t[i + 1] == '"' || (t[i + 1] == '\'' && i + 2 < t.size() && t[i + 2] == '\''))) {
        out.push_back(t[i]);
        out += U" `` ";
        i += t[i + 1] == '"' ? 2 : 3;
      } else {
        out.push_back(t[i++]);
      }
    }
    t = std::move(out);
  }
  {
    // An apostrophe opening a word (not a clitic such as 's or 're).
    U32 out;
    for (size_t i = 0; i < t.size(); ++i) {
      out.push_back(t[i]);
      if (t[i] != '\'' || (i > 0 && IsWordChar(t[i - 1])) || !WordAt(t, i + 1)) continue;
      bool clitic = false;
      for (std::u32string_view c : {U"re", U"ve", U"ll", U"m", U"t", U"s", U"d", U"n"}) {
        if (MatchesAt(t, i + 1, c) && !WordAt(t, i + 1 + c.size())) clitic = true;
      }
      if (!clitic) out.push_back(' ');
    }
    t = std::move(out);
  }
  // Punctuation.
  t = FinalPeriod(t, U"])}>\"'»”’ ", /*space_after_period=*/true);
  {
    U32 out;
    for (size_t i = 0; i < t.size();) {
      if ((t[i] == ':' || t[i] == ',') && i + 1 < t.size() && !IsDecimal(t[i + 1])) {
        out.push_back(' ');
        out.push_back(t[i]);
        out.push_back(' ');
        out.push_back(t[i + 1]);
        i += 2;
      } else {
        out.push_back(t[i++]);
      }
    }
    t = std::move(out);
  }
  if (!t.empty()) {
    size_t last = t.size() - 1;
    if (t[last] == '\n' && last > 0 && (t[last - 1] == ':' || t[last - 1] == ',')) --last;
    if (t[last] == ':' || t[last] == ',') t.replace(last, 1, U32(U" ") + t[last] + U" ");
  }
  t = PadRuns(t, [](const U32& s, size_t i) -> size_t {
    size_t n = 0;
    while (i + n < s.size() && s[i + n] == '.') ++n;
    return n >= 2 ? n : 0;
  });
  t = PadChars(t, U";@#$%&\u2012\u2013\u2014\u2015");
  t = FinalPeriod(t, U"])}>\"'", /*space_after_period=*/false);
  t = PadChars(t, U"?!");
  {
    U32 out;
    for (size_t i = 0; i < t.size();) {
      if (t[i] != '\'' && i + 2 < t.size() && t[i + 1] == '\'' && t[i + 2] == ' ') {
        out.push_back(t[i]);
        out += U" ' ";
        i += 3;
      } else {
        out.push_back(t[i++]);
      }
    }
    t = std::move(out);
  }
  t = PadChars(t, U"*");
  t = PadChars(t, U"[]()<>{}");
  t = ReplaceAll(t, U"--", U" -- ");
  t = U" " + t + U" ";
  // Ending quotes.
  t = PadChars(t, U"»”’");
  t = ReplaceAll(t, U"''", U" '' ");
  t = ReplaceAll(t, U"\"", U" '' ");
  {
    U32 out;
    bool space = false;
    for (char32_t c : t) {
      if (IsSpace(c)) {
        if (!space) out.push_back(' ');
        space = true;
      } else {
        out.push_back(c);
        space = false;
      }
    }
    t = std::move(out);
  }
  {
    // `([^' ])('[sS]|'[mM]|'[dD]|') ` then `([^' ])('ll|'re|'ve|n't ...) `.
    U32 out;
    for (size_t i = 0; i < t.size();) {
      if (t[i] != '\'' && t[i] != ' ' && i + 1 < t.size() && t[i + 1] == '\'') {
        if (i + 3 < t.size() && In(t[i + 2], U"sSmMdD") && t[i + 3] == ' ') {
          out.push_back(t[i]);
          out += U" '";
          out.push_back(t[i + 2]);
          out += U" ";
          i += 4;
          continue;
        }
        if (i + 2 < t.size() && t[i + 2] == ' ') {
          out.push_back(t[i]);
          out += U" ' ";
          i += 3;
          continue;
        }
      }
      out.push_back(t[i++]);
    }
    t = std::move(out);
    out.clear();
    for (size_t i = 0; i < t.size();) {
      bool hit = false;
      if (t[i] != '\'' && t[i] != ' ' && i + 4 < t.size() && t[i + 4] == ' ') {
        const U32 three = t.substr(i + 1, 3);
        for (std::u32string_view c : {U"'ll", U"'LL", U"'re", U"'RE", U"'ve", U"'VE", U"n't", U"N'T"}) {
          hit |= three == c;
        }
      }
      if (!hit) {
        out.push_back(t[i++]);
        continue;
      }
      out.push_back(t[i]);
      out += U" ";
      out.append(t, i + 1, 3);
      out += U" ";
      i += 5;
    }
    t = std::move(out);
  }
  t = SplitContraction(t, U"can", U"not", false);
  t = SplitContraction(t, U"d", U"'ye", false);
  t = SplitContraction(t, U"gim", U"me", false);
  t = SplitContraction(t, U"gon", U"na", false);
  t = SplitContraction(t, U"got", U"ta", false);
  t = SplitContraction(t, U"lem", U"me", false);
  t = SplitContraction(t, U"more", U"'n", false);
  t = SplitContraction(t, U"wan", U"na", true);
  for (std::u32string_view second : {U"is", U"was"}) {
    // ` ('t)(is)\b` -> ` 't is `
    U32 out;
    for (size_t i = 0; i < t.size();) {
      if (t[i] == ' ' && MatchesAt(t, i + 1, U"'t") && MatchesAt(t, i + 3, second) &&
          !WordAt(t, i + 3 + second.size())) {
        out += U" ";
        out.append(t, i + 1, 2);
        out += U" ";
        out.append(t, i + 3, second.size());
        out += U" ";
        i += 3 + second.size();
      } else {
        out.push_back(t[i++]);
      }
    }
    t = std::move(out);
  }
  std::string word;
  for (char32_t c : t) {
    if (IsSpace(c)) {
      if (!word.empty()) words->push_back(std::move(word));
      word.clear();
    } else {
      AppendUtf8(c, &word);
    }
  }
  if (!word.empty()) words->push_back(std::move(word));
}

std::vector<std::string_view> SplitSentences(std::string_view text) {
  std::vector<std::string_view> sentences;
  std::vector<std::string_view> chunks;
  ForEachWord(text, [&](std::string_view w) { chunks.push_back(w); });
  size_t start = 0;  // byte offset of the current sentence's first chunk
  for (size_t k = 0; k < chunks.size(); ++k) {
    const std::string_view w = chunks[k];
    if (k == 0) start = static_cast<size_t>(w.data() - text.data());
    if (k + 1 == chunks.size()) break;
    std::string_view core = w;
    while (!core.empty() && std::string_view("\"')]}").find(core.back()) != std::string_view::npos) {
      core.remove_suffix(1);
    }
    for (std::string_view closer : {"’", "”", "»"}) {
      while (EndsWith(core, closer)) core.remove_suffix(closer.size());
    }
    bool end = false;
    if (!core.empty() && (core.back() == '?' || core.back() == '!')) {
      end = true;
    } else if (!core.empty() && core.back() == '.') {
      size_t i = 0;
      const char32_t next = NextCodePoint(chunks[k + 1], &i);
      const bool next_capital = IsUpper(next) || next == '"' || next == '\'' || next == 0x201C;
      if (EndsWith(core, "..") || EndsWith(core, "…")) {
        end = next_capital;
      } else {
        std::string_view word = core.substr(0, core.size() - 1);
        while (!word.empty() && std::string_view("\"'([{").find(word.front()) != std::string_view::npos) {
          word.remove_prefix(1);
        }
        const std::string lower = Lower(word);
        const bool initial = CodePoints(word) == 1 && IsAlpha([&] { size_t j = 0; return NextCodePoint(word, &j); }());
        end = !initial && Abbreviations().count(lower) == 0;
      }
    } else if (EndsWith(core, "…")) {
      size_t i = 0;
      end = IsUpper(NextCodePoint(chunks[k + 1], &i));
    }
    if (end) {
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

std::vector<std::string> WordTokenize(std::string_view text, WordTokenizer kind) {
  std::vector<std::string> words;
  if (kind == WordTokenizer::kWhitespace) {
    ForEachWord(text, [&](std::string_view w) { words.emplace_back(w); });
    return words;
  }
  for (std::string_view sentence : SplitSentences(text)) TokenizeSentence(sentence, &words);
  return words;
}

}  // namespace strata::text
