// Executables as content: what a node needs to run a job's code that it did
// not build. A binary is named by its SHA-256, so a node keeps one copy per
// content however many jobs, sessions or paths use it, and a corrupt or
// substituted copy is noticed before it runs.
#pragma once

#include <string>

#include "common/status.h"

namespace strata {

// Lowercase hex SHA-256 of a file's bytes (NotFound, Unavailable: unreadable).
Result<std::string> Sha256OfFile(const std::string& path);

// The architecture an ELF executable is built for, named as nodes name theirs
// ("x86_64", "arm64"; other machines as "elf-machine-N"). An error when the
// file is missing or not an ELF executable.
Result<std::string> ElfArchOf(const std::string& path);

// Where this machine caches binaries by content: $STRATA_BINARY_CACHE, else
// <session root>/binaries.
std::string BinaryCacheDir();
// <cache>/<sha256>: exists only once fully written and verified.
std::string CachedBinaryPath(const std::string& sha256);
bool IsValidSha256Hex(const std::string& s);

}  // namespace strata
