#include "data/block.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "data/json_text.h"
#include "data/timestamp.h"

namespace strata::data {

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBool: return "bool";
    case Type::kInt64: return "int64";
    case Type::kDouble: return "double";
    case Type::kString: return "string";
    case Type::kTimestamp: return "timestamp";
    case Type::kList: return "list";
    case Type::kBinary: return "binary";
  }
  return "?";
}

Column Column::OfType(Type t) {
  Column c;
  c.type = t;
  if (IsBytes(t) || t == Type::kList) c.offsets.push_back(0);
  if (t == Type::kList) c.children.push_back(OfType(Type::kNull));
  return c;
}

Column Column::ListOf(Type element) {
  Column c = OfType(Type::kList);
  c.children[0] = OfType(element);
  return c;
}

void Column::EndList() {
  offsets.push_back(static_cast<int32_t>(children[0].length));
  MarkValid(true);
}

void Column::MarkValidSlow(bool valid) {
  const size_t byte = static_cast<size_t>(length >> 3);
  if (!valid && validity.empty()) {
    // First null: materialize the bitmap with every earlier row present.
    validity.assign(static_cast<size_t>((length + 8) >> 3), 0xff);
  }
  if (!validity.empty()) {
    if (validity.size() <= byte) validity.resize(byte + 1, 0xff);
    if (valid) {
      validity[byte] |= static_cast<uint8_t>(1u << (length & 7));
    } else {
      validity[byte] &= static_cast<uint8_t>(~(1u << (length & 7)));
    }
  }
  ++length;
}

void Column::AppendNull() {
  switch (type) {
    case Type::kInt64:
    case Type::kTimestamp: i64.push_back(0); break;
    case Type::kDouble: f64.push_back(0); break;
    case Type::kBool: b.push_back(0); break;
    case Type::kString:
    case Type::kBinary:
    case Type::kList: offsets.push_back(offsets.back()); break;
    case Type::kNull: break;
  }
  MarkValid(false);
}
void Column::AppendFrom(const Column& o, int64_t i) {
  if (o.IsNull(i)) {
    AppendNull();
    return;
  }
  switch (o.type) {
    case Type::kInt64:
      if (type == Type::kDouble) {
        AppendDouble(static_cast<double>(o.i64[i]));
      } else {
        AppendInt(o.i64[i]);
      }
      break;
    case Type::kDouble: AppendDouble(o.f64[i]); break;
    case Type::kBool: AppendBool(o.b[i] != 0); break;
    case Type::kString:
    case Type::kBinary: AppendString(o.Str(i)); break;
    case Type::kTimestamp: AppendInt(o.i64[i]); break;
    case Type::kList: {
      const Column& from = o.Values();
      Column& to = Values();
      if (to.type == Type::kNull && to.length == 0) to = OfType(from.type);
      for (int32_t k = o.offsets[i]; k < o.offsets[i + 1]; ++k) to.AppendFrom(from, k);
      EndList();
      break;
    }
    case Type::kNull: AppendNull(); break;
  }
}

