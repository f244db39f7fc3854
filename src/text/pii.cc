#include "text/pii.h"

#include <memory>

#include <re2/re2.h>
#include <re2/set.h>

namespace strata::text {

namespace {

const char* Pattern(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail:
      return R"([A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})";
    case PiiKind::kIpv4:
      return R"(\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b)";
    case PiiKind::kIpv6:
      // Full, and compressed with "::" (at least two groups in all).
      return R"((?i)(?:\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|(?:\b[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}\b(?::[0-9a-f]{1,4}\b){0,5})?|::(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}\b))";
    case PiiKind::kCreditCard:
      return R"(\b[0-9](?:[ \-]?[0-9]){12,18}\b)";
    case PiiKind::kPhone:
      return R"((?:\+[0-9]{1,3}[ .\-]?)?(?:\([0-9]{2,4}\)[ .\-]?|\b[0-9]{2,4}[ .\-])[0-9]{3,4}[ .\-]?[0-9]{3,4}\b)";
  }
  return "";
}

const RE2& Regex(PiiKind kind) {
  static const std::array<std::unique_ptr<RE2>, 5> regexes = [] {
    std::array<std::unique_ptr<RE2>, 5> r;
    for (int k = 0; k < 5; ++k) r[k] = std::make_unique<RE2>(Pattern(static_cast<PiiKind>(k)));
    return r;
  }();
  return *regexes[static_cast<size_t>(kind)];
}

// Replaces every match of `kind` for which `accept` holds.
template <class Accept>
std::string ReplaceAll(std::string_view text, PiiKind kind, const std::string& token, Accept accept, int64_t* count) {
  const RE2& re = Regex(kind);
  std::string out;
  size_t pos = 0;
  re2::StringPiece match;
  const re2::StringPiece all(text.data(), text.size());
  while (pos <= text.size() && re.Match(all, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
    const size_t start = static_cast<size_t>(match.data() - text.data());
    const size_t end = start + match.size();
    if (accept(text, start, end)) {
      out.append(text, pos, start - pos);
      out += token;
      ++*count;
    } else {
      out.append(text, pos, end - pos);
    }
    if (end == pos) {  // an empty match: step over one byte
      if (end < text.size()) out.push_back(text[end]);
      pos = end + 1;
    } else {
      pos = end;
    }
  }
  if (pos < text.size()) out.append(text, pos, std::string_view::npos);
  return out;
}

// Whether any of the five patterns matches somewhere in `text`: one pass of
// one automaton (RE2::Set) instead of five. A text none matches is left as
// it is by every kind in turn. Out of the automaton's memory: "maybe".
bool MayHoldPii(std::string_view text) {
  static const std::unique_ptr<RE2::Set> set = [] {
    auto s = std::make_unique<RE2::Set>(RE2::Options(), RE2::UNANCHORED);
    for (int k = 0; k < 5; ++k) {
      if (s->Add(Pattern(static_cast<PiiKind>(k)), nullptr) < 0) return std::unique_ptr<RE2::Set>();
    }
    if (!s->Compile()) return std::unique_ptr<RE2::Set>();
    return s;
  }();
  if (!set) return true;
  RE2::Set::ErrorInfo error;
  if (set->Match(re2::StringPiece(text.data(), text.size()), nullptr, &error)) return true;
  return error.kind != RE2::Set::kNoError;
}

}  // namespace

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

std::string MaskPii(const PiiOptions& o, std::string_view text, std::array<int64_t, 5>* counts) {
  std::string out;
  return MaskPiiInto(o, text, &out, counts) ? out : std::string(text);
}

bool MaskPiiInto(const PiiOptions& o, std::string_view text, std::string* out, std::array<int64_t, 5>* counts) {
  if (!MayHoldPii(text)) return false;
  int64_t found_before = 0;
  for (const int64_t n : *counts) found_before += n;
  std::string t(text);
  auto any = [](std::string_view, size_t, size_t) { return true; };
  auto digits_in = [](std::string_view m) {
    std::string digits;
    for (char c : m) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    return digits;
  };
  for (int k = 0; k < 5; ++k) {
    const auto kind = static_cast<PiiKind>(k);
    if (!o.enabled[k]) continue;
    // Cheap guards: most documents hold none of these.
    if (kind == PiiKind::kEmail && t.find('@') == std::string::npos) continue;
    if ((kind == PiiKind::kIpv4) && t.find('.') == std::string::npos) continue;
    if (kind == PiiKind::kIpv6 && t.find(':') == std::string::npos) continue;
    if (kind == PiiKind::kCreditCard) {
      t = ReplaceAll(t, kind, o.tokens[k], [&](std::string_view s, size_t start, size_t end) {
        const std::string digits = digits_in(s.substr(start, end - start));
        return digits.size() >= 13 && digits.size() <= 19 && LuhnValid(digits);
      }, &(*counts)[k]);
      continue;
    }
    if (kind == PiiKind::kPhone) {
      // Not a piece of a longer run of digit groups (a card that failed
      // Luhn, an ISBN, a table of numbers), and 9 to 15 digits in all.
      t = ReplaceAll(t, kind, o.tokens[k], [&](std::string_view s, size_t start, size_t end) {
        auto digit = [&](size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
        auto sep = [&](size_t i) { return i < s.size() && (s[i] == '-' || s[i] == '.' || s[i] == ' '); };
        if (digit(end) || (sep(end) && digit(end + 1))) return false;
        if (start > 0 && (digit(start - 1) || (sep(start - 1) && start > 1 && digit(start - 2)))) return false;
        const size_t n = digits_in(s.substr(start, end - start)).size();
        return n >= 9 && n <= 15;
      }, &(*counts)[k]);
      continue;
    }
    t = ReplaceAll(t, kind, o.tokens[k], any, &(*counts)[k]);
  }
  int64_t found_after = 0;
  for (const int64_t n : *counts) found_after += n;
  if (found_after == found_before) return false;
  *out = std::move(t);
  return true;
}

}  // namespace strata::text
