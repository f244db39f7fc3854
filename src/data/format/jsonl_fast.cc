#include "data/format/jsonl_fast.h"

#include <array>
#include <bit>
#include <charconv>
#include <string>
#include <vector>

#include "common/byte_set.h"
#include "data/json_text.h"

namespace strata::data {

namespace {

// Bytes a string scan stops at: the closing quote, an escape, a control
// character (JSON forbids it unescaped) and the start of a multi-byte character.
constexpr ByteSet kStringStop = ByteSet::Of([](unsigned char b) { return b < 0x20 || b >= 0x80 || b == '"' || b == '\\'; });
static_assert(kStringStop.ByNibbles());

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// A value read from the record, not yet appended.
struct Value {
  enum Kind { kNull, kString, kInt, kDouble, kBool } kind = kNull;
  size_t column = 0;
  std::string_view text;                  // kString without escapes: in the record
  size_t scratch_at = std::string::npos;  // kString with escapes: decoded into the scratch here
  size_t scratch_len = 0;
  int64_t i = 0;
  double d = 0;
  bool b = false;
};

class Reader {
 public:
  Reader(std::string_view s, std::string* scratch) : s_(s), scratch_(scratch) {}

  void SkipSpace() {
    while (i_ < s_.size() && IsJsonSpace(s_[i_])) ++i_;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool AtEnd() const { return i_ == s_.size(); }
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }

  // A string after its opening quote. Without escapes it is a view of the
  // record; with them it is decoded into the scratch (`*at`, `*len` set).
  bool String(std::string_view* out, size_t* at, size_t* len) {
    size_t run = i_;
    bool escaped = false;
    size_t start = 0;
    // The stops of 64 bytes at a time (text has an escaped newline or a
    // multi-byte character every line or so); one that an escape or a
    // character took is passed over.
    for (size_t base = i_; base < s_.size(); base += 64) {
      for (uint64_t stops = kStringStop.Mask(s_, base); stops != 0; stops &= stops - 1) {
        const size_t stop = base + static_cast<size_t>(std::countr_zero(stops));
        if (stop < i_) continue;
        i_ = stop;
        const auto b = static_cast<unsigned char>(s_[i_]);
        if (b == '"') {
          if (!escaped) {
            *out = s_.substr(run, i_ - run);
            *at = std::string::npos;
          } else {
            scratch_->append(s_.substr(run, i_ - run));
            *at = start;
            *len = scratch_->size() - start;
            *out = {};
          }
          ++i_;
          return true;
        }
        if (b < 0x20) return false;
        if (b >= 0x80) {
          const size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
          if (!IsStrictUtf8(s_.substr(i_, len))) return false;
          i_ += len;
          continue;
        }
        // An escape: what came before it goes to the scratch, then its character.
        if (!escaped) {
          escaped = true;
          start = scratch_->size();
        }
        scratch_->append(s_.substr(run, i_ - run));
        if (!Escape()) return false;
        run = i_;
      }
    }
    i_ = s_.size();
    return false;  // unterminated
  }

