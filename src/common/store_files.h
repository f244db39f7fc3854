// Files behind large objects: created and mapped by writers, mapped read-only
// by readers, copied between shared memory and the spill directory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "strata/internal/runtime.h"

namespace strata {

// Freed shared-memory files at least this big are kept for reuse instead of
// deleted: allocating fresh tmpfs pages, not copying, bounds how fast a large
// object can be written (about 1.5 GB/s here versus 12 GB/s for memcpy).
constexpr uint64_t kRecycleMinBytes = 1 << 20;

// Creates `path` with `size` bytes and maps it writable. The error names the
// path and the reason (ResourceExhausted when the store's memory is full).
Result<std::unique_ptr<internal::LargeObjectWriter>> CreateObjectFile(const std::string& path, uint64_t size);

// Claims a file from the recycling pool directory `pool_dir` for an object of
// `size` bytes: the smallest pooled file that holds it without wasting more
// than half, renamed (atomically, so only one writer wins it) to `path`,
// trimmed to `size` and mapped. Its pages are already allocated, which makes
// writing it several times faster than a new file. Returns nullptr when no
// pooled file fits; `claimed` receives the pooled file's name.
std::unique_ptr<internal::LargeObjectWriter> ClaimPooledFile(const std::string& pool_dir,
                                                             const std::string& path,
                                                             uint64_t size, std::string* claimed);

// Maps a whole file read-only. The mapping lives as long as the returned
// keepalive.
Status MapObjectFile(const std::string& path, internal::ObjectBytes* out);

// Copies src to dst (in the kernel, without a user-space buffer).
Status CopyObjectFile(const std::string& src, const std::string& dst);

}  // namespace strata