int Block::Find(const std::string& name) const {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

void Block::Add(std::string name, Column c) {
  if (const int i = Find(name); i >= 0) {
    columns[static_cast<size_t>(i)] = std::move(c);
    return;
  }
  names.push_back(std::move(name));
  columns.push_back(std::move(c));
}

Column Gather(const Column& c, const std::vector<int64_t>& rows) {
  if (c.type == Type::kList) {
    Column n = Column::ListOf(c.ElementType());
    for (int64_t r : rows) n.AppendFrom(c, r);
    return n;
  }
  // Typed loops over the selected rows; the bitmap only if there are nulls.
  Column n = Column::OfType(c.type);
  const size_t count = rows.size();
  switch (c.type) {
    case Type::kInt64:
    case Type::kTimestamp:
      n.i64.resize(count);
      for (size_t k = 0; k < count; ++k) n.i64[k] = c.i64[static_cast<size_t>(rows[k])];
      break;
    case Type::kDouble:
      n.f64.resize(count);
      for (size_t k = 0; k < count; ++k) n.f64[k] = c.f64[static_cast<size_t>(rows[k])];
      break;
    case Type::kBool:
      n.b.resize(count);
      for (size_t k = 0; k < count; ++k) n.b[k] = c.b[static_cast<size_t>(rows[k])];
      break;
    case Type::kString:
    case Type::kBinary:
    {
      // Sized once, and a run of consecutive rows (what a filter keeps) is
      // one copy: filters in a row copied the text column through string
      // growth before.
      n.offsets.resize(count + 1);
      size_t total = 0;
      for (size_t k = 0; k < count; ++k) total += c.Str(rows[k]).size();
      n.chars.reserve(total);
      for (size_t k = 0; k < count;) {
        size_t end = k + 1;
        while (end < count && rows[end] == rows[end - 1] + 1) ++end;
        const auto first = static_cast<size_t>(rows[k]), last = static_cast<size_t>(rows[end - 1]);
        const int32_t from = c.offsets[first];
        const int32_t shift = static_cast<int32_t>(n.chars.size()) - from;
        n.chars.append(c.chars, static_cast<size_t>(from), static_cast<size_t>(c.offsets[last + 1] - from));
        for (size_t j = k; j < end; ++j) n.offsets[j + 1] = c.offsets[static_cast<size_t>(rows[j]) + 1] + shift;
        k = end;
      }
      break;
    }
    case Type::kNull:
    case Type::kList:
      break;
  }
  n.length = static_cast<int64_t>(count);
  if (!c.validity.empty() || c.type == Type::kNull) {
    n.validity.assign((count + 7) / 8, 0);
    for (size_t k = 0; k < count; ++k) {
      if (!c.IsNull(rows[k])) n.validity[k >> 3] |= static_cast<uint8_t>(1u << (k & 7));
    }
  }
  return n;
}

Block Block::Take(const std::vector<int64_t>& rows) const {
  Block out;
  out.names = names;
  out.num_rows = static_cast<int64_t>(rows.size());
  for (const Column& c : columns) out.columns.push_back(Gather(c, rows));
  return out;
}

namespace {

// The rows where `mask` is true (null: false), ascending.
std::vector<int64_t> RowsWhere(const Column& mask) {
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < mask.length; ++i) {
    if (!mask.IsNull(i) && mask.b[i] != 0) rows.push_back(i);
  }
  return rows;
}

}  // namespace

Block Block::Filter(const Column& mask) const {
  const std::vector<int64_t> rows = RowsWhere(mask);
  if (static_cast<int64_t>(rows.size()) == num_rows) return *this;
  return Take(rows);
}

namespace {

// Rows `rows` (ascending) of `c` moved to its front. Row k comes from row
// rows[k] >= k, so every read is of a place not yet written.
void CompactColumn(Column* c, const std::vector<int64_t>& rows) {
  const size_t count = rows.size();
  auto compact = [&](auto& values) {
    for (size_t k = 0; k < count; ++k) values[k] = values[static_cast<size_t>(rows[k])];
    values.resize(count);
  };
  switch (c->type) {
    case Type::kInt64:
    case Type::kTimestamp:
      compact(c->i64);
      break;
    case Type::kDouble:
      compact(c->f64);
      break;
    case Type::kBool:
      compact(c->b);
      break;
    case Type::kString:
    case Type::kBinary: {
      // A run of consecutive rows moves as one block of bytes.
      size_t size = 0;  // of the bytes kept so far
      for (size_t k = 0; k < count;) {
        size_t end = k + 1;
        while (end < count && rows[end] == rows[end - 1] + 1) ++end;
        const auto first = static_cast<size_t>(rows[k]), last = static_cast<size_t>(rows[end - 1]);
        const auto from = static_cast<size_t>(c->offsets[first]);
        const auto bytes = static_cast<size_t>(c->offsets[last + 1]) - from;
        if (from != size) std::memmove(c->chars.data() + size, c->chars.data() + from, bytes);
        const auto shift = static_cast<int32_t>(size) - static_cast<int32_t>(from);
        for (size_t j = k; j < end; ++j) c->offsets[j + 1] = c->offsets[static_cast<size_t>(rows[j]) + 1] + shift;
        size += bytes;
        k = end;
      }
      c->offsets.resize(count + 1);
      c->chars.resize(size);
      break;
    }
    case Type::kList:
      *c = Gather(*c, rows);
      return;
    case Type::kNull:
      break;
  }
  if (!c->validity.empty()) {
    std::vector<uint8_t> validity((count + 7) / 8, 0);
    for (size_t k = 0; k < count; ++k) {
      if (!c->IsNull(rows[k])) validity[k >> 3] |= static_cast<uint8_t>(1u << (k & 7));
    }
    c->validity = std::move(validity);
  }
  c->length = static_cast<int64_t>(count);
}

}  // namespace

