// Moves objects between nodes. A pull asks the peer that has the object for
// its file in 4 MiB chunks, four in flight at a time, and writes each chunk
// straight into the new store file: a large object streams through with
// bounded memory on both ends, never held whole in a message buffer.
//
// Thread-safety: not thread-safe; runs on the agent's event loop thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "node/object_store.h"
#include "rpc/cluster_messages.h"
#include "rpc/event_loop.h"
#include "rpc/messages.h"
#include "strata/internal/runtime.h"

namespace strata::node {

class ObjectTransfer {
 public:
  // ok: the object is sealed in this node's store (or nobody wanted it any more).
  using Done = std::function<void(bool ok, const std::string& error)>;

  ObjectTransfer(rpc::EventLoop* loop, ObjectStore* store) : loop_(loop), store_(store) {}

  // Pulls `id` from the peer on `conn`. The object's entry must exist here
  // (expected, pinned or held). Callers waiting on the same object share one pull.
  void Pull(const ObjectId& id, rpc::ConnId conn, Done done);
  void OnChunkRequest(rpc::ConnId conn, const rpc::ChunkRequest& request);
  // An object became ready here: answer requests that arrived before it did.
  void OnObjectReady(const ObjectId& id);
  // An ObjectChunk decoded in place: `data` points into the received frame.
  struct ChunkView {
    ObjectId id;
    uint64_t offset = 0;
    uint64_t file_size = 0;
    const char* data = nullptr;
    size_t size = 0;
    std::string error;
    int whole_state = -1;  // >= 0: a whole small object (inline or error)
  };
  static Status DecodeChunk(const char* body, size_t size, ChunkView* out);
  void OnChunk(rpc::ConnId conn, const ChunkView& chunk);
  // The peer is gone: its pulls fail.
  void OnPeerClosed(rpc::ConnId conn);
  // Pulls and bytes since the node started (its report, /metrics).
  const rpc::TransferStats& stats() const { return stats_; }

 private:
  struct Transfer {
    rpc::ConnId conn = rpc::ConnId::kNone;
    uint64_t file_size = 0;  // known from the first chunk
    uint64_t next_offset = 0;
    uint64_t received = 0;
    int in_flight = 0;
    std::string path;
    std::string recycled;  // the pooled file it reuses, if any
    std::unique_ptr<internal::LargeObjectWriter> writer;
    std::vector<Done> done;
  };
  void RequestMore(const ObjectId& id, Transfer& t);
  void Finish(const ObjectId& id, bool ok, const std::string& error);

  rpc::EventLoop* loop_;
  ObjectStore* store_;
  rpc::TransferStats stats_;
  std::unordered_map<ObjectId, Transfer> pulls_;
  // Requests for objects that exist here but are still being made.
  std::unordered_map<ObjectId, std::vector<std::pair<rpc::ConnId, rpc::ChunkRequest>>> parked_;
};

}  // namespace strata::node
