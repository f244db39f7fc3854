// The head's view of the cluster: nodes, jobs, and what each node reports of
// its resources, store, workers and unmet demand.
//
// Kept in memory behind an interface so that a persistent implementation (for
// a head that survives a restart) can replace it without touching callers.
//
// Thread-safety: not thread-safe; the head uses it from its event loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/resources.h"
#include "rpc/cluster_messages.h"
#include "rpc/messages.h"
#include "strata/serialization.h"
#include "strata/internal/ids.h"

namespace strata::head {

// The wire messages are rows of the head's table too.
using rpc::NodeRecord;
using rpc::NodeState;
using rpc::StoreStats;
using rpc::WorkerStats;
using rpc::JobRecord;

class ClusterState {
 public:
  virtual ~ClusterState() = default;
  virtual void UpsertNode(const NodeRecord& node) = 0;
  virtual void RemoveNode(const NodeId& id) = 0;
  virtual void UpsertJob(const JobRecord& job) = 0;
  virtual std::vector<NodeRecord> Nodes() const = 0;
  virtual std::vector<JobRecord> Jobs() const = 0;
};

std::unique_ptr<ClusterState> NewInMemoryClusterState();

}  // namespace strata::head
