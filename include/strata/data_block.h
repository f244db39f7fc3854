// Columnar blocks: the unit of data that flows through a pipeline (and what
// a batch function given to Dataset::MapBatches receives). Each
// column keeps the Arrow memory layout — a validity bitmap (bit i set = row i
// present, least significant bit first), fixed-width values, and for strings
// int32 offsets into one character buffer — so operators work a column at a
// time and a block can be handed to Arrow-speaking code without conversion.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/serialization.h"

namespace strata::data {

// kTimestamp: microseconds since 1970-01-01 00:00:00 UTC, kept in `i64`.
// kList: a list per row — `offsets` into one child column of the values.
// kBinary: bytes, kept like kString (offsets + chars) but not text.
enum class Type : uint8_t {
  kNull = 0, kBool = 1, kInt64 = 2, kDouble = 3, kString = 4, kTimestamp = 5, kList = 6, kBinary = 7
};
// Types whose values live in `i64`.
inline bool IsI64(Type t) { return t == Type::kInt64 || t == Type::kTimestamp; }
// Types whose values live in `offsets` + `chars`.
inline bool IsBytes(Type t) { return t == Type::kString || t == Type::kBinary; }
const char* TypeName(Type t);

}  // namespace strata::data

MSGPACK_ADD_ENUM(strata::data::Type);

namespace strata::data {

struct Column {
  Type type = Type::kNull;
  int64_t length = 0;
  std::vector<uint8_t> validity;  // bitmap; empty means "no nulls"
  std::vector<int64_t> i64;       // kInt64, kTimestamp
  std::vector<double> f64;        // kDouble
  std::vector<uint8_t> b;         // kBool, one byte per row (0/1)
  std::vector<int32_t> offsets;   // kString, kBinary, kList: length + 1 entries
  std::string chars;              // kString, kBinary: the bytes
  std::vector<Column> children;   // kList: one, the values of every list

  bool IsNull(int64_t i) const {
    return type == Type::kNull ||
           (!validity.empty() && ((validity[static_cast<size_t>(i >> 3)] >> (i & 7)) & 1) == 0);
  }
  std::string_view Str(int64_t i) const {
    return std::string_view(chars).substr(static_cast<size_t>(offsets[i]),
                                          static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
  double AsDouble(int64_t i) const {
    return type == Type::kDouble ? f64[i]
           : IsI64(type)         ? static_cast<double>(i64[i])
           : type == Type::kBool ? static_cast<double>(b[i])
                                 : 0.0;  // text and lists have no number
  }

  // Appending (builders).
  void AppendNull();
  void AppendInt(int64_t v) {
    i64.push_back(v);
    MarkValid(true);
  }
  void AppendDouble(double v) {
    f64.push_back(v);
    MarkValid(true);
  }
  void AppendBool(bool v) {
    b.push_back(v ? 1 : 0);
    MarkValid(true);
  }
  void AppendString(std::string_view v) {
    chars.append(v);
    offsets.push_back(static_cast<int32_t>(chars.size()));
    MarkValid(true);
  }
  // Appends row `i` of `other` (same type, or this column is kNull-typed and empty).
  void AppendFrom(const Column& other, int64_t i);
  // Appends every row of `other`, of the same type, in bulk.
  void AppendColumn(const Column& other);
  static Column OfType(Type t);

  // Lists: a list column of `element` values; append the values of a row to
  // Values(), then EndList() closes that row's list.
  static Column ListOf(Type element);
  Column& Values() { return children[0]; }
  const Column& Values() const { return children[0]; }
  void EndList();
  Type ElementType() const { return children.empty() ? Type::kNull : children[0].type; }

  STRATA_STRUCT(type, length, validity, i64, f64, b, offsets, chars, children);

 private:
  // Present values in a column without nulls only count (the common case).
  void MarkValid(bool valid) {
    if (valid && validity.empty()) {
      ++length;
      return;
    }
    MarkValidSlow(valid);
  }
  void MarkValidSlow(bool valid);
};

struct Block {
  std::vector<std::string> names;
  std::vector<Column> columns;
  int64_t num_rows = 0;

  int Find(const std::string& name) const;  // -1 if absent
  const Column* Get(const std::string& name) const {
    const int i = Find(name);
    return i < 0 ? nullptr : &columns[static_cast<size_t>(i)];
  }
  void Add(std::string name, Column c);
  // Rows where mask is true (mask: a kBool column; null = false).
  Block Filter(const Column& mask) const;
  // The same, in place: kept rows move down within each column's own
  // buffers (a chain of filters would otherwise copy every text it keeps
  // once per filter); nothing moves when every row is kept.
  void Keep(const Column& mask);
  // Rows in `rows`, in that order.
  Block Take(const std::vector<int64_t>& rows) const;
  // Another block with the same columns appended.
  void Append(const Block& other);

  STRATA_STRUCT(names, columns, num_rows);
};

// Rows `rows` of `c`, in that order.
Column Gather(const Column& c, const std::vector<int64_t>& rows);

// One value rendered as JSON text (null, numbers, true/false, quoted strings;
// binary as a base64 string).
std::string JsonValue(const Column& c, int64_t i);
// The same, appended to `out`.
void AppendJsonValue(const Column& c, int64_t i, std::string* out);
std::string Base64(std::string_view bytes);

}  // namespace strata::data
