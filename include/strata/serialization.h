// How values cross process boundaries: MessagePack (msgpack-cxx), plus
//  - STRATA_STRUCT(field, ...) inside a user struct to make it serializable;
//  - a zero-conversion encoding of std::vector<number>: the raw bytes as one
//    msgpack `bin`, so a 1 GiB std::vector<double> is one memcpy each way
//    instead of 128 M element conversions. (Both ends are little-endian:
//    x86_64 and arm64.) Arrays written by other msgpack producers still decode.
#pragma once

#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST
#endif
#include <msgpack.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

// Makes a user struct serializable: list its fields in order.
//   struct Point { double x, y; STRATA_STRUCT(x, y); };
#define STRATA_STRUCT(...) MSGPACK_DEFINE(__VA_ARGS__)

namespace strata::internal {

template <class T>
struct RawVectorCodec {
  template <class Stream>
  static void Pack(msgpack::packer<Stream>& o, const std::vector<T>& v) {
    const auto bytes = static_cast<uint32_t>(v.size() * sizeof(T));
    if (v.size() * sizeof(T) > UINT32_MAX) throw msgpack::type_error();
    o.pack_bin(bytes);
    o.pack_bin_body(reinterpret_cast<const char*>(v.data()), bytes);
  }
  static void Convert(const msgpack::object& o, std::vector<T>& v) {
    if (o.type == msgpack::type::BIN) {
      if (o.via.bin.size % sizeof(T) != 0) throw msgpack::type_error();
      const T* begin = reinterpret_cast<const T*>(o.via.bin.ptr);
      // assign() copies straight into the new allocation; resize()+memcpy would
      // zero-fill the pages first and touch them twice.
      v.assign(begin, begin + o.via.bin.size / sizeof(T));
      return;
    }
    if (o.type != msgpack::type::ARRAY) throw msgpack::type_error();
    v.resize(o.via.array.size);
    for (uint32_t i = 0; i < o.via.array.size; ++i) o.via.array.ptr[i].convert(v[i]);
  }
};

}  // namespace strata::internal

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
#define STRATA_RAW_VECTOR(T)                                                          \
  template <>                                                                         \
  struct pack<std::vector<T>> {                                                       \
    template <class Stream>                                                           \
    msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& o,                   \
                                        const std::vector<T>& v) const {              \
      ::strata::internal::RawVectorCodec<T>::Pack(o, v);                              \
      return o;                                                                       \
    }                                                                                 \
  };                                                                                  \
  template <>                                                                         \
  struct convert<std::vector<T>> {                                                    \
    const msgpack::object& operator()(const msgpack::object& o, std::vector<T>& v) const { \
      ::strata::internal::RawVectorCodec<T>::Convert(o, v);                           \
      return o;                                                                       \
    }                                                                                 \
  };
  STRATA_RAW_VECTOR(double)
  STRATA_RAW_VECTOR(float)
  STRATA_RAW_VECTOR(int16_t)
  STRATA_RAW_VECTOR(uint16_t)
  STRATA_RAW_VECTOR(int32_t)
  STRATA_RAW_VECTOR(uint32_t)
  STRATA_RAW_VECTOR(int64_t)
  STRATA_RAW_VECTOR(uint64_t)
#undef STRATA_RAW_VECTOR
  }  // namespace adaptor
}
}  // namespace msgpack
