// The operators that see more than one row at a time: group-by with
// aggregations (partial per block, merged after, so it runs distributed),
// hash join, sort and limit.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "data/block.h"

namespace strata::data {

struct AggSpec {
  std::string out;     // output column
  std::string fn;      // count, sum, mean, min, max, std, count_distinct
  std::string column;  // "" for count()
};
// Parses "sum(distance_km)", "count()", "mean(x)".
Status ParseAgg(const std::string& out, const std::string& text, AggSpec* spec);

class GroupBy {
 public:
  GroupBy(std::vector<std::string> keys, std::vector<AggSpec> aggs);
  ~GroupBy();
  Status Add(const Block& rows);
  // Accumulators as a block (keys + one column per accumulator), to be merged
  // by another GroupBy's AddPartial: how partial results cross tasks.
  Block Partial() const;
  Status AddPartial(const Block& partial);
  Block Result() const;  // keys + one column per aggregation
  size_t num_groups() const;

 private:
  struct State;
  // The group of row `r` (made, with its key values, if new).
  size_t GroupOf(const std::vector<const Column*>& keys, int64_t r);
  std::vector<std::string> keys_;
  std::vector<AggSpec> aggs_;
  std::unique_ptr<State> state_;
};

// Hash join on left[left_keys[i]] = right[right_keys[i]]. how: inner, left,
// semi, anti. Right columns that clash with left names get "_right".
Status HashJoin(const Block& left, const Block& right, const std::vector<std::string>& left_keys,
                const std::vector<std::string>& right_keys, const std::string& how, Block* out);

// The first row of each distinct combination of `columns` (all if empty).
Status Dedup(const Block& in, const std::vector<std::string>& columns, Block* out);

// Splits `in` into `parts` blocks by a hash of the `keys` columns (all
// columns if empty); rows keep their order. Equal keys land in the same part
// — 2 and 2.0 too, as they join — so a part can be finished on its own.
Status PartitionByHash(const Block& in, const std::vector<std::string>& keys, int parts, std::vector<Block>* out);

// Splits `in` into `parts` blocks, each row to a random one (the same for
// the same seed); rows keep their order within a part.
void PartitionRandomly(const Block& in, int parts, uint64_t seed, std::vector<Block>* out);

// Up to `n` evenly spaced rows of the `columns` of `in` (a sort's sample).
Block SampleRows(const Block& in, const std::vector<std::string>& columns, int64_t n);

// Splits `in` into bounds.num_rows + 1 parts by where each row sorts among
// the rows of `bounds` (sorted, the `by` columns): part i's rows all sort
// after part i-1's. Rows keep their order within a part.
Status PartitionByRange(const Block& in, const std::vector<std::string>& by, const std::vector<bool>& desc,
                        const Block& bounds, std::vector<Block>* out);

// Stable sort by columns (descending where asked); nulls last.
Status SortBlock(const Block& in, const std::vector<std::string>& by, const std::vector<bool>& desc, Block* out);

}  // namespace strata::data
