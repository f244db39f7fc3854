// A Parquet leaf column as Strata reads it: its physical type, how values
// convert to a Strata type, and — for lists — its repetition and definition
// levels. Internal to the Parquet reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/block.h"
#include "data/format/parquet/encoding.h"
#include "data/format/parquet/thrift_io.h"

namespace strata::data::parquet {

enum class Conversion { kNone, kDate, kMillis, kMicros, kNanos, kInt96, kDecimal };

// A leaf column of the file and how its physical values become ours.
struct Leaf {
  std::string name;
  pf::Type::type physical = pf::Type::INT64;
  int32_t type_length = 0;
  bool optional = true;
  Type type = Type::kInt64;
  Conversion conversion = Conversion::kNone;
  int scale = 0;
  // Levels: a flat optional column has max_def 1 and max_rep 0; a list
  // (LIST, 3-level or legacy 2-level) has max_rep 1, is defined from
  // list_def on, has an element slot at list_def + 1, a value at max_def.
  bool is_list = false;
  int max_def = 1;
  int max_rep = 0;
  int list_def = 0;
  // As a Strata column: the type, and for a list its values' type.
  Type column_type() const { return is_list ? Type::kList : type; }
  Type element_type() const { return is_list ? type : Type::kNull; }
};

// Physical values → a column in the physical representation: integers in
// i64, floats in f64, booleans in b, byte arrays as strings.
bool DecodePlain(const Leaf& l, Bytes in, int64_t n, Column* c);
// Physical representation → the leaf's type (dates, timestamps, decimals);
// DataLoss for a date or time past the range of int64 microseconds (only a
// corrupt file holds one).
Status Convert(const Leaf& l, Column* c);
// One page's values (`n` of them, non-null) in `encoding`, converted.
Status DecodeValues(const Leaf& l, int encoding, Bytes in, int64_t n, const Column* dict, Column* out);

}  // namespace strata::data::parquet
