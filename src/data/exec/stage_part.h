// What a stage of a pipeline (a shuffle's reduce task, an actor of a pool)
// does with one part once its own step ran: the row-local steps after it,
// then the write, when the part is the output. Shared, so both stages count
// and write the same way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <strata/strata.h>

#include "data/block.h"
#include "data/ops/operators.h"
#include "data/format/output.h"
#include "data/ops/steps.h"
#include "data/exec/run_events.h"

namespace strata::data {

// How a stage (the map tasks, or a shuffle's reducers) hands its rows on to
// what follows it: hash parts (`hash_keys`, or {"#random", SEED}, into
// `parts` objects), the whole block plus a sample of `sample_keys` for a
// sort's ranges, or the whole block alone (`whole`: for an actor pool).
// None of them: rows stay in the result.
struct NextPartition {
  std::vector<std::string> hash_keys;
  int32_t parts = 0;
  std::vector<std::string> sample_keys;
  bool whole = false;
  bool active() const { return parts > 0 || !sample_keys.empty() || whole; }
  STRATA_STRUCT(hash_keys, parts, sample_keys, whole);
};

// Puts `b` into the object store as `next` says, the objects into `parts`
// (and a key sample into `sample`); `part` seeds a random partition. A block
// with no columns (nothing reached this part) gives no objects.
inline bool HandOn(const Block& b, const NextPartition& next, int64_t part,
                   std::vector<strata::ObjectRef<Block>>* parts, Block* sample, std::string* error) {
  if (b.names.empty()) return true;
  if (next.parts > 0) {
    std::vector<Block> pieces;
    if (next.hash_keys.size() == 2 && next.hash_keys[0] == "#random") {
      // A different stream per part, the same again for the same seed.
      PartitionRandomly(b, next.parts, std::stoull(next.hash_keys[1]) ^ (0x9E3779B97F4A7C15ull * (part + 1)), &pieces);
    } else if (Status s = PartitionByHash(b, next.hash_keys, next.parts, &pieces); !s.ok()) {
      *error = s.message();
      return false;
    }
    for (Block& piece : pieces) parts->push_back(strata::Put(piece));
    return true;
  }
  if (!next.sample_keys.empty()) *sample = SampleRows(b, next.sample_keys, 256);
  parts->push_back(strata::Put(b));
  return true;
}

// Replaces `b` by its partial group-by aggregates.
inline bool PartialGroupBy(const StepCall& groupby, Block* b, std::string* error) {
  auto step = MakeStep(groupby);
  auto g = step.ok() ? (*step)->MakeGroupBy() : nullptr;
  const Status added = !step.ok() ? step.status() : g ? g->Add(*b) : InternalError("not a group-by");
  if (!added.ok()) {
    *error = "groupby: " + added.message();
    return false;
  }
  *b = g->Partial();
  return true;
}

struct PartResult {
  Block block;                      // the rows, when not written
  int64_t rows_out = 0;             // after the stage's own step
  std::vector<int64_t> rows_after;  // after each row-local step that follows
  Counters counters_out;                 // the stage's own step's, for this part
  std::vector<Counters> counters_after;  // each following step's, for this part
  int64_t rows_written = 0;
  std::vector<strata::ObjectRef<Block>> parts;  // for the next shuffle
  Block sample;                                 // for the next sort's ranges
  std::string error;
  STRATA_STRUCT(block, rows_out, rows_after, counters_out, counters_after, rows_written, parts, sample, error);
};

// Runs `after` (made from `calls`) on `b`, then — when a group-by follows
// (`partial_groupby`) — aggregates the part partially, or
// writes it as part `part` when `write.path` is set. `r->block` gets what is
// left; false with r->error.
inline bool FinishPart(Block b, const std::vector<std::unique_ptr<Step>>& after,
                       const std::vector<StepCall>& calls, const StepCall& partial_groupby,
                       const WriteSpec& write, int64_t part, PartResult* r,
                       const NextPartition& next = NextPartition()) {
  r->rows_out = b.num_rows;
  for (size_t i = 0; i < after.size(); ++i) {
    const Counters before = after[i]->Counters();
    if (Status s = after[i]->Apply(&b); !s.ok()) {
      r->error = "step " + calls[i].op + ": " + s.message();
      return false;
    }
    r->rows_after.push_back(b.num_rows);
    r->counters_after.push_back(CountersSince(before, after[i]->Counters()));
  }
  if (!partial_groupby.empty() && !PartialGroupBy(partial_groupby, &b, &r->error)) return false;
  if (next.active()) return HandOn(b, next, part, &r->parts, &r->sample, &r->error);
  if (!write.path.empty()) {
    if (Status s = b.num_rows > 0 ? WriteOutput(b, write, static_cast<int>(part)) : OkStatus(); !s.ok()) {
      r->error = s.message();
      return false;
    }
    r->rows_written = b.num_rows;
    b = Block();
  }
  r->block = std::move(b);
  return true;
}

}  // namespace strata::data
