#include "data/format/csv.h"

#include "data/format/input_file.h"
#include "data/timestamp.h"

#include <algorithm>
#include <deque>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

namespace strata::data {

namespace {

constexpr int kInferRows = 1000;
constexpr size_t kHeadBytes = 1 << 20;

// One record's fields; `error` set when it breaks the format.
struct Record {
  std::vector<std::string_view> fields;
  // Storage for fields that had "" escapes; a deque, as `fields` points into
  // it and growing a vector would move short strings out from under them.
  std::deque<std::string> unescaped;
  std::string error;
};

// Reads one record starting at `pos`; returns the position after it and the
// number of newlines it spans.
size_t NextRecord(std::string_view text, size_t pos, char delim, Record* r, int* newlines) {
  r->fields.clear();
  if (!r->unescaped.empty()) r->unescaped.clear();
  r->error.clear();
  *newlines = 0;
  const size_t n = text.size();
  for (;;) {
    if (pos < n && text[pos] == '"') {
      // Quoted field.
      size_t i = pos + 1;
      bool escaped = false;
      for (;;) {
        const size_t q = text.find('"', i);
        if (q == std::string_view::npos) {
          r->error = "unclosed quote";
          for (size_t k = pos; k < n; ++k) *newlines += text[k] == '\n';
          return n;
        }
        if (q + 1 < n && text[q + 1] == '"') {
          escaped = true;
          i = q + 2;
          continue;
        }
        std::string_view raw = text.substr(pos + 1, q - pos - 1);
        for (char c : raw) *newlines += c == '\n';
        if (escaped) {
          std::string s;
          for (size_t k = 0; k < raw.size(); ++k) {
            s += raw[k];
            if (raw[k] == '"') ++k;
          }
          r->unescaped.push_back(std::move(s));
          r->fields.push_back(r->unescaped.back());
        } else {
          r->fields.push_back(raw);
        }
        pos = q + 1;
        break;
      }
      if (pos < n && text[pos] != delim && text[pos] != '\n' && text[pos] != '\r') {
        r->error = "text after a closing quote";
        while (pos < n && text[pos] != '\n') ++pos;
      }
    } else {
      // One pass finds the field's end and any quote inside it.
      size_t end = pos;
      bool quote = false;
      const char* t = text.data();
      while (end < n) {
        const char c = t[end];
        if (c == delim || c == '\n') break;
        quote |= c == '"';
        ++end;
      }
      std::string_view f = text.substr(pos, end - pos);
      if (!f.empty() && f.back() == '\r' && (end == n || text[end] == '\n')) f.remove_suffix(1);
      if (quote && r->error.empty()) r->error = "a quote inside an unquoted field";
      r->fields.push_back(f);
      pos = end;
    }
    if (pos < n && text[pos] == delim) {
      ++pos;
      continue;
    }
    if (pos < n && text[pos] == '\r') ++pos;
    if (pos < n && text[pos] == '\n') {
      ++pos;
      ++*newlines;
    }
    return pos;
  }
}

bool ParseInt(std::string_view s, int64_t* v) {
  // Up to 18 digits cannot overflow: the common case, without from_chars.
  if (!s.empty() && s.size() <= 18) {
    size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
    if (i < s.size()) {
      int64_t x = 0;
      for (; i < s.size(); ++i) {
        const unsigned d = static_cast<unsigned char>(s[i]) - '0';
        if (d > 9) break;
        x = x * 10 + d;
      }
      if (i == s.size()) {
        *v = s[0] == '-' ? -x : x;
        return true;
      }
    }
  }
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, *v);
  return ec == std::errc() && p == e && b != e;
}

bool ParseDouble(std::string_view s, double* v) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, *v);
  return ec == std::errc() && p == e && b != e;
}

bool ParseBool(std::string_view s, bool* v) {
  if (s == "true" || s == "True" || s == "TRUE") return *v = true, true;
  if (s == "false" || s == "False" || s == "FALSE") return *v = false, true;
  return false;
}

