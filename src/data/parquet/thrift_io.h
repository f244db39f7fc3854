// Reading and writing the Thrift-encoded parts of a Parquet file (footer,
// page headers) with Thrift's compact protocol. Reads are bounded by the
// bytes given — strings and lists cannot claim more than that — and a
// malformed struct is an error, not an exception.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "parquet_format_types.h"

namespace strata::data::parquet {

namespace pf = strata::data::parquet_format;

// Reads a T from `data`; `*consumed` is how many bytes it took.
template <class T>
bool ReadThrift(const uint8_t* data, size_t size, T* out, size_t* consumed, std::string* error) {
  using apache::thrift::transport::TMemoryBuffer;
  try {
    auto buffer = std::make_shared<TMemoryBuffer>(const_cast<uint8_t*>(data), static_cast<uint32_t>(size),
                                                  TMemoryBuffer::OBSERVE);
    apache::thrift::protocol::TCompactProtocolT<TMemoryBuffer> protocol(
        buffer, static_cast<int32_t>(size), static_cast<int32_t>(size));
    out->read(&protocol);
    if (consumed != nullptr) *consumed = size - buffer->available_read();
    return true;
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
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
