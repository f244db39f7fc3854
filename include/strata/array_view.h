// ArrayView<T>: read a stored array of numbers without copying it.
//
// A large object lives in a shared-memory (or spill) file that readers map.
// Get() of a std::vector<T> copies it out of that mapping; Get() of an
// ArrayView<T> points into the mapping instead and keeps it alive for as long
// as the view (or a copy of it) exists. Task parameters may be ArrayViews too.
//
// Values are interchangeable on the wire: Put a std::vector<double>, read it as
// ArrayView<double>, and the other way round. A view of a small (inline)
// object, or of bytes that are not aligned for T, holds its own copy.
//
// Thread-safety: immutable; copies share the mapping.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "strata/internal/codec.h"
#include "strata/serialization.h"

namespace strata {

template <class T>
class ArrayView {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>,
                "ArrayView holds numbers");

 public:
  ArrayView() = default;
  explicit ArrayView(std::vector<T> owned)
      : owned_(std::make_shared<std::vector<T>>(std::move(owned))),
        data_(owned_->data()),
        size_(owned_->size()) {}

  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T& operator[](size_t i) const { return data_[i]; }
  std::vector<T> ToVector() const { return std::vector<T>(begin(), end()); }
  // True when this view points into the object store rather than a copy.
  bool is_zero_copy() const { return keepalive_ != nullptr; }

  // For the msgpack adaptor below.
  void Assign(const char* bytes, size_t n) {
    if (n % sizeof(T) != 0) throw msgpack::type_error();
    const auto& keepalive = internal::DecodingKeepalive();
    if (keepalive && reinterpret_cast<uintptr_t>(bytes) % alignof(T) == 0) {
      keepalive_ = keepalive;
      owned_.reset();
      data_ = reinterpret_cast<const T*>(bytes);
      size_ = n / sizeof(T);
      return;
    }
    auto copy = std::make_shared<std::vector<T>>(n / sizeof(T));
    if (n > 0) std::memcpy(copy->data(), bytes, n);
    *this = ArrayView();
    owned_ = std::move(copy);
    data_ = owned_->data();
    size_ = owned_->size();
  }

 private:
  std::shared_ptr<const void> keepalive_;
  std::shared_ptr<std::vector<T>> owned_;
  const T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace strata

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <class T>
  struct pack<strata::ArrayView<T>> {
    template <class Stream>
    msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& o,
                                        const strata::ArrayView<T>& v) const {
      const size_t bytes = v.size() * sizeof(T);
      if (bytes > UINT32_MAX) throw msgpack::type_error();
      o.pack_bin(static_cast<uint32_t>(bytes));
      o.pack_bin_body(reinterpret_cast<const char*>(v.data()), static_cast<uint32_t>(bytes));
      return o;
    }
  };
  template <class T>
  struct convert<strata::ArrayView<T>> {
    const msgpack::object& operator()(const msgpack::object& o, strata::ArrayView<T>& v) const {
      if (o.type == msgpack::type::BIN) {
        v.Assign(o.via.bin.ptr, o.via.bin.size);
      } else {
        std::vector<T> copy;
        o.convert(copy);
        v = strata::ArrayView<T>(std::move(copy));
      }
      return o;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
