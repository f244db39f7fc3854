#include "head/node_table.h"

#include <spdlog/spdlog.h>

namespace strata::head {

NodeIndex NodeTable::Join(ConnId conn, const NodeRecord& first_report) {
  Entry& e = by_conn_[conn];
  e.record = first_report;
  e.record.index = static_cast<NodeIndex>(next_index_++);
  e.record.state = NodeState::kAlive;
  e.last_seen = Clock::now();
  e.alive = true;
  spdlog::info("a node joined from {} as index {}", e.record.address, e.record.index);
  return e.record.index;
}

bool NodeTable::Report(ConnId conn, NodeRecord record) {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end() || !it->second.alive) return false;
  Entry& e = it->second;
  // The node names itself in its reports (its first one arrives right after
  // joining); the head fixes its index and address.
  if (e.record.id.IsNil()) {
    spdlog::info("node {} at {} reports {}", record.id.Hex(), e.record.address,
                 record.total.ToString());
  }
  record.index = e.record.index;
  record.address = e.record.address;
  // A draining node says so itself; the head never undoes it.
  if (e.record.state == NodeState::kDraining) record.state = NodeState::kDraining;
  if (record.state != NodeState::kDraining) record.state = NodeState::kAlive;
  e.record = std::move(record);
  e.last_seen = Clock::now();
  state_->UpsertNode(e.record);
  return true;
}

void NodeTable::MarkDead(Entry& e, const std::string& reason) {
  e.alive = false;
  // A drained node leaving is the end of its drain, not a failure.
  e.record.state = e.record.state == NodeState::kDraining ? NodeState::kDrained : NodeState::kDead;
  e.record.used = ResourceSet();
  e.record.pending.clear();
  e.record.workers = WorkerStats();
  if (!e.record.id.IsNil()) {  // never reported: nothing listed
    state_->UpsertNode(e.record);
    dead_since_[e.record.id] = Clock::now();
  }
  spdlog::warn("node {} ({}) is dead: {}", e.record.id.Hex(), e.record.address, reason);
}

bool NodeTable::Lost(ConnId conn, const std::string& reason) {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end()) return false;
  if (it->second.alive) MarkDead(it->second, "its connection to the head closed (" + reason + ")");
  by_conn_.erase(it);
  return true;
}

std::vector<NodeTable::ConnId> NodeTable::Expire(Clock::time_point now) {
  for (auto it = dead_since_.begin(); it != dead_since_.end();) {
    if (now - it->second < retention_) {
      ++it;
      continue;
    }
    state_->RemoveNode(it->first);
    it = dead_since_.erase(it);
  }
  std::vector<ConnId> dead;
  for (auto& [conn, e] : by_conn_) {
    if (!e.alive || now - e.last_seen <= timeout_) continue;
    MarkDead(e, "no heartbeat for " + std::to_string(timeout_.count()) + " ms");
    dead.push_back(conn);
  }
  return dead;
}

NodeTable::ConnId NodeTable::StartDrain(const NodeId& node) {
  for (auto& [conn, e] : by_conn_) {
    if (!e.alive || e.record.id != node) continue;
    e.record.state = NodeState::kDraining;
    state_->UpsertNode(e.record);
    return conn;
  }
  return ConnId::kNone;
}

std::vector<NodeTable::ConnId> NodeTable::AliveConnections() const {
  std::vector<ConnId> out;
  for (const auto& [conn, e] : by_conn_) {
    if (e.alive) out.push_back(conn);
  }
  return out;
}

}  // namespace strata::head
