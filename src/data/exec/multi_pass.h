// How a multi-pass step runs (Step::multi_pass; plan stage kMultiPass). The
// library that has the step registers a runner under its name: given the
// input's parts in input order (whole blocks in the object store), it runs
// its passes as tasks, then per part the row-local steps after it (`tail`)
// and the write when the stage writes (FinishPart, as reducers do).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <strata/object_ref.h>

#include "data/block.h"
#include "data/exec/run_events.h"
#include "data/format/output.h"
#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/ops/steps.h"

namespace strata::data {

struct MultiPassTail {
  std::vector<StepCall> after;  // row-local steps after the multi-pass step
  WriteSpec write;              // path set: the parts are written by the tasks
  STRATA_STRUCT(after, write);
};

struct MultiPassOutcome {
  std::vector<Block> kept;  // each part's rows (when not written), in input order
  int64_t rows_out = 0;     // after the multi-pass step
  Counters counters;        // its counters
  std::vector<int64_t> rows_after;  // after each tail step
  std::vector<Counters> counters_after;
  int64_t rows_written = 0;
  int parts_written = 0;
};

using MultiPassRunner =
    std::function<Status(const StepCall& call, const std::vector<strata::ObjectRef<Block>>& parts, int shuffle_parts,
                         const MultiPassTail& tail, MultiPassOutcome* out)>;
std::map<std::string, MultiPassRunner>& MultiPassRunners();

struct PartResult;
// Adds the last tasks' results (one per part, in input order) to `out`:
// rows after the step and after each tail step, the tail's counters, rows
// and parts written, the rows kept. The first task's error, if any.
Status CollectParts(std::vector<PartResult> results, const MultiPassTail& tail, MultiPassOutcome* out);

}  // namespace strata::data
