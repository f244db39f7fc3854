// The node's object table: where each object's bytes are (inline in memory,
// a shared-memory file, or a spill file), who refers to it, and the capacity
// of shared memory with least-recently-used spilling to local disk.
//
// Objects are freed when no process holds a reference and no queued task or
// containing object pins them.
//
// Thread-safety: not thread-safe; owned by the agent's event loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "head/cluster_state.h"
#include "rpc/event_loop.h"
#include "node/spiller.h"
#include "rpc/messages.h"

namespace strata::node {

struct StoreOptions {
  std::string shm_prefix;   // <prefix><object hex> for objects in shared memory
  std::string spill_dir;
  std::string pool_dir;     // freed shared-memory files kept for reuse
  uint64_t capacity_bytes = 0;
};

struct StoredObject {
  ObjectId id;
  bool ready = false;
  rpc::ObjectInfo info;     // meaningful once ready
  int64_t holders = 0;      // references held by processes (sum over connections)
  int64_t pins = 0;         // tasks that take it as an argument, objects containing it
  std::vector<rpc::ConnId> waiters;  // to be sent the object when ready
  std::vector<TaskId> dependents;    // tasks waiting for it
  std::list<ObjectId>::iterator lru;  // valid while in shared memory
  bool spilling = false;              // a copy to the spill directory is under way
};

// Told when an object becomes ready. The store owns readiness: whoever
// seals an object (a Put, a task's result, a transfer, an error) only seals
// it, and the listener (the scheduler) sends it to waiters and wakes tasks.
class ReadyListener {
 public:
  virtual ~ReadyListener() = default;
  // `owner`: the connection of the process it was made for (0: none).
  virtual void OnObjectReady(StoredObject& obj, rpc::ConnId owner) = 0;
};

class ObjectStore {
 public:
  explicit ObjectStore(StoreOptions options);
  ~ObjectStore();

  StoredObject* Find(const ObjectId& id);
  // Creates the entry of an object that will be made later (a task's return).
  StoredObject& Expect(const ObjectId& id);
  // Makes an object ready and tells the listener. Returns false (and deletes
  // any file) if nobody wants it any more. May spill others to keep within
  // capacity. While spilling fails, an object that does not fit becomes an
  // error object (ObjectStoreFullError) for whoever reads it. The object may
  // be freed before this returns (nothing held it once its waiters had it).
  bool Seal(rpc::ObjectInfo info, rpc::ConnId owner = rpc::ConnId::kNone);
  void set_ready_listener(ReadyListener* listener) { listener_ = listener; }

  void AddHolder(rpc::ConnId conn, const ObjectId& id, int32_t delta);
  // A process is gone: drops every reference it held.
  void DropConnection(rpc::ConnId conn);
  // The ready objects `conn` holds references to.
  std::vector<ObjectId> HeldBy(rpc::ConnId conn) const;
  void Pin(const ObjectId& id);
  void Unpin(const ObjectId& id);

  // Checks an object a peer says it made: a known state, and for file-backed
  // objects a file of the stated size where this node keeps such files.
  // DataLoss naming what is wrong.
  Status ValidateIncoming(const rpc::ObjectInfo& info) const;

  // Frees the object if nothing refers to it any more.
  void Collect(const ObjectId& id) { MaybeFree(id); }
  // Marks a read; fills the info a reader needs (the current file path).
  rpc::ObjectInfo ReaderInfo(StoredObject& obj);

  // Called with each object just freed (the agent ends actors this way).
  void set_on_free(std::function<void(const ObjectId&)> f) { on_free_ = std::move(f); }

  // Finishes spills the spiller completed (the agent calls this when
  // spill_notify_fd() is readable). WaitForSpills blocks until all are done.
  int spill_notify_fd() const { return spiller_.notify_fd(); }
  void OnSpillsDone();
  void WaitForSpills();

  rpc::StoreStats Stats() const;
  std::string ShmPath(const ObjectId& id) const { return options_.shm_prefix + id.Hex(); }
  std::string SpillPath(const ObjectId& id) const;
  const StoreOptions& options() const { return options_; }

 private:
  void MaybeFree(const ObjectId& id);
  void EnforceCapacity(const ObjectId& keep);
  void Spill(StoredObject& obj);
  void FinishSpills(std::vector<Spiller::Done> done);
  void DeleteFiles(const rpc::ObjectInfo& info);
  void ForgetPooled(const std::string& name);
  void TrimPool(uint64_t room_needed);

  StoreOptions options_;
  std::unordered_map<ObjectId, StoredObject> objects_;
  std::unordered_map<rpc::ConnId, std::unordered_map<ObjectId, int32_t>> held_by_;
  std::list<ObjectId> lru_;  // shared-memory objects, least recent first
  uint64_t used_bytes_ = 0;
  uint64_t spilled_bytes_ = 0;
  uint64_t num_spilled_ = 0;
  uint64_t spill_count_ = 0;
  uint64_t spilling_bytes_ = 0;  // still counted in used_bytes_ until copied
  // Set while spilling fails (a full or unwritable spill disk): objects that
  // do not fit in shared memory are then refused, not held beyond capacity.
  std::string spill_error_;
  uint64_t refused_ = 0;
  // Pooled files count against capacity like live objects; they are the
  // first thing given up when room is needed.
  std::unordered_map<std::string, uint64_t> pool_;  // file name -> bytes
  uint64_t pooled_bytes_ = 0;
  uint64_t pool_seq_ = 0;
  std::function<void(const ObjectId&)> on_free_;
  Spiller spiller_;  // last: its thread stops before the tables above go
  ReadyListener* listener_ = nullptr;
};

}  // namespace strata::node
