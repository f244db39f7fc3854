// Reading and writing the Thrift-encoded parts of a Parquet file (footer,
// page headers) with Thrift's compact protocol. Reads are bounded by the
// bytes given — strings and lists cannot claim more than that — and a
// malformed struct is an error, not an exception.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "common/status.h"
#include "parquet_format_types.h"

namespace strata::data::parquet {

namespace pf = strata::data::parquet_format;

// Reads a T from `data`; `*consumed` is how many bytes it took.
template <class T>
Status ReadThrift(const uint8_t* data, size_t size, T* out, size_t* consumed) {
  using apache::thrift::transport::TMemoryBuffer;
  try {
    auto buffer = std::make_shared<TMemoryBuffer>(const_cast<uint8_t*>(data), static_cast<uint32_t>(size),
                                                  TMemoryBuffer::OBSERVE);
    apache::thrift::protocol::TCompactProtocolT<TMemoryBuffer> protocol(
        buffer, static_cast<int32_t>(size), static_cast<int32_t>(size));
    out->read(&protocol);
    if (consumed != nullptr) *consumed = size - buffer->available_read();
    return OkStatus();
  } catch (const std::exception& e) {
    return DataLoss(e.what());
  }
}

template <class T>
void WriteThrift(const T& value, std::string* out) {
  using apache::thrift::transport::TMemoryBuffer;
  auto buffer = std::make_shared<TMemoryBuffer>();
  apache::thrift::protocol::TCompactProtocolT<TMemoryBuffer> protocol(buffer);
  value.write(&protocol);
  out->append(buffer->getBufferAsString());
}

}  // namespace strata::data::parquet

namespace strata::data::parquet {

// Thrift stores whatever number the bytes held in an enum field; a corrupt
// file can hold one outside the enum. These check every enum Strata reads
// (as raw integers, never loading an invalid enum value) so that the rest of
// the reader only ever sees valid ones.
template <class E>
bool EnumIn(const E& e, int lo, int hi) {
  static_assert(sizeof(E) == sizeof(int32_t));
  int32_t v;
  std::memcpy(&v, &e, sizeof(v));
  return v >= lo && v <= hi;
}

inline bool ValidEnums(const pf::FileMetaData& m) {
  for (const auto& e : m.schema) {
    if ((e.__isset.type && !EnumIn(e.type, 0, 7)) || (e.__isset.repetition_type && !EnumIn(e.repetition_type, 0, 2)) ||
        (e.__isset.converted_type && !EnumIn(e.converted_type, 0, 21))) {
      return false;
    }
  }
  for (const auto& rg : m.row_groups) {
    for (const auto& cc : rg.columns) {
      if (!cc.__isset.meta_data) continue;
      if (!EnumIn(cc.meta_data.type, 0, 7) || !EnumIn(cc.meta_data.codec, 0, 7)) return false;
      for (const auto& enc : cc.meta_data.encodings) {
        if (!EnumIn(enc, 0, 9)) return false;
      }
    }
  }
  return true;
}

inline bool ValidEnums(const pf::PageHeader& h) {
  if (!EnumIn(h.type, 0, 3)) return false;
  if (h.__isset.data_page_header &&
      (!EnumIn(h.data_page_header.encoding, 0, 9) || !EnumIn(h.data_page_header.definition_level_encoding, 0, 9) ||
       !EnumIn(h.data_page_header.repetition_level_encoding, 0, 9))) {
    return false;
  }
  if (h.__isset.dictionary_page_header && !EnumIn(h.dictionary_page_header.encoding, 0, 9)) return false;
  if (h.__isset.data_page_header_v2 && !EnumIn(h.data_page_header_v2.encoding, 0, 9)) return false;
  return true;
}

}  // namespace strata::data::parquet
