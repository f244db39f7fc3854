#include "rpc/cluster_messages.h"
#include "rpc/messages.h"

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

}  // namespace strata::rpc
