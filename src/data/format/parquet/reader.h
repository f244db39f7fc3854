// Reading Parquet files: the footer (Thrift) gives the schema and the row
// groups; a row group is read column chunk by column chunk, page by page —
// PLAIN, dictionary (PLAIN_DICTIONARY / RLE_DICTIONARY), DELTA_* and
// BYTE_STREAM_SPLIT encodings, data pages v1 and v2, snappy / gzip / zstd /
// uncompressed. Flat columns: integers of every width (int64), float and
// double (double), boolean, strings and binary (string), DATE, TIMESTAMP
// (millis, micros, nanos) and INT96 (timestamp), DECIMAL (double).
// A corrupt or truncated file is an error naming the file, row group and
// column, never a crash.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "data/block.h"
#include "data/format/csv.h"

namespace strata::data {

struct ParquetFileInfo {
  CsvSchema schema;
  std::vector<int64_t> row_group_rows;
  int64_t num_rows = 0;
  std::string created_by;
};

Result<ParquetFileInfo> ReadParquetInfo(const std::string& path);

// Row group `index` of `path`: the columns `schema` names, with its types.
Status ReadParquetRowGroup(const std::string& path, int index, const CsvSchema& schema, Block* out);

}  // namespace strata::data
