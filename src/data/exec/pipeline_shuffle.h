// The shuffle stage of a pipeline: a global step (group-by, dedup, join,
// sort) run in parallel. The map tasks hash-partition their rows (or
// group-by partials) by the step's keys into one object per part — for a
// sort, split tasks cut each map output into key ranges chosen from samples; one reduce task per
// part gets that part from every map task — from whichever node holds it —
// finishes the step on it, runs the row-local steps that follow, and writes
// its output file or returns its rows. The parts travel through the object
// store, which spills to local disk when it is full, so the data can be
// larger than memory on any one machine, the driver's included.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <strata/strata.h>

#include "data/block.h"
#include "data/format/output.h"
#include "data/exec/pipeline.h"
#include "data/plan/physical_plan.h"
#include "data/exec/stage_part.h"

namespace strata::data {

struct ShuffleStage {
  StepCall step;                 // the step finished per part
  bool merge_partials = false;   // a group-by whose map tasks aggregated partially
  std::vector<StepCall> after;   // row-local steps the reducers run too
  StepCall partial_groupby;      // a group-by after those: partially, in the reducers
  WriteSpec write;               // path set: the reducers write their parts
  NextPartition next;            // a shuffle follows: the reducers partition for it
  std::string label;              // "step 4 groupby", in progress events
  RunObserver* observer = nullptr;  // may be null
};

struct ShuffleOutcome {
  std::string error;
  Block rows;                       // not written: every part's rows, in part order
  int64_t rows_out = 0;             // after the shuffled step
  std::vector<int64_t> rows_after;  // after each of `after`
  Counters counters_out;             // the shuffled step's
  std::vector<Counters> counters_after;
  int64_t rows_written = 0;
  int parts_written = 0;
  // A shuffle follows: each reducer's objects for it (and samples, for a sort).
  std::vector<std::vector<strata::ObjectRef<Block>>> next_parts;
  std::vector<Block> samples;
};

using PartRefs = std::vector<std::vector<strata::ObjectRef<Block>>>;  // [part][map task]

// `side`: for a join, the right side partitioned the same way (else empty).
ShuffleOutcome RunShuffleStage(const ShuffleStage& stage, const PartRefs& parts, const PartRefs& side);

// A sort's range partitioning: bounds from the map tasks' key samples, then
// one split task per map output block (`blocks`, in input order) cutting it
// into the ranges. Part i's rows all sort after part i-1's.
Status RangePartition(const std::vector<std::string>& by, const std::vector<bool>& desc, int parts,
                      const std::vector<Block>& samples, const std::vector<strata::ObjectRef<Block>>& blocks,
                      PartRefs* out);

// Global steps, one after another, each a shuffle while the next can be one
// too (a join, then a group-by, then a sort): the reducers of one stage
// partition for the next, so rows never gather on the driver. `parts` are the
// first stage's inputs (from the map tasks); `read_side` reads a join's right
// side partitioned. Stops at a step that cannot shuffle, or the end.
using SideReader = std::function<Status(const nlohmann::ordered_json& side, const std::vector<std::string>& keys,
                                        int parts, PartRefs* out)>;
struct ChainResult {
  Block rows;                       // what came back (when not written)
  std::vector<GlobalStepRows> step_rows;  // rows after each step run, and its counters
  bool written = false;
  int64_t rows_written = 0;
  int parts_written = 0;
  size_t next = 0;                  // the first step not run
};
// `stages`: the plan's shuffle stages, in order (plan/physical_plan.h).
Status RunShuffleChain(const PipelineSpec& spec, const std::vector<std::unique_ptr<Step>>& steps,
                       const std::vector<PlanStage>& stages, PartRefs parts, RunObserver* observer,
                       const SideReader& read_side, ChainResult* out);

// How many parts a shuffle uses: the cluster's CPUs (at least 2), or
// STRATA_SHUFFLE_PARTS.
int ShuffleParts();
// The CPUs of the cluster (2 when the status cannot be read).
int ClusterCpus();

}  // namespace strata::data
