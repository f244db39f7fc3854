// Encoding values into objects and decoding them back, for the templates.
#pragma once

#include <memory>
#include <string>
#include <typeinfo>
#include <utility>

#include "strata/internal/runtime.h"
#include "strata/serialization.h"

namespace strata::internal {

// Stands in for `void` where a value is needed (a task that returns nothing).
struct Void {
  MSGPACK_DEFINE();
};

struct CountingStream {
  uint64_t bytes = 0;
  void write(const char*, size_t n) { bytes += n; }
};
struct StringStream {
  std::string* out;
  void write(const char* p, size_t n) { out->append(p, n); }
};
struct MemoryStream {
  char* cursor;
  void write(const char* p, size_t n) {
    if (n == 0) return;  // an empty buffer may have no address at all
    std::memcpy(cursor, p, n);
    cursor += n;
  }
};

// Serializes `value`. Small results stay inline; large ones are written
// straight into the object store under `id` (one pass to size, one to write:
// no intermediate buffer for a large object).
template <class T>
EncodedObject EncodeObject(const T& value, const ObjectId& id) {
  EncodedObject out;
  out.id = id;
  CountingStream counter;
  {
    ContainedRefScope scope(&out.contained);
    msgpack::pack(counter, value);
  }
  out.size = counter.bytes;
  if (counter.bytes <= kInlineObjectLimit) {
    out.data.reserve(counter.bytes);
    StringStream s{&out.data};
    msgpack::pack(s, value);
  } else {
    auto writer = CreateLargeObject(id, counter.bytes);
    MemoryStream s{writer->data()};
    msgpack::pack(s, value);
    writer->Finish();
    out.in_store = true;
  }
  return out;
}

// Tells msgpack to point str/bin/ext at the input instead of copying them
// into its zone: a large vector is then copied once, into its destination.
inline bool ReferenceInPlace(msgpack::type::object_type, size_t, void*) { return true; }

std::shared_ptr<const void>& DecodingKeepalive();

// Makes the memory being decoded available to zero-copy types (ArrayView).
class KeepaliveScope {
 public:
  explicit KeepaliveScope(std::shared_ptr<const void> k)
      : previous_(std::move(DecodingKeepalive())) {
    DecodingKeepalive() = std::move(k);
  }
  ~KeepaliveScope() { DecodingKeepalive() = std::move(previous_); }
  KeepaliveScope(const KeepaliveScope&) = delete;
  KeepaliveScope& operator=(const KeepaliveScope&) = delete;

 private:
  std::shared_ptr<const void> previous_;
};

template <class T>
T DecodeValue(const char* data, size_t size, const ObjectId& id,
              std::shared_ptr<const void> keepalive = nullptr) {
  try {
    KeepaliveScope scope(std::move(keepalive));
    msgpack::object_handle handle = msgpack::unpack(data, size, ReferenceInPlace);
    // GCC 12 reports strings inside `value` as maybe-uninitialized when a
    // struct has many members (a false positive: value{} initializes them).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    T value{};
    handle.get().convert(value);
    return value;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  } catch (const std::exception& e) {
    ThrowDecodeError(id, typeid(T).name(), e.what());
  }
}

template <class T>
T DecodeObject(const ObjectBytes& bytes, const ObjectId& id) {
  return DecodeValue<T>(bytes.data, bytes.size, id, bytes.keepalive);
}

}  // namespace strata::internal
