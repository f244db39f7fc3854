#include "text/word_hash.h"

#include "common/xxhash_inline.h"

namespace strata::text::word_hash {

uint64_t HashLong(const char* p, size_t n) { return XXH3_64bits(p, n); }

}  // namespace strata::text::word_hash