void Block::Keep(const Column& mask) {
  const std::vector<int64_t> rows = RowsWhere(mask);
  if (static_cast<int64_t>(rows.size()) == num_rows) return;
  for (Column& c : columns) CompactColumn(&c, rows);
  num_rows = static_cast<int64_t>(rows.size());
}

void Block::Append(const Block& other) {
  // An empty block's column types say nothing (an empty group-by guesses
  // double for a sum): the data's types win.
  if (names.empty() || (num_rows == 0 && !other.names.empty())) {
    *this = other;
    return;
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    const int j = other.Find(names[c]);
    Column& dst = columns[c];
    if (j < 0) {
      for (int64_t r = 0; r < other.num_rows; ++r) dst.AppendNull();
      continue;
    }
    const Column& src = other.columns[static_cast<size_t>(j)];
    if (dst.type == Type::kNull && src.type != Type::kNull) {
      // A column that was all null so far takes the type of the data.
      Column typed = Column::OfType(src.type);
      for (int64_t r = 0; r < dst.length; ++r) typed.AppendNull();
      dst = std::move(typed);
    } else if (dst.type == Type::kInt64 && src.type == Type::kDouble) {
      Column widened = Column::OfType(Type::kDouble);
      for (int64_t r = 0; r < dst.length; ++r) widened.AppendFrom(dst, r);
      dst = std::move(widened);
    }
    if (dst.type == src.type) {
      dst.AppendColumn(src);
    } else {
      for (int64_t r = 0; r < other.num_rows; ++r) dst.AppendFrom(src, r);
    }
  }
  num_rows += other.num_rows;
}

void Column::AppendColumn(const Column& src) {
  // Values in bulk; the validity bitmap bit by bit only when nulls exist.
  const int64_t base = length;
  switch (type) {
    case Type::kInt64:
    case Type::kTimestamp: i64.insert(i64.end(), src.i64.begin(), src.i64.end()); break;
    case Type::kDouble: f64.insert(f64.end(), src.f64.begin(), src.f64.end()); break;
    case Type::kBool: b.insert(b.end(), src.b.begin(), src.b.end()); break;
    case Type::kString:
    case Type::kBinary: {
      const int32_t shift = offsets.back();
      offsets.reserve(offsets.size() + src.offsets.size());
      for (size_t k = 1; k < src.offsets.size(); ++k) offsets.push_back(src.offsets[k] + shift);
      chars.append(src.chars);
      break;
    }
    case Type::kList: {
      const int32_t shift = offsets.back();
      for (size_t k = 1; k < src.offsets.size(); ++k) offsets.push_back(src.offsets[k] + shift);
      Column& to = Values();
      if (to.type == Type::kNull && to.length == 0) to = OfType(src.ElementType());
      if (to.type == src.ElementType()) {
        to.AppendColumn(src.Values());
      } else {
        for (int64_t k = 0; k < src.Values().length; ++k) to.AppendFrom(src.Values(), k);
      }
      break;
    }
    case Type::kNull: break;
  }
  if (src.validity.empty() && validity.empty()) {
    length += src.length;
    return;
  }
  if (validity.empty()) validity.assign(static_cast<size_t>((base + 8) >> 3), 0xff);
  validity.resize(static_cast<size_t>((base + src.length + 7) >> 3) + 1, 0xff);
  for (int64_t r = 0; r < src.length; ++r) {
    const int64_t i = base + r;
    if (src.IsNull(r)) {
      validity[static_cast<size_t>(i >> 3)] &= static_cast<uint8_t>(~(1u << (i & 7)));
    } else {
      validity[static_cast<size_t>(i >> 3)] |= static_cast<uint8_t>(1u << (i & 7));
    }
  }
  length += src.length;
}

