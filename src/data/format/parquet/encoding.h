// Parquet's value and level encodings (parquet-format Encodings.md): the
// RLE / bit-packing hybrid (definition levels, dictionary indices,
// booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY
// and BYTE_STREAM_SPLIT. Decoders never read past the bytes given: a short
// or corrupt page is an error, not a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::data::parquet {

// A cursor over a page's bytes.
struct Bytes {
  const uint8_t* p = nullptr;
  const uint8_t* end = nullptr;
  size_t left() const { return static_cast<size_t>(end - p); }
};

bool ReadUleb(Bytes* in, uint64_t* v);
void WriteUleb(uint64_t v, std::string* out);

// Decodes `n` values of `bit_width` bits from the hybrid encoding.
bool DecodeHybrid(Bytes in, int bit_width, int64_t n, uint32_t* out);
// Encodes `values` (each below 2^bit_width): runs of 8 or more equal values
// as RLE, the rest bit-packed.
void EncodeHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out);
// One run: `n` copies of `value`.
void EncodeRepeated(uint32_t value, int64_t n, int bit_width, std::string* out);
int BitWidth(uint64_t max_value);

// DELTA_BINARY_PACKED: `n` int64 values; `*in` advances past what was read.
bool DecodeDeltaBinaryPacked(Bytes* in, int64_t n, std::vector<int64_t>* out);
// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY: `n` strings, appended.
bool DecodeDeltaLengthByteArray(Bytes* in, int64_t n, std::vector<std::string_view>* out);
bool DecodeDeltaByteArray(Bytes* in, int64_t n, std::vector<std::string>* out);
// BYTE_STREAM_SPLIT: `n` values of `width` bytes, reassembled little-endian.
bool DecodeByteStreamSplit(Bytes in, int width, int64_t n, uint8_t* out);

}  // namespace strata::data::parquet
