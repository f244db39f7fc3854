#include "rpc/cluster_messages.h"

namespace strata::rpc {

const char* NodeStateName(NodeState state) {
  switch (state) {
    case NodeState::kAlive: return "ALIVE";
    case NodeState::kDraining: return "DRAINING";
    case NodeState::kDrained: return "DRAINED";
    case NodeState::kDead: return "DEAD";
  }
  return "UNKNOWN";
}

const char* PipelineStateName(PipelineState state) {
  switch (state) {
    case PipelineState::kRunning: return "RUNNING";
    case PipelineState::kSucceeded: return "SUCCEEDED";
    case PipelineState::kFailed: return "FAILED";
    case PipelineState::kLost: return "LOST";
  }
  return "UNKNOWN";
}

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kRunning: return "RUNNING";
    case JobState::kFinished: return "FINISHED";
    case JobState::kSucceeded: return "SUCCEEDED";
    case JobState::kFailed: return "FAILED";
    case JobState::kStopped: return "STOPPED";
  }
  return "UNKNOWN";
}

namespace {
template <class Pick>
ResourceSet SumAlive(const ClusterStatus& status, Pick pick) {
  ResourceSet sum;
  for (const NodeRecord& n : status.nodes) {
    if (n.state == NodeState::kAlive) sum.Add(pick(n));
  }
  return sum;
}

template <class Pick>
std::map<ResourceSet, int64_t> DemandsOfAlive(const ClusterStatus& status, Pick pick) {
  std::map<ResourceSet, int64_t> sum;
  for (const NodeRecord& n : status.nodes) {
    if (n.state != NodeState::kAlive) continue;
    for (const auto& [shape, count] : pick(n)) sum[shape] += count;
  }
  return sum;
}
}  // namespace

ResourceSet AliveTotal(const ClusterStatus& status) {
  return SumAlive(status, [](const NodeRecord& n) { return n.total; });
}

ResourceSet AliveUsed(const ClusterStatus& status) {
  return SumAlive(status, [](const NodeRecord& n) { return n.used; });
}

std::map<ResourceSet, int64_t> PendingDemands(const ClusterStatus& status) {
  return DemandsOfAlive(status, [](const NodeRecord& n) -> const auto& { return n.pending; });
}

std::map<ResourceSet, int64_t> InfeasibleDemands(const ClusterStatus& status) {
  return DemandsOfAlive(status, [](const NodeRecord& n) -> const auto& { return n.infeasible; });
}

}  // namespace strata::rpc
