// xxHash compiled into its callers: Debian's header carries the whole
// implementation, and the text operators hash words of a few bytes, where a
// call through the shared library costs as much as the hash itself.
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>
