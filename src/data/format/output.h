// Writing a pipeline's output: one file per part (part-00000.jsonl, .csv or
// .parquet) in a directory, or one directory per value of a column
// (<path>/<column>=<value>/part-….ext) when partitioned.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "data/block.h"

namespace strata::data {

struct WriteSpec {
  std::string format = "jsonl";  // jsonl, csv, tsv, text (one column), parquet
  std::string path;
  std::string partition_by;
  // parquet: its pages' codec (snappy, zstd, gzip, none); text formats:
  // the whole file's (zstd, gzip, none; "snappy", the default, means none).
  std::string compression = "snappy";
  std::map<std::string, std::string> options;  // a format's own fields (nemo_manifest: audio_dir)
  STRATA_STRUCT(format, path, partition_by, compression, options);
};

// Checks format and compression; an error names what is wrong.
Status CheckWriteSpec(const WriteSpec& w);

// Writes part number `part` of the output.
Status WriteOutput(const Block& b, const WriteSpec& w, int part);

}  // namespace strata::data
