// Blocks are public (a user's batch functions take them): see
// include/strata/data_block.h.
#pragma once

#include <strata/data_block.h>