// A header that repeats a name (`a,a,b`) keeps every column: the second `a`
// becomes `a_2` (then `a_3`, skipping names already taken), and the user is told.
void RenameRepeatedColumns(const std::string& path, std::vector<std::string>* names) {
  std::set<std::string> taken(names->begin(), names->end());
  std::set<std::string> seen;
  for (std::string& name : *names) {
    if (seen.insert(name).second) continue;
    std::string fresh;
    for (int k = 2; taken.count(fresh = name + "_" + std::to_string(k)); ++k) {
    }
    std::fprintf(stderr, "strata: warning: %s: the header repeats column '%s'; that one is read as '%s'\n",
                 path.c_str(), name.c_str(), fresh.c_str());
    taken.insert(fresh);
    seen.insert(fresh);
    name = fresh;
  }
}

}  // namespace

Result<CsvSchema> InferCsvSchema(const std::string& path, char delim, bool header) {
  std::string head;
  STRATA_RETURN_IF_ERROR(ReadHead(path, kHeadBytes, &head));
  CsvSchema schema;
  StripByteOrderMark(&head);
  const bool cut = head.size() == kHeadBytes;  // the last record may be incomplete
  std::string_view text(head);
  Record r;
  int nl = 0;
  size_t pos = 0;
  if (header) {
    pos = NextRecord(text, 0, delim, &r, &nl);
    if (!r.error.empty()) {
      return InvalidArgument(path + ":1: the header line is not valid CSV (" + r.error + ")");
    }
    for (auto f : r.fields) schema.names.emplace_back(f);
    RenameRepeatedColumns(path, &schema.names);
  }
  // Per column: how many sampled values read as an int / a double / a bool.
  // A column is typed when all but a few (at most 1, or 5%) do: the few are
  // bad records, reported rather than turning the column into text.
  std::vector<int> n_int, n_double, n_bool, n_ts, n_seen;
  for (int row = 0; row < kInferRows && pos < text.size(); ++row) {
    const size_t next = NextRecord(text, pos, delim, &r, &nl);
    if (next >= text.size() && cut) break;
    pos = next;
    if (!r.error.empty()) continue;
    if (schema.names.empty()) {
      for (size_t i = 0; i < r.fields.size(); ++i) schema.names.push_back("c" + std::to_string(i));
    }
    const size_t cols = schema.names.size();
    n_int.resize(cols), n_double.resize(cols), n_bool.resize(cols), n_ts.resize(cols), n_seen.resize(cols);
    if (r.fields.size() != cols) continue;
    for (size_t i = 0; i < cols; ++i) {
      const std::string_view f = r.fields[i];
      if (f.empty()) continue;
      ++n_seen[i];
      int64_t iv;
      double dv;
      bool bv;
      n_int[i] += ParseInt(f, &iv);
      n_double[i] += ParseDouble(f, &dv);
      n_bool[i] += ParseBool(f, &bv);
      n_ts[i] += ParseTimestamp(f, &iv);
    }
  }
  schema.types.assign(schema.names.size(), Type::kString);
  for (size_t i = 0; i < schema.names.size() && i < n_seen.size(); ++i) {
    const int seen = n_seen[i];
    if (seen == 0) continue;
    const int allowed = seen >= 5 ? std::max(1, seen / 20) : 0;
    if (n_double[i] > 0 && seen - n_double[i] <= allowed) {
      schema.types[i] = n_int[i] == n_double[i] ? Type::kInt64 : Type::kDouble;
    } else if (n_bool[i] > 0 && seen - n_bool[i] <= allowed) {
      schema.types[i] = Type::kBool;
    } else if (n_ts[i] > 0 && seen - n_ts[i] <= allowed) {
      schema.types[i] = Type::kTimestamp;
    }
  }
  return schema;
}

namespace {

// Newlines in [p, p + n), 16 bytes at a time (GCC vector extensions: plain
// SIMD on any architecture).
int64_t CountNewlines(const char* p, size_t n) {
  typedef unsigned char v16 __attribute__((vector_size(16)));
  const v16 newline = {'\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
                       '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n'};
  int64_t count = 0;
  size_t i = 0;
  while (i + 16 <= n) {
    // Per-lane counters (each comparison is 0 or 0xff, so subtracting adds
    // one), emptied before they can wrap.
    v16 lanes = {};
    const size_t stop = std::min(n - (n - i) % 16, i + 255 * 16);
    for (; i < stop; i += 16) {
      v16 chunk;
      std::memcpy(&chunk, p + i, 16);
      lanes -= (v16)(chunk == newline);
    }
    for (int k = 0; k < 16; ++k) count += lanes[k];
  }
  for (; i < n; ++i) count += p[i] == '\n';
  return count;
}

}  // namespace

