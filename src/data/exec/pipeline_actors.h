// The actor stage of a pipeline: map_batches with a batch class runs on a
// pool of actors, each making the class once and keeping it (a model loaded
// once, not per batch). The map tasks put their blocks in the object store;
// each block goes to the actor with the fewest queued, which runs the step
// and the row-local steps after it, and writes its part when nothing global
// follows (else returns the rows). At most a few blocks wait per actor, so
// memory stays bounded however big the input.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <strata/strata.h>

#include "data/block.h"
#include "data/exec/run_events.h"
#include "data/format/output.h"
#include "data/ops/steps.h"

namespace strata::data {

struct ActorStage {
  StepCall step;                // the step the actors run
  std::vector<StepCall> after;  // row-local steps after it
  StepCall partial_groupby;     // a group-by after those: partially, in the actors
  WriteSpec write;  // path set: the actors write their parts
  int actors = 1;
  STRATA_STRUCT(step, after, partial_groupby, write, actors);
};

class ActorPool {
 public:
  // `observer` (may be null) hears of each batch done, as stage `label`.
  ActorPool(const ActorStage& stage, RunObserver* observer, std::string label);
  ~ActorPool();
  // Hands over part `index` of the input; waits while every actor already
  // has its share queued. False once an actor reported an error.
  Status Submit(strata::ObjectRef<Block> block, size_t index);
  // Waits for every part handed over.
  Status Finish();

  int64_t rows_out = 0;              // after the actor step
  std::vector<int64_t> rows_after;   // after each row-local step that follows
  Counters counters_out;             // the actor step's
  std::vector<Counters> counters_after;
  int64_t rows_written = 0;
  int parts_written = 0;
  std::map<size_t, Block> kept;      // not written: the rows, by input position

 private:
  struct Impl;
  Status Collect(bool all);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::data
