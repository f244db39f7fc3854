// Page compression codecs Parquet files use: snappy, gzip, zstd, or none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strata::data::parquet {

enum class Codec { kNone = 0, kSnappy = 1, kGzip = 2, kZstd = 6 };

// Codec by name ("snappy", "gzip", "zstd", "none"/"uncompressed").
bool CodecByName(const std::string& name, Codec* codec);
const char* CodecName(int parquet_codec);

// `codec` is the file's CompressionCodec number; unknown ones are an error
// naming the codec. `size` is the page's uncompressed size.
Status Decompress(int codec, std::string_view in, size_t size, std::string* out);
void Compress(Codec codec, std::string_view in, std::string* out);

}  // namespace strata::data::parquet