Result<std::vector<FileRange>> SplitCsv(const std::string& path, bool header, int64_t target) {
  if (IsCompressed(path)) {
    // Read whole by one task; the offset, in decompressed bytes, skips the header.
    std::string head;
    STRATA_RETURN_IF_ERROR(ReadHead(path, kHeadBytes, &head));
    int64_t skip = 0, first_line = 1;
    if (header) {
      Record r;
      int nl = 0;
      skip = static_cast<int64_t>(NextRecord(head, 0, ',', &r, &nl));
      first_line += nl;
    }
    return std::vector<FileRange>{FileRange{path, skip, 0, first_line, {}}};
  }
  // One pass over the file in 4 MiB reads, tracking only whether the scan
  // is inside quotes: a file of any size is cut without being held.
  std::ifstream in(path, std::ios::binary);
  std::vector<FileRange> out;
  if (!in) return CannotRead(path);
  std::vector<char> buf(4 << 20);
  bool quoted = false;
  bool in_header = header;
  int64_t offset = 0, line = 1;
  int64_t start = 0, start_line = 1;
  // A record ends at the newline at buffer index k: cut there when the range
  // is long enough.
  auto record_end = [&](std::streamsize k) {
    const int64_t end = offset + k + 1;
    if (in_header) {
      in_header = false;
      start = end;
      start_line = line;
    } else if (end - start >= target) {
      out.push_back({path, start, end - start, start_line, {}});
      start = end;
      start_line = line;
    }
  };
  for (;;) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    const char* b = buf.data();
    if (!quoted && std::memchr(b, '"', static_cast<size_t>(n)) == nullptr) {
      // No quotes here (the common case): every newline ends a record, and
      // only the ones at cut points need finding — the rest are counted.
      std::streamsize pos = 0;
      while (pos < n) {
        const int64_t cut_from = in_header ? pos : std::max<int64_t>(pos, start + target - 1 - offset);
        if (cut_from >= n) {
          line += CountNewlines(b + pos, static_cast<size_t>(n - pos));
          break;
        }
        line += CountNewlines(b + pos, static_cast<size_t>(cut_from - pos));
        const void* nl = std::memchr(b + cut_from, '\n', static_cast<size_t>(n - cut_from));
        if (nl == nullptr) {
          pos = n;
          break;
        }
        const std::streamsize k = static_cast<const char*>(nl) - b;
        ++line;
        record_end(k);
        pos = k + 1;
      }
    } else {
      for (std::streamsize k = 0; k < n; ++k) {
        const char c = b[k];
        if (c == '"') quoted = !quoted;
        if (c != '\n') continue;
        ++line;
        if (!quoted) record_end(k);
      }
    }
    offset += n;
  }
  if (!in_header && start < offset) out.push_back({path, start, offset - start, start_line, {}});
  return out;
}

