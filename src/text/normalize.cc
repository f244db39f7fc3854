#include "text/normalize.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdlib>
#include <vector>

#include <utf8proc.h>

#include "common/byte_set.h"
#include "text/unicode.h"

namespace strata::text {

namespace {

// The byte Windows-1252 (Latin-1 where 1252 has none) writes `c` as, or -1.
int Cp1252Byte(char32_t c) {
  if (c >= 0xA0 && c <= 0xFF) return static_cast<int>(c);
  if (c >= 0x80 && c <= 0x9F) return static_cast<int>(c);  // Latin-1 C1 controls
  switch (c) {
    case 0x20AC: return 0x80; case 0x201A: return 0x82; case 0x0192: return 0x83;
    case 0x201E: return 0x84; case 0x2026: return 0x85; case 0x2020: return 0x86;
    case 0x2021: return 0x87; case 0x02C6: return 0x88; case 0x2030: return 0x89;
    case 0x0160: return 0x8A; case 0x2039: return 0x8B; case 0x0152: return 0x8C;
    case 0x017D: return 0x8E; case 0x2018: return 0x91; case 0x2019: return 0x92;
    case 0x201C: return 0x93; case 0x201D: return 0x94; case 0x2022: return 0x95;
    case 0x2013: return 0x96; case 0x2014: return 0x97; case 0x02DC: return 0x98;
    case 0x2122: return 0x99; case 0x0161: return 0x9A; case 0x203A: return 0x9B;
    case 0x0153: return 0x9C; case 0x017E: return 0x9E; case 0x0178: return 0x9F;
    default: return -1;
  }
}

// How many bytes a UTF-8 sequence starting with `lead` has (0: not a lead).
size_t SequenceLength(int lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool ValidUtf8Char(const std::string& bytes) {
  size_t i = 0;
  const char32_t c = NextCodePoint(bytes, &i);
  return i == bytes.size() && !(c == 0xFFFD && bytes != "\xEF\xBF\xBD");
}

// NFC (NFKC) of `stretch` appended to `out`; false if it is not valid UTF-8.
// utf8proc_map's two steps into a buffer kept from call to call.
bool AppendNormalized(std::string_view stretch, utf8proc_option_t options, std::string* out) {
  thread_local std::vector<utf8proc_int32_t> buffer;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(stretch.data());
  const auto length = static_cast<utf8proc_ssize_t>(stretch.size());
  utf8proc_ssize_t n;
  for (;;) {
    n = utf8proc_decompose(bytes, length, buffer.data(), static_cast<utf8proc_ssize_t>(buffer.size()), options);
    if (n < 0) return false;
    if (static_cast<size_t>(n) <= buffer.size()) break;
    buffer.resize(static_cast<size_t>(n));
  }
  n = utf8proc_reencode(buffer.data(), n, options);  // composes, then writes UTF-8 over the buffer
  if (n < 0) return false;
  out->append(reinterpret_cast<const char*>(buffer.data()), static_cast<size_t>(n));
  return true;
}

// Normalization is local: no ASCII character (all starters, quick check
// "yes") composes with what comes before it, so the text can be cut before
// each one. Only the stretches of non-ASCII characters are normalized, each
// with the ASCII character before it (a mark may compose with that); the
// rest is copied. Into *out, or false (the text stays as it is): ASCII,
// its own NFC and NFKC, or invalid UTF-8 anywhere (as one utf8proc_map over
// it did).
bool NormalizeForm(std::string_view t, bool nfkc, std::string* out) {
  size_t i = AsciiPrefix(t);
  if (i == t.size()) return false;
  int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
  if (nfkc) options |= UTF8PROC_COMPAT;
  out->clear();
  out->reserve(t.size() + t.size() / 8);
  size_t copied = 0;
  while (i < t.size()) {
    const size_t start = i > 0 ? i - 1 : 0;
    size_t end = i;
    while (end < t.size() && static_cast<unsigned char>(t[end]) >= 0x80) ++end;
    out->append(t, copied, start - copied);
    if (!AppendNormalized(t.substr(start, end - start), static_cast<utf8proc_option_t>(options), out)) return false;
    copied = end;
    i = end + AsciiPrefix(t.substr(end));
  }
  out->append(t, copied);
  return true;
}

}  // namespace

std::string FixMojibake(std::string_view text) {
  // Mojibake starts with a character standing for a UTF-8 lead byte
  // (U+00C2-U+00F4, all encoded 0xC3 ..): none, nothing to fix.
  if (text.find('\xC3') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t at = i;
    const char32_t c = NextCodePoint(text, &i);
    const size_t want = SequenceLength(Cp1252Byte(c));
    if (want >= 2) {
      // The next characters must stand for continuation bytes 0x80-0xBF.
      std::string bytes(1, static_cast<char>(Cp1252Byte(c)));
      size_t j = i;
      while (bytes.size() < want && j < text.size()) {
        const char32_t next = NextCodePoint(text, &j);
        const int b = Cp1252Byte(next);
        if (b < 0x80 || b > 0xBF) break;
        bytes.push_back(static_cast<char>(b));
      }
      if (bytes.size() == want && ValidUtf8Char(bytes)) {
        out += bytes;
        i = j;
        continue;
      }
    }
    out.append(text, at, i - at);
  }
  return out;
}

std::string DecodeHtmlEntities(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&nbsp;", "\u00A0"},
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '&') {
      out.push_back(text[i++]);
      continue;
    }
    bool done = false;
    for (const auto& [name, value] : kNamed) {
      if (text.compare(i, name.size(), name) == 0) {
        out += value;
        i += name.size();
        done = true;
        break;
      }
    }
    if (done) continue;
    if (i + 2 < text.size() && text[i + 1] == '#') {
      const bool hex = text[i + 2] == 'x' || text[i + 2] == 'X';
      size_t j = i + (hex ? 3 : 2);
      uint32_t value = 0;
      const size_t digits_start = j;
      while (j < text.size() && j - digits_start < 7 &&
             (hex ? std::isxdigit(static_cast<unsigned char>(text[j])) : std::isdigit(static_cast<unsigned char>(text[j])))) {
        value = value * (hex ? 16 : 10) + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(text[j]))
                                                                      ? text[j] - '0'
                                                                      : (text[j] | 0x20) - 'a' + 10);
        ++j;
      }
      if (j > digits_start && j < text.size() && text[j] == ';' && value > 0 && value <= 0x10FFFF &&
          !(value >= 0xD800 && value <= 0xDFFF)) {
        AppendUtf8(static_cast<char32_t>(value), &out);
        i = j + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

namespace {

// Where the main pass writes: nothing while the output is still a prefix of
// its source (nearly every text is already normal), a string from the
// first difference on.
class LazyOutput {
 public:
  LazyOutput(std::string_view source, std::string* out) : source_(source), out_(out) {}
  // source[at, at + n), at the end of the output so far.
  void AppendSource(size_t at, size_t n) {
    if (lazy_ && at == size_) {
      size_ += n;
      return;
    }
    Append(source_.substr(at, n));
  }
  void Append(std::string_view piece) {
    if (lazy_) {
      if (source_.substr(size_, piece.size()) == piece) {
        size_ += piece.size();
        return;
      }
      out_->assign(source_.substr(0, size_));
      lazy_ = false;
    }
    out_->append(piece);
  }
  void Append(char c) { Append(std::string_view(&c, 1)); }
  bool empty() const { return lazy_ ? size_ == 0 : out_->empty(); }
  char back() const { return lazy_ ? source_[size_ - 1] : out_->back(); }
  void PopBack() {
    if (lazy_) {
      --size_;
    } else {
      out_->pop_back();
    }
  }
  // Whether the output differs from the source; if so, *out holds it.
  bool Finish() {
    if (!lazy_) return true;
    if (size_ == source_.size()) return false;
    out_->assign(source_.substr(0, size_));
    return true;
  }

 private:
  std::string_view source_;
  std::string* out_;
  bool lazy_ = true;
  size_t size_ = 0;  // while lazy: the output is source_[0, size_)
};

}  // namespace

constexpr ByteSet kNotPrintable = ByteSet::Of([](unsigned char b) { return b < 0x20 || b >= 0x7F; });
constexpr ByteSet kSpace(" ");
static_assert(kNotPrintable.ByNibbles());

bool NormalizeTextInto(const NormalizeOptions& o, std::string_view text, std::string* result) {
  // The text is copied only by a step that changes it.
  std::string changed;
  std::string_view t = text;
  if (o.fix_mojibake && t.find('\xC3') != std::string_view::npos) t = changed = FixMojibake(t);
  if (o.fix_html_entities && t.find('&') != std::string_view::npos) t = changed = DecodeHtmlEntities(t);
  if (std::string formed; NormalizeForm(t, o.nfkc, &formed)) t = changed = std::move(formed);
  // One pass: controls, whitespace, case.
  result->clear();
  LazyOutput out(t, result);
  size_t pending_spaces = 0;   // horizontal whitespace not yet written
  size_t newlines = 0;         // line breaks in a row so far
  bool line_has_text = false;
  for (size_t i = 0; i < t.size();) {
    // Printable ASCII starting with other than a space, and single spaces
    // between (64 bytes at most, from byte-set masks), as the loop below
    // would take it one by one: no control, no other whitespace, a space
    // between two printable characters kept as it is; written as it is (or
    // lowered). A space ending it is left to the loop (it may end a line).
    if (const auto b = static_cast<unsigned char>(t[i]); b > 0x20 && b < 0x7F) {
      const uint64_t spaces = kSpace.Mask(t, i);
      const uint64_t stops = kNotPrintable.Mask(t, i) | (spaces & spaces >> 1);
      size_t run = stops != 0 ? static_cast<size_t>(std::countr_zero(stops)) : std::min<size_t>(64, t.size() - i);
      run -= spaces >> (run - 1) & 1;
      if (o.collapse_whitespace) {
        if (pending_spaces > 0 && line_has_text) out.Append(' ');
        pending_spaces = 0;
        newlines = 0;
        line_has_text = true;
      }
      if (o.lowercase) {
        for (size_t k = i; k < i + run; ++k) out.Append(static_cast<char>(ToLower(static_cast<unsigned char>(t[k]))));
      } else {
        out.AppendSource(i, run);
      }
      i += run;
      continue;
    }
    const size_t at = i;
    char32_t c = NextCodePoint(t, &i);
    if (c == '\r') {
      if (i < t.size() && t[i] == '\n') continue;  // CR LF: the LF follows
      c = '\n';
    }
    if (c == 0xFFFD && !(i - at == 3 && t.compare(at, 3, "\xEF\xBF\xBD") == 0)) {
      if (o.remove_control) continue;  // an invalid byte
    }
    const bool control = c < 0x20 ? (c != '\n' && c != '\t') : (c >= 0x7F && c < 0xA0);
    if (control && o.remove_control) continue;
    if (o.collapse_whitespace) {
      if (c == '\n') {
        pending_spaces = 0;  // spaces at the end of a line go
        line_has_text = false;
        // At most one blank line; none before the first text.
        if (!out.empty() && newlines < 2) out.Append('\n');
        ++newlines;
        continue;
      }
      if (IsSpace(c)) {
        ++pending_spaces;
        continue;
      }
      if (pending_spaces > 0 && line_has_text) out.Append(' ');  // not at a line's start
      pending_spaces = 0;
      newlines = 0;
      line_has_text = true;
    }
    if (o.lowercase) c = ToLower(c);
    if (c < 0x80) {
      out.Append(static_cast<char>(c));
    } else {
      std::string utf8;
      AppendUtf8(c, &utf8);
      out.Append(utf8);
    }
  }
  if (o.collapse_whitespace) {
    while (!out.empty() && out.back() == '\n') out.PopBack();
  }
  const bool differs = out.Finish();
  if (t.data() == text.data()) return differs;
  if (!differs) result->assign(t);  // what the steps before made of it
  return *result != text;
}

std::string NormalizeText(const NormalizeOptions& o, std::string_view text) {
  std::string out;
  if (!NormalizeTextInto(o, text, &out)) return std::string(text);
  return out;
}

}  // namespace strata::text