void AppendJsonValue(const Column& c, int64_t i, std::string* out) {
  if (c.IsNull(i)) {
    out->append("null");
    return;
  }
  switch (c.type) {
    case Type::kInt64: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), c.i64[i]);
      out->append(buf, end);
      return;
    }
    case Type::kDouble: {
      const double v = c.f64[i];
      if (!std::isfinite(v)) {
        out->append("null");
        return;
      }
      // The shortest text that reads back as the same value.
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
      out->append(buf, end);
      return;
    }
    case Type::kBool: out->append(c.b[i] ? "true" : "false"); return;
    case Type::kString:
      // Bytes that are not UTF-8 (Parquet binary read as text) become U+FFFD
      // rather than failing the write.
      AppendJsonString(c.Str(i), out);
      return;
    case Type::kTimestamp: out->append("\"" + FormatTimestamp(c.i64[i]) + "\""); return;
    case Type::kBinary: out->append("\"" + Base64(c.Str(i)) + "\""); return;  // JSON has no bytes
    case Type::kList: {
      out->push_back('[');
      const Column& values = c.Values();
      if (values.type == Type::kInt64 && values.validity.empty()) {
        // Token ids and the like: written in place, no call per number.
        const int32_t from = c.offsets[i], to = c.offsets[i + 1];
        constexpr size_t kWidest = 21;  // a comma and "-9223372036854775808"
        const size_t at = out->size();
        out->resize(at + static_cast<size_t>(to - from) * kWidest);
        char* p = out->data() + at;
        for (int32_t k = from; k < to; ++k) {
          if (k > from) *p++ = ',';
          p = std::to_chars(p, p + kWidest, values.i64[k]).ptr;
        }
        out->resize(static_cast<size_t>(p - out->data()));
        out->push_back(']');
        return;
      }
      for (int32_t k = c.offsets[i]; k < c.offsets[i + 1]; ++k) {
        if (k > c.offsets[i]) out->push_back(',');
        AppendJsonValue(c.Values(), k, out);
      }
      out->push_back(']');
      return;
    }
    case Type::kNull: out->append("null"); return;
  }
  out->append("null");
}

std::string JsonValue(const Column& c, int64_t i) {
  std::string out;
  AppendJsonValue(c, i, &out);
  return out;
}

void PutColumn(Block* b, const std::string& name, Column c) {
  const int at = b->Find(name);
  if (at >= 0) {
    b->columns[static_cast<size_t>(at)] = std::move(c);
  } else {
    b->Add(name, std::move(c));
  }
}

std::vector<Block> SliceRows(Block&& block, size_t bytes) {
  size_t total = static_cast<size_t>(block.num_rows) * 8 * block.columns.size();
  for (const Column& c : block.columns) total += c.chars.size();
  const size_t slices = std::min<size_t>(total / std::max<size_t>(bytes, 1), static_cast<size_t>(block.num_rows));
  std::vector<Block> out;
  if (slices <= 1) {
    out.push_back(std::move(block));
    return out;
  }
  const int64_t per_slice = (block.num_rows + static_cast<int64_t>(slices) - 1) / static_cast<int64_t>(slices);
  std::vector<int64_t> rows;
  for (int64_t begin = 0; begin < block.num_rows; begin += per_slice) {
    rows.clear();
    for (int64_t r = begin; r < std::min(block.num_rows, begin + per_slice); ++r) rows.push_back(r);
    out.push_back(block.Take(rows));
  }
  return out;
}

void AppendSlice(Block* into, const Block& slice) {
  if (into->num_rows > 0) {
    for (const std::string& name : slice.names) {
      if (into->Find(name) >= 0) continue;
      Column nulls = Column::OfType(Type::kNull);
      for (int64_t r = 0; r < into->num_rows; ++r) nulls.AppendNull();
      into->Add(name, std::move(nulls));
    }
  }
  into->Append(slice);
}

}  // namespace strata::data
