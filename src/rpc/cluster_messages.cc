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

}  // namespace strata::rpc