void ParseCsv(std::string_view text, const std::string& file, int64_t first_line,
              const CsvSchema& schema, char delim, Block* out, std::vector<BadRecord>* bad) {
  const size_t cols = schema.names.size();
  if (out->columns.empty()) {
    for (size_t i = 0; i < cols; ++i) out->Add(schema.names[i], Column::OfType(schema.types[i]));
  }
  Record r;
  size_t pos = 0;
  int64_t line = first_line;
  std::string reason;
  struct Value {
    bool null = true;
    int64_t i = 0;
    double d = 0;
    bool b = false;
  };
  std::vector<Value> row(cols);
  // Room for about as many rows as the text holds, judged by its start.
  const size_t sample = std::min<size_t>(text.size(), 64 << 10);
  const size_t lines_in_sample = std::max<size_t>(1, static_cast<size_t>(std::count(text.begin(), text.begin() + sample, '\n')));
  const size_t expect = text.size() / std::max<size_t>(1, sample / lines_in_sample) + 16;
  for (size_t i = 0; i < cols; ++i) {
    Column& c = out->columns[i];
    if (IsI64(c.type)) c.i64.reserve(c.i64.size() + expect);
    if (c.type == Type::kDouble) c.f64.reserve(c.f64.size() + expect);
    if (c.type == Type::kBool) c.b.reserve(c.b.size() + expect);
    if (IsBytes(c.type)) c.offsets.reserve(c.offsets.size() + expect);
  }
  while (pos < text.size()) {
    const size_t start = pos;
    int nl = 0;
    pos = NextRecord(text, pos, delim, &r, &nl);
    const int64_t record_line = line;
    line += nl;
    if (r.fields.size() == 1 && r.fields[0].empty() && r.error.empty()) continue;  // blank line
    reason = r.error;
    if (reason.empty() && r.fields.size() != cols) {
      reason = "expected " + std::to_string(cols) + " fields, found " + std::to_string(r.fields.size());
    }
    // Each field is converted once, into a scratch row; the row is appended
    // only when every field converted.
    if (reason.empty()) {
      for (size_t i = 0; i < cols && reason.empty(); ++i) {
        const std::string_view f = r.fields[i];
        Value& v = row[i];
        v.null = f.empty();
        if (v.null) continue;
        const Type t = schema.types[i];
        const bool ok = t == Type::kInt64    ? ParseInt(f, &v.i)
                        : t == Type::kDouble ? ParseDouble(f, &v.d)
                        : t == Type::kBool   ? ParseBool(f, &v.b)
                        : t == Type::kTimestamp ? ParseTimestamp(f, &v.i)
                                             : true;
        if (!ok) {
          reason = "field '" + schema.names[i] + "' is not " + (t == Type::kInt64 ? "an " : "a ") +
                   TypeName(t) + ": '" + std::string(f.substr(0, 40)) + "'";
        }
      }
    }
    if (!reason.empty()) {
      std::string_view raw = text.substr(start, pos - start);
      while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
      bad->push_back({file, record_line, reason, std::string(raw)});
      continue;
    }
    for (size_t i = 0; i < cols; ++i) {
      Column& c = out->columns[i];
      const Value& v = row[i];
      if (v.null) {
        c.AppendNull();
        continue;
      }
      switch (schema.types[i]) {
        case Type::kInt64: c.AppendInt(v.i); break;
        case Type::kDouble: c.AppendDouble(v.d); break;
        case Type::kBool: c.AppendBool(v.b); break;
        case Type::kTimestamp: c.AppendInt(v.i); break;
        default: c.AppendString(r.fields[i]);
      }
    }
    ++out->num_rows;
  }
}

void WriteCsv(const Block& block, char delim, bool header, std::string* out) {
  auto field = [&](std::string_view s) {
    if (s.find_first_of(std::string("\"\n\r") + delim) == std::string_view::npos) {
      out->append(s);
      return;
    }
    out->push_back('"');
    for (char c : s) {
      if (c == '"') out->push_back('"');
      out->push_back(c);
    }
    out->push_back('"');
  };
  if (header) {
    for (size_t i = 0; i < block.names.size(); ++i) {
      if (i) out->push_back(delim);
      field(block.names[i]);
    }
    out->push_back('\n');
  }
  for (int64_t r = 0; r < block.num_rows; ++r) {
    for (size_t i = 0; i < block.columns.size(); ++i) {
      if (i) out->push_back(delim);
      const Column& c = block.columns[i];
      if (c.IsNull(r)) continue;
      if (c.type == Type::kString) {
        field(c.Str(r));
      } else if (c.type == Type::kTimestamp) {
        out->append(FormatTimestamp(c.i64[static_cast<size_t>(r)]));
      } else if (c.type == Type::kList) {
        field(JsonValue(c, r));  // JSON text, quoted as CSV needs
      } else if (c.type == Type::kBinary) {
        out->append(Base64(c.Str(r)));
      } else {
        out->append(JsonValue(c, r));
      }
    }
    out->push_back('\n');
  }
}

}  // namespace strata::data
