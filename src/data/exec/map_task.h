// A pipeline's map task: one range of the input read, its row-local steps
// run (and broadcast joins), then its rows handed on — to a shuffle or an
// actor pool, written as the task's own part, or back to the driver.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <strata/strata.h>

#include "data/block.h"
#include "data/exec/stage_part.h"
#include "data/format/csv.h"
#include "data/format/format_registry.h"
#include "data/format/output.h"
#include "data/ops/steps.h"

namespace strata::data {

struct MapTask {
  FileRange range;
  std::string format;
  CsvSchema schema;
  std::vector<StepCall> steps;  // the row-local steps, in order
  StepCall partial_groupby;     // a group-by to run partially here (empty if none)
  // Map-only pipelines: the task writes its own part file.
  WriteSpec write;  // path empty: the rows go back to the driver
  int64_t part_index = 0;
  bool fail_on_bad = true;  // on_bad_record: fail writes nothing once a record is bad
  // A shuffle or an actor pool after the map side: how the rows (or
  // partials) go to the object store.
  NextPartition next;
  STRATA_STRUCT(range, format, schema, steps, partial_groupby, write, part_index, fail_on_bad, next);
};

struct MapResult {
  Block block;
  int64_t rows_read = 0;
  std::vector<int64_t> rows_out;  // after each row-local step
  std::vector<std::map<std::string, int64_t>> counters;  // each row-local step's (Step::Counters)
  std::vector<BadRecord> bad;
  int64_t bytes = 0;
  int64_t rows_written = 0;  // by the task itself (map-only pipelines)
  std::vector<strata::ObjectRef<Block>> parts;  // shuffled: one object per part
  Block sample;                                 // sorted later: key samples
  int64_t step_bad = 0;                         // of `bad`, rejected by steps (not by the reader)
  std::string error;
  STRATA_STRUCT(block, rows_read, rows_out, counters, bad, bytes, rows_written, parts, sample, step_bad, error);
};

// `sides`: the right sides of the joins among the steps, in order
// (broadcast: one copy in the object store, read by every task).
MapResult RunMapTask(const MapTask& task, const std::vector<Block>& sides);

}  // namespace strata::data
