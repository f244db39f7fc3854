// ObjectRef<T>: a reference to a value that lives in the cluster — the result
// of a task, or a value given to Put().
//
// Copying a ref is cheap and never copies the value. The value stays alive
// while any ref to it exists in any process (distributed reference counting);
// when the last one goes, the cluster frees it. Refs may be passed to tasks,
// returned from them, and stored inside other values.
//
// Thread-safety: a ref is a value type; distinct refs may be used from
// different threads. The runtime behind them is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "strata/internal/ids.h"
#include "strata/internal/runtime.h"
#include "strata/serialization.h"

namespace strata {

namespace internal {
// One counted reference held by this process. Shared by copies of a ref.
class RefHandle {
 public:
  // `adopt`: the runtime already counted this reference (a fresh Put or task
  // return); otherwise the handle adds one.
  RefHandle(const ObjectId& id, bool adopt) : id_(id) {
    if (!adopt) AddLocalRef(id_);
  }
  ~RefHandle() { RemoveLocalRef(id_); }
  RefHandle(const RefHandle&) = delete;
  RefHandle& operator=(const RefHandle&) = delete;
  const ObjectId& id() const { return id_; }

 private:
  ObjectId id_;
};
}  // namespace internal

template <class T>
class ObjectRef {
 public:
  using value_type = T;

  ObjectRef() = default;
  // Another typed reference to the same object, e.g. a std::vector<double>
  // read as ArrayView<double>. Counts as one more reference.
  explicit ObjectRef(const ObjectId& id)
      : handle_(id.IsNil() ? nullptr : std::make_shared<internal::RefHandle>(id, false)) {}
  // For the runtime: wraps an id this process holds a reference to.
  static ObjectRef Adopt(const ObjectId& id) {
    return ObjectRef(std::make_shared<internal::RefHandle>(id, /*adopt=*/true));
  }
  static ObjectRef Borrow(const ObjectId& id) {
    return ObjectRef(std::make_shared<internal::RefHandle>(id, /*adopt=*/false));
  }

  bool IsNil() const { return handle_ == nullptr; }
  ObjectId id() const { return handle_ ? handle_->id() : ObjectId::Nil(); }
  std::string Hex() const { return id().Hex(); }

  friend bool operator==(const ObjectRef& a, const ObjectRef& b) { return a.id() == b.id(); }

 private:
  explicit ObjectRef(std::shared_ptr<internal::RefHandle> h) : handle_(std::move(h)) {}
  std::shared_ptr<internal::RefHandle> handle_;
};

template <class T>
struct IsObjectRef : std::false_type {};
template <class T>
struct IsObjectRef<ObjectRef<T>> : std::true_type {};

}  // namespace strata

// Refs serialize as their id; the receiving process takes its own reference.
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <class T>
  struct pack<strata::ObjectRef<T>> {
    template <class Stream>
    msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& o,
                                        const strata::ObjectRef<T>& r) const {
      const strata::ObjectId id = r.id();
      if (!id.IsNil()) strata::internal::NoteContainedRef(id);
      o.pack_array(2);
      o.pack(id.hi());
      o.pack(id.lo());
      return o;
    }
  };
  template <class T>
  struct convert<strata::ObjectRef<T>> {
    const msgpack::object& operator()(const msgpack::object& o, strata::ObjectRef<T>& r) const {
      if (o.type != msgpack::type::ARRAY || o.via.array.size != 2) throw msgpack::type_error();
      strata::ObjectId id(o.via.array.ptr[0].as<uint64_t>(), o.via.array.ptr[1].as<uint64_t>());
      r = id.IsNil() ? strata::ObjectRef<T>() : strata::ObjectRef<T>::Borrow(id);
      return o;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
