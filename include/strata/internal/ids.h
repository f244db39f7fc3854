// Strong identifiers shared by the public API and the runtime.
//
// An id is 128 bits: a random per-process prefix and a counter, so ids made
// by different processes (and later, different machines) never collide
// without any coordination. Ids are plain values: copyable and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <msgpack.hpp>

namespace strata {

template <class Tag>
class Id {
 public:
  constexpr Id() = default;
  constexpr Id(uint64_t hi, uint64_t lo) : hi_(hi), lo_(lo) {}

  // A fresh id, unique across processes. Thread-safe.
  static Id Generate();
  // Parses the 32-hex-digit form printed by Hex(). Returns Nil() on bad input.
  static Id FromHex(const std::string& hex);
  static constexpr Id Nil() { return Id(); }

  bool IsNil() const { return hi_ == 0 && lo_ == 0; }
  uint64_t hi() const { return hi_; }
  uint64_t lo() const { return lo_; }
  std::string Hex() const;
  // 8 hex digits (4 of the random process part, 4 of the counter): enough to
  // tell ids apart in logs and status output.
  std::string Short() const;

  friend bool operator==(const Id& a, const Id& b) { return a.hi_ == b.hi_ && a.lo_ == b.lo_; }
  friend bool operator!=(const Id& a, const Id& b) { return !(a == b); }
  friend bool operator<(const Id& a, const Id& b) {
    return a.hi_ != b.hi_ ? a.hi_ < b.hi_ : a.lo_ < b.lo_;
  }

  MSGPACK_DEFINE(hi_, lo_);

 private:
  uint64_t hi_ = 0;
  uint64_t lo_ = 0;
};

struct ObjectIdTag;
struct TaskIdTag;
struct WorkerIdTag;
struct NodeIdTag;
struct JobIdTag;
struct ActorIdTag;

using ObjectId = Id<ObjectIdTag>;
using TaskId = Id<TaskIdTag>;
using WorkerId = Id<WorkerIdTag>;
using NodeId = Id<NodeIdTag>;
using JobId = Id<JobIdTag>;
using ActorId = Id<ActorIdTag>;

// A task's return object shares its task's id bits: no lookup table needed.
inline ObjectId ReturnObjectOf(const TaskId& t) { return ObjectId(t.hi(), t.lo()); }
inline TaskId TaskOfReturn(const ObjectId& o) { return TaskId(o.hi(), o.lo()); }

// A node's number in its cluster, given by the head when the node joins (0
// is the head's own node). A type of its own: not any uint32_t.
enum class NodeIndex : uint32_t { kHead = 0 };
inline uint32_t IndexNumber(NodeIndex n) { return static_cast<uint32_t>(n); }

namespace internal {
// The top 16 bits of every id this process makes name its node (see
// SetIdNodeIndex): any node can tell where an object was made — its home —
// from the id alone. The other 48 bits are random per process.
uint64_t ProcessIdPrefix();
void SetIdNodeIndex(NodeIndex node_index);
inline NodeIndex NodeIndexOfId(uint64_t hi) { return static_cast<NodeIndex>(hi >> 48); }
uint64_t NextIdCounter();
std::string IdHex(uint64_t hi, uint64_t lo);
bool ParseIdHex(const std::string& hex, uint64_t* hi, uint64_t* lo);
}  // namespace internal

template <class Tag>
Id<Tag> Id<Tag>::Generate() {
  return Id(internal::ProcessIdPrefix(), internal::NextIdCounter());
}
template <class Tag>
Id<Tag> Id<Tag>::FromHex(const std::string& hex) {
  uint64_t hi = 0, lo = 0;
  return internal::ParseIdHex(hex, &hi, &lo) ? Id(hi, lo) : Id();
}
template <class Tag>
std::string Id<Tag>::Hex() const {
  return internal::IdHex(hi_, lo_);
}
template <class Tag>
std::string Id<Tag>::Short() const {
  std::string h = Hex();
  return h.substr(4, 4) + h.substr(28, 4);
}

}  // namespace strata

template <class Tag>
struct std::hash<strata::Id<Tag>> {
  size_t operator()(const strata::Id<Tag>& id) const noexcept {
    return static_cast<size_t>(id.hi() * 0x9E3779B97F4A7C15ULL ^ id.lo());
  }
};
