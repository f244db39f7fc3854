// The physical plan of a pipeline: which stages run, what each runs, where
// its rows go. The planner decides once; the runner (pipeline.cc and
// pipeline_shuffle.cc) executes exactly these stages, and `strata run
// --explain` prints them without running anything.
//
//   map       one task per input range: read, the row-local steps fused
//             (joins with a small right side broadcast to every task), a
//             group-by partially; then write, return, or partition
//   actors    a pool of actors (map_batches with a batch class) and the
//             row-local steps after it
//   shuffle   one reduce task per part: a keyed or sorted global step, the
//             row-local steps after it; then write, return, or partition
//             for the next shuffle
//   multipass a step that passes over everything several times (MinHash
//             dedup: bands shuffled, components found in rounds of tasks,
//             parts filtered); its kept rows go to the driver
//   driver    the global steps left, on the driver, then the write
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/ops/operators.h"  // a complete GroupBy, for Step::MakeGroupBy
#include "data/exec/pipeline.h"
#include "data/ops/steps.h"

namespace strata::data {

enum class StageKind { kMap, kActorPool, kShuffle, kMultiPass, kDriver };
// Where a stage's rows go.
enum class StageOutput {
  kWrite,       // its tasks write their own parts
  kDriver,      // back to the driver (kept in input order)
  kHashParts,   // hash-partitioned by `keys` for the next shuffle
  kRangeParts,  // cut into key ranges (sampled) for the next shuffle, a sort
  kActorPool,   // whole blocks to the next stage's actors
  kWholeParts,  // whole blocks, by input part, to a multi-pass stage
  kCollect,     // the driver's rows are the result (Dataset::Collect)
};

const char* StageKindName(StageKind kind);

struct PlanStage {
  StageKind kind = StageKind::kMap;
  // The steps it runs, as indexes into the pipeline's steps, in order. A
  // shuffle's first step is the global one; the rest are row-local.
  std::vector<size_t> steps;
  // Map: which of `steps` are joins whose right side goes whole to every task.
  std::vector<size_t> broadcast;
  // Its first step merges group-by partials the stage before made.
  bool merges_partials = false;
  // The step after `steps` (a group-by) runs partially here too.
  bool partial_groupby = false;
  StageOutput output = StageOutput::kDriver;
  std::vector<std::string> keys;  // kHashParts: hash keys; kRangeParts: sort keys
  std::vector<bool> descending;   // kRangeParts
  int parts = 0;                  // kHashParts, kRangeParts: how many
  int actors = 0;                 // kActorPool stage: pool size
  int64_t write_parts = 1;        // kDriver stage writing: files (repartition)
};

struct PhysicalPlan {
  std::vector<PlanStage> stages;  // in order; the first is always the map stage
  // Convenience views of the above.
  const PlanStage& map() const { return stages.front(); }
  const PlanStage* Find(StageKind kind) const;
};

struct PlanInputs {
  bool shuffle = true;              // RunOptions::shuffle
  bool collect = false;             // Dataset::Collect: the driver gets the rows
  int64_t broadcast_join_bytes = 256 << 20;
  // How many parts a shuffle uses (ShuffleParts()); asked only when one
  // runs. Unset: 0, shown as "one per CPU".
  std::function<int()> shuffle_parts;
};

// `steps` were made from `spec.steps` (MakeStep), one each.
Result<PhysicalPlan> PlanPipeline(const PipelineSpec& spec, const std::vector<std::unique_ptr<Step>>& steps,
                                  const PlanInputs& inputs);

// What `strata run --explain` prints: one paragraph per stage.
std::string ExplainPlan(const PipelineSpec& spec, const PhysicalPlan& plan);
// Makes the steps, plans and explains, without a cluster: a shuffle's part
// count is STRATA_SHUFFLE_PARTS if set, else shown as one per CPU.
Result<std::string> ExplainPipeline(const PipelineSpec& spec);

}  // namespace strata::data
