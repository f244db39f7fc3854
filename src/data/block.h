// Blocks are public (a user's batch functions take them): see
// include/strata/data_block.h.
#pragma once

#include <strata/data_block.h>

namespace strata::data {

// Puts `c` in `b` as `name`, replacing a column of that name in place (so
// the columns keep their order), else adding it at the end.
void PutColumn(Block* b, const std::string& name, Column c);

// The block cut into runs of consecutive rows of about `bytes` each (one
// piece, the block itself, when it is not bigger): what a task runs its
// row-local steps over, slice by slice, to stay within the cache.
std::vector<Block> SliceRows(Block&& block, size_t bytes);

// Appends a slice (after SliceRows and the steps) to `into`, adding first,
// null on the rows before, a column only this slice has (Block::Append keeps
// only the columns already there).
void AppendSlice(Block* into, const Block& slice);

}  // namespace strata::data
