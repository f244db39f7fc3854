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
inline Status HandOn(const Block& b, const NextPartition& next, int64_t part,
                     std::vector<strata::ObjectRef<Block>>* parts, Block* sample) {
  if (b.names.empty()) return OkStatus();
  if (next.parts > 0) {
    std::vector<Block> pieces;
    if (next.hash_keys.size() == 2 && next.hash_keys[0] == "#random") {
      // A different stream per part, the same again for the same seed.
      PartitionRandomly(b, next.parts, std::stoull(next.hash_keys[1]) ^ (0x9E3779B97F4A7C15ull * (part + 1)), &pieces);
    } else {
      STRATA_RETURN_IF_ERROR(PartitionByHash(b, next.hash_keys, next.parts, &pieces));
    }
    for (Block& piece : pieces) parts->push_back(strata::Put(piece));
    return OkStatus();
  }
  if (!next.sample_keys.empty()) *sample = SampleRows(b, next.sample_keys, 256);
  parts->push_back(strata::Put(b));
  return OkStatus();
}

// Replaces `b` by its partial group-by aggregates.
inline Status PartialGroupBy(const StepCall& groupby, Block* b) {
  auto step = MakeStep(groupby);
  auto g = step.ok() ? (*step)->MakeGroupBy() : nullptr;
  const Status added = !step.ok() ? step.status() : g ? g->Add(*b) : InternalError("not a group-by");
  STRATA_RETURN_IF_ERROR(added.WithContext("groupby: "));
  *b = g->Partial();
  return OkStatus();
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
// left; `r->error` (the result goes back over the wire) says what failed.
inline void FinishPart(Block b, const std::vector<std::unique_ptr<Step>>& after,
                       const std::vector<StepCall>& calls, const StepCall& partial_groupby,
                       const WriteSpec& write, int64_t part, PartResult* r,
                       const NextPartition& next = NextPartition()) {
  r->rows_out = b.num_rows;
  for (size_t i = 0; i < after.size(); ++i) {
    const Counters before = after[i]->Counters();
    if (Status s = after[i]->Apply(&b); !s.ok()) {
      r->error = "step " + calls[i].op + ": " + s.message();
      return;
    }
    r->rows_after.push_back(b.num_rows);
    r->counters_after.push_back(CountersSince(before, after[i]->Counters()));
  }
  Status s = partial_groupby.empty() ? OkStatus() : PartialGroupBy(partial_groupby, &b);
  if (s.ok() && next.active()) {
    s = HandOn(b, next, part, &r->parts, &r->sample);  // the rows travel as objects, not in `r`
    b = Block();
  } else if (s.ok() && !write.path.empty()) {
    s = b.num_rows > 0 ? WriteOutput(b, write, static_cast<int>(part)) : OkStatus();
    if (s.ok()) r->rows_written = b.num_rows;
    b = Block();
  }
  if (!s.ok()) {
    r->error = s.message();
    return;
  }
  r->block = std::move(b);
}

}  // namespace strata::data