  // A number: an integer (no fraction or exponent) that fits int64, or
  // any other JSON number as a double; false if not JSON.
  bool Number(Value* v) {
    const size_t start = i_;
    Eat('-');
    if (Eat('0')) {
    } else if (Peek() >= '1' && Peek() <= '9') {
      while (Peek() >= '0' && Peek() <= '9') ++i_;
    } else {
      return false;
    }
    bool integer = true;
    if (Eat('.')) {
      integer = false;
      if (!Digits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++i_;
      integer = false;
      if (!Eat('+')) Eat('-');
      if (!Digits()) return false;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + i_;
    // Out of range (past int64, or a double's exponent): the general reader.
    if (integer) {
      v->kind = Value::kInt;
      const auto [end, ec] = std::from_chars(first, last, v->i);
      return ec == std::errc() && end == last;
    }
    v->kind = Value::kDouble;
    const auto [end, ec] = std::from_chars(first, last, v->d);
    return ec == std::errc() && end == last;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

 private:
  bool Digits() {
    const size_t at = i_;
    while (Peek() >= '0' && Peek() <= '9') ++i_;
    return i_ > at;
  }

  uint32_t Hex4(bool* ok) {
    uint32_t c = 0;
    for (int k = 0; k < 4; ++k) {
      const int d = i_ < s_.size() ? HexDigit(s_[i_]) : -1;
      if (d < 0) *ok = false;
      c = c * 16 + static_cast<uint32_t>(d < 0 ? 0 : d);
      ++i_;
    }
    return c;
  }

  // After the backslash at i_.
  bool Escape() {
    ++i_;
    if (i_ >= s_.size()) return false;
    const char e = s_[i_++];
    switch (e) {
      case '"': case '\\': case '/': scratch_->push_back(e); return true;
      case 'b': scratch_->push_back('\b'); return true;
      case 'f': scratch_->push_back('\f'); return true;
      case 'n': scratch_->push_back('\n'); return true;
      case 'r': scratch_->push_back('\r'); return true;
      case 't': scratch_->push_back('\t'); return true;
      case 'u': break;
      default: return false;
    }
    bool ok = true;
    uint32_t c = Hex4(&ok);
    if (!ok || (c >= 0xDC00 && c <= 0xDFFF)) return false;  // a low surrogate alone
    if (c >= 0xD800 && c <= 0xDBFF) {  // needs its low half
      if (!Literal("\\u")) return false;
      const uint32_t low = Hex4(&ok);
      if (!ok || low < 0xDC00 || low > 0xDFFF) return false;
      c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(c, scratch_);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string* scratch_;
};

// The schema column named `key`, or -1.
int ColumnOf(const CsvSchema& schema, std::string_view key) {
  for (size_t c = 0; c < schema.names.size(); ++c) {
    if (schema.names[c] == key) return static_cast<int>(c);
  }
  return -1;
}

// The value at the reader, checked against its column's type.
bool ReadValue(Reader& r, Type type, Value* v) {
  const char c = r.Peek();
  if (c == '"') {
    r.Eat('"');
    v->kind = Value::kString;
    return type == Type::kString && r.String(&v->text, &v->scratch_at, &v->scratch_len);
  }
  if (c == 'n') return r.Literal("null");  // kNull: fits any column
  if (c == 't' || c == 'f') {
    v->kind = Value::kBool;
    v->b = c == 't';
    return type == Type::kBool && r.Literal(c == 't' ? "true" : "false");
  }
  if (!r.Number(v)) return false;
  if (v->kind == Value::kInt) return type == Type::kInt64 || type == Type::kDouble;
  return type == Type::kDouble;
}

}  // namespace

bool ReadFlatJsonRecord(std::string_view raw, const CsvSchema& schema, Block* out) {
  thread_local std::string scratch;
  thread_local std::vector<Value> values;
  thread_local std::vector<bool> seen;
  scratch.clear();
  values.clear();
  seen.assign(schema.names.size(), false);
  Reader r(raw, &scratch);
  r.SkipSpace();
  if (!r.Eat('{')) return false;
  r.SkipSpace();
  if (!r.Eat('}')) {
    for (;;) {
      if (!r.Eat('"')) return false;
      std::string_view key;
      size_t key_at = 0, key_len = 0;
      if (!r.String(&key, &key_at, &key_len)) return false;
      if (key_at != std::string::npos) return false;  // an escaped key: the general reader
      const int column = ColumnOf(schema, key);
      if (column < 0 || seen[static_cast<size_t>(column)]) return false;
      seen[static_cast<size_t>(column)] = true;
      r.SkipSpace();
      if (!r.Eat(':')) return false;
      r.SkipSpace();
      Value v;
      v.column = static_cast<size_t>(column);
      if (!ReadValue(r, schema.types[v.column], &v)) return false;
      values.push_back(v);
      r.SkipSpace();
      if (r.Eat(',')) {
        r.SkipSpace();
        continue;
      }
      if (r.Eat('}')) break;
      return false;
    }
  }
  r.SkipSpace();
  if (!r.AtEnd()) return false;
  // Judged: append, every column once (a missing key is null).
  for (size_t c = 0; c < schema.names.size(); ++c) {
    if (!seen[c]) out->columns[c].AppendNull();
  }
  for (const Value& v : values) {
    Column& col = out->columns[v.column];
    switch (v.kind) {
      case Value::kNull: col.AppendNull(); break;
      case Value::kBool: col.AppendBool(v.b); break;
      case Value::kInt:
        if (schema.types[v.column] == Type::kDouble) col.AppendDouble(static_cast<double>(v.i));
        else col.AppendInt(v.i);
        break;
      case Value::kDouble: col.AppendDouble(v.d); break;
      case Value::kString:
        col.AppendString(v.scratch_at == std::string::npos
                             ? v.text
                             : std::string_view(scratch).substr(v.scratch_at, v.scratch_len));
        break;
    }
  }
  ++out->num_rows;
  return true;
}

}  // namespace strata::data
