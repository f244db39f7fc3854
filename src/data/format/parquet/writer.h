// Writing Parquet files: one file per block, row groups of up to
// `row_group_rows`, data pages (v1) of about `page_bytes`. Every column is
// OPTIONAL (nulls allowed). Strings, integers, doubles and timestamps
// (TIMESTAMP(MICROS, UTC)) are dictionary-encoded when values repeat
// (RLE_DICTIONARY), else PLAIN; booleans are PLAIN. Column statistics carry
// null counts and min/max, so other engines can skip row groups.
#pragma once

#include <string>

#include "data/block.h"
#include "data/format/parquet/compression.h"

namespace strata::data {

struct ParquetWriteOptions {
  parquet::Codec codec = parquet::Codec::kSnappy;
  int64_t row_group_rows = 128 * 1024;
  int64_t page_bytes = 1 << 20;
};

// The bytes of a whole Parquet file holding `block`.
void WriteParquet(const Block& block, const ParquetWriteOptions& options, std::string* out);

}  // namespace strata::data
