// What nodes and the head tell each other about a node: its report (every
// heartbeat, node -> head) and the cluster view (head -> every node) are
// vectors of NodeRecord. Declared here, with the other wire messages; the
// head keeps them as its table rows (head/cluster_state.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/resources.h"
#include "strata/internal/ids.h"
#include "strata/serialization.h"

namespace strata::rpc {

// A node's life as the head sees it. Text only at the edges (NodeStateName).
enum class NodeState : uint8_t {
  kAlive = 0,
  kDraining = 1,  // finishing its work, then it leaves
  kDrained = 2,   // left on request (drained; the autoscaler terminates these)
  kDead = 3,      // lost: connection dropped or silent past the timeout
};
// "ALIVE", "DRAINING", "DRAINED", "DEAD": what `strata status` shows.
const char* NodeStateName(NodeState state);

struct StoreStats {
  uint64_t capacity_bytes = 0;
  uint64_t used_bytes = 0;      // in shared memory
  uint64_t spilled_bytes = 0;   // on local disk
  uint64_t num_objects = 0;
  uint64_t num_spilled = 0;
  uint64_t spill_count = 0;     // objects spilled since start
  uint64_t pooled_bytes = 0;    // freed shared memory kept for reuse
  std::string spill_error;      // why the last spill failed ("" once one succeeds again)
  uint64_t refused = 0;         // objects refused since start: store full, spilling failing
  MSGPACK_DEFINE(capacity_bytes, used_bytes, spilled_bytes, num_objects, num_spilled, spill_count,
                 pooled_bytes, spill_error, refused);
};

struct WorkerStats {
  int total = 0;
  int idle = 0;
  int busy = 0;
  int blocked = 0;
  int actors = 0;
  int starting = 0;
  MSGPACK_DEFINE(total, idle, busy, blocked, actors, starting);
};

// Sent by each node to the head (its report) and by the head to every node
// (the cluster view), so it is a message as well as a table row.
struct NodeRecord {
  NodeId id;
  uint32_t index = 0;     // 0 is the head's own node
  std::string node_type;  // "head" for the head's own node agent
  NodeState state = NodeState::kAlive;
  std::string address;
  std::string hostname;
  std::string arch;  // x86_64, arm64
  std::string spill_dir;
  ResourceSet total;
  ResourceSet used;       // leased by running work: what `status` shows as busy
  // Reserved for work not running yet (workers starting, tasks other nodes
  // sent here): senders count it as taken, `status` shows it as pending.
  ResourceSet committed;
  StoreStats store;
  WorkerStats workers;
  std::map<ResourceSet, int64_t> pending;     // queued, waiting for resources
  std::map<ResourceSet, int64_t> infeasible;  // no node can ever hold these
  int64_t tasks_finished = 0;
  std::string instance_id;  // the provider's id for this machine (autoscaled nodes)
  // Forwarded tasks received so far, by sending node's index: a sender
  // knows which of its tasks this report already counts as used.
  std::map<uint32_t, int64_t> received_from;
  // Per node index: results of its forwarded tasks this node had sent back
  // when it made this report, so that the sender knows which of the results
  // it already has the report counts as still running.
  std::map<uint32_t, int64_t> returned_to;
  MSGPACK_DEFINE(id, index, node_type, state, address, hostname, arch, spill_dir, total, used, store,
                 workers, pending, infeasible, tasks_finished, instance_id, received_from, committed,
                 returned_to);
};

}  // namespace strata::rpc

MSGPACK_ADD_ENUM(strata::rpc::NodeState);
