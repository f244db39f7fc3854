// The non-template entry points of libstrata that the public templates call.
// Not part of the public contract: names here may change.
//
// Thread-safety: every function here may be called from any thread once
// strata::Init() has returned.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "strata/internal/ids.h"

namespace strata::internal {

// Objects up to this size travel inside messages; larger ones are written once
// into the node's shared-memory store and mapped by readers (Ray uses the same
// 100 KiB split).
constexpr uint64_t kInlineObjectLimit = 100 * 1024;

// A serialized value ready to hand to the runtime.
struct EncodedObject {
  ObjectId id;
  bool in_store = false;  // true: already written to the object store by WriteLargeObject
  std::string data;       // the bytes when !in_store
  uint64_t size = 0;
  std::vector<ObjectId> contained;  // ObjectRefs serialized inside the value
};

// Read-only bytes of an object. Holds the backing memory (a message buffer or
// a file mapping) alive for as long as any copy exists.
struct ObjectBytes {
  const char* data = nullptr;
  size_t size = 0;
  std::shared_ptr<const void> keepalive;
};

// Object files start with this many unused bytes, so that the payload of a
// top-level bin32 (an array of numbers) begins 8-byte aligned and can be read
// in place (ArrayView).
constexpr uint64_t kObjectFilePayloadOffset = 3;

// A writable mapping of a new store file, for objects above kInlineObjectLimit.
class LargeObjectWriter {
 public:
  virtual ~LargeObjectWriter() = default;
  virtual char* data() = 0;
  // Flushes and unmaps; the object becomes visible once handed to the runtime.
  virtual void Finish() = 0;
};
std::unique_ptr<LargeObjectWriter> CreateLargeObject(const ObjectId& id, uint64_t size);

enum class TaskKind : uint8_t { kNormal = 0, kActorCreation = 1, kActorCall = 2 };

struct TaskArgument {
  bool by_ref = false;
  ObjectId ref;      // when by_ref: resolved to the object's value before the task runs
  std::string data;  // otherwise: the serialized value
};

enum class Strategy : uint8_t { kDefault = 0, kSpread = 1, kNodeAffinity = 2 };

struct TaskOptions {
  std::map<std::string, double> resources;  // empty: {"CPU": 1} for tasks, {} for actors
  bool resources_set = false;
  int max_retries = 3;
  int max_restarts = 0;
  std::string name;
  Strategy strategy = Strategy::kDefault;
  NodeId affinity_node;
  bool affinity_soft = false;
};

// Submits a task; returns the id of its return object, which the caller holds
// one reference to (the ObjectRef built from it adopts that reference).
ObjectId SubmitTask(TaskKind kind, const std::string& function, std::vector<TaskArgument>&& args,
                    std::vector<ObjectId>&& contained, const TaskOptions& options,
                    const ActorId& actor);

// Stores an encoded value; the caller holds one reference to it.
void PutEncoded(EncodedObject&& object);

// Blocks until the object is available. Throws TaskError / InfeasibleError if
// the task that makes it failed or cannot be placed, TimeoutError on timeout
// (timeout_ms < 0: no limit).
ObjectBytes GetObjectBytes(const ObjectId& id, int64_t timeout_ms);
// Fetches several at once (one request for all that are missing).
std::vector<ObjectBytes> GetObjectsBytes(const std::vector<ObjectId>& ids, int64_t timeout_ms);

// Returns a flag per id: ready (value or error) or not, once at least
// num_returns are ready or the timeout passes.
std::vector<bool> WaitObjects(const std::vector<ObjectId>& ids, size_t num_returns,
                              int64_t timeout_ms);

// Local reference counting; the runtime tells the node agent when a process
// starts or stops referring to an object.
// strata::Kill: ends the actor (see strata.h).
void KillActor(const ActorId& actor);
void AddLocalRef(const ObjectId& id);
void RemoveLocalRef(const ObjectId& id);
// Records refs being serialized inside a value (see ContainedRefScope).
void NoteContainedRef(const ObjectId& id);

// While alive, ObjectRefs serialized on this thread are recorded in `sink`.
class ContainedRefScope {
 public:
  explicit ContainedRefScope(std::vector<ObjectId>* sink);
  ~ContainedRefScope();
  ContainedRefScope(const ContainedRefScope&) = delete;
  ContainedRefScope& operator=(const ContainedRefScope&) = delete;

 private:
  std::vector<ObjectId>* previous_;
};

[[noreturn]] void ThrowDecodeError(const ObjectId& id, const char* type_name, const char* what);

}  // namespace strata::internal
