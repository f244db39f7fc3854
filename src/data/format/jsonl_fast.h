// A JSON Lines record read without building a JSON tree — the reader's hot
// path. It takes a flat object whose keys are each in the schema once and
// whose values are strings (into string columns), integers (into integer or
// double columns), true/false (into bool columns) or null. Anything else
// (nesting, a float, a key twice or not in the schema, invalid UTF-8, a
// string into a timestamp column, bad JSON) it leaves to the general reader
// (jsonl.cc), which decides every record — so each is judged the same way
// whichever reader takes it (jsonl_fast_test.cc compares both on hostile
// records).
#pragma once

#include <string_view>

#include "data/format/csv.h"
#include "strata/data_block.h"

namespace strata::data {

// Appends the record's row to `out` (its columns laid out for `schema`) and
// returns true; false, with `out` untouched, when the general reader must
// judge the record.
bool ReadFlatJsonRecord(std::string_view raw, const CsvSchema& schema, Block* out);

}  // namespace strata::data
