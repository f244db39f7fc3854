// The nodes that joined the head: their connection, their last report, and
// whether they are alive. A node is dead when its connection to the head
// closes or when it stays silent past the timeout; dead nodes stay listed.
//
// Thread-safety: not thread-safe; the head's event loop thread uses it.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

#include "head/cluster_state.h"
#include "rpc/conn_id.h"

namespace strata::head {

class NodeTable {
 public:
  using Clock = std::chrono::steady_clock;
  using ConnId = rpc::ConnId;

  // Dead and drained nodes stay listed for `retention`, then leave the view
  // (an autoscaled cluster would otherwise list every node it ever ended).
  NodeTable(ClusterState* state, std::chrono::milliseconds timeout,
            std::chrono::milliseconds retention = std::chrono::minutes(10))
      : state_(state), timeout_(timeout), retention_(retention) {}

  // A node joined on `conn`. Returns the index its ids will carry (1, 2, ...).
  NodeIndex Join(ConnId conn, const NodeRecord& first_report);
  // A heartbeat. False if `conn` is not a joined node.
  bool Report(ConnId conn, NodeRecord record);
  // The node's connection closed: it is dead now. False if not a node.
  bool Lost(ConnId conn, const std::string& reason);
  // Marks nodes silent for longer than the timeout dead, and forgets nodes
  // dead for longer than the retention. Returns the newly dead ones'
  // connections (the head closes them: a node that was only slow learns it
  // was declared dead, and stops).
  std::vector<ConnId> Expire(Clock::time_point now);
  // Connections of the nodes that are alive (to broadcast the view to).
  std::vector<ConnId> AliveConnections() const;
  // Marks a node draining (no new work goes there). Returns its connection,
  // or 0 if no alive node has that id.
  ConnId StartDrain(const NodeId& node);
  bool IsNode(ConnId conn) const { return by_conn_.count(conn) != 0; }

 private:
  struct Entry {
    NodeRecord record;
    Clock::time_point last_seen;
    bool alive = true;
  };
  void MarkDead(Entry& e, const std::string& reason);

  ClusterState* state_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds retention_;
  std::unordered_map<NodeId, Clock::time_point> dead_since_;
  std::unordered_map<ConnId, Entry> by_conn_;
  uint32_t next_index_ = 1;
};

}  // namespace strata::head
