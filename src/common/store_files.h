// Files behind large objects: created and mapped by writers, mapped read-only
// by readers, copied between shared memory and the spill directory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "strata/internal/runtime.h"

namespace strata {

// Creates `path` with `size` bytes and maps it writable. On error returns
// nullptr and sets `error` (naming the path and the reason).
std::unique_ptr<internal::LargeObjectWriter> CreateObjectFile(const std::string& path,
                                                              uint64_t size, std::string* error);

// Maps a whole file read-only. The mapping lives as long as the returned
// keepalive. Returns false with `error` set if the file cannot be mapped.
bool MapObjectFile(const std::string& path, internal::ObjectBytes* out, std::string* error);

// Copies src to dst (in the kernel, without a user-space buffer).
bool CopyObjectFile(const std::string& src, const std::string& dst, std::string* error);

}  // namespace strata
