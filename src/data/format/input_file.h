// Reading input files, compressed or not: gzip (.gz) and zstd (.zst) are
// decompressed transparently. A compressed file cannot be cut at a byte
// offset, so it is read whole by one task; plain files are read by range.
#pragma once

#include <string>

#include "common/status.h"
#include "data/format/csv.h"

namespace strata::data {

bool IsCompressed(const std::string& path);
// Drops a UTF-8 byte order mark at the start of `text` (Excel writes one).
// Ranges at offset 0 are read without it; offsets count the file's bytes.
void StripByteOrderMark(std::string* text);
// The bytes of `range` (for a compressed file: all of it, decompressed).
Status ReadRange(const FileRange& range, std::string* out);
// Up to `max_bytes` of the file's (decompressed) beginning.
Status ReadHead(const std::string& path, size_t max_bytes, std::string* out);

}  // namespace strata::data
