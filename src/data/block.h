// Blocks are public (a user's batch functions take them): see
// include/strata/data_block.h.
#pragma once

#include <strata/data_block.h>

namespace strata::data {

// Puts `c` in `b` as `name`, replacing a column of that name in place (so
// the columns keep their order), else adding it at the end.
void PutColumn(Block* b, const std::string& name, Column c);

}  // namespace strata::data
