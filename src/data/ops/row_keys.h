// Row keys shared by the operators: a row's key values as bytes (so groups,
// join keys and partitions hash alike — 2 and 2.0 too), and looking columns
// up by name with an error naming the ones there are.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "data/block.h"

namespace strata::data {

void KeyOf(const std::vector<const Column*>& cols, int64_t r, std::string* key);
// The columns `names` names, in order; an unknown one is an error naming
// `what` and the columns there are.
Result<std::vector<const Column*>> Resolve(const Block& b, const std::vector<std::string>& names, const char* what);

}  // namespace strata::data
