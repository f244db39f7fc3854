// One autoscaling decision: given the nodes (running and launching), the
// demand nobody could place yet, and the cluster file, which nodes to launch
// and which idle ones to let go. A pure function of its inputs, so it is
// tested and benchmarked without any process running.
//
// Demand is bin-packed onto free capacity first (launching nodes count as
// free), then onto new nodes of the type that is cheapest per unit of that
// demand (price_per_hour / how many copies of the shape one node holds), so
// work that does not care which machine it runs on lands on the cheaper one.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "autoscaler/cluster_config.h"
#include "common/instance_id.h"
#include "common/resources.h"
#include "strata/internal/ids.h"

namespace strata::autoscaler {

struct NodeState {
  NodeId node_id;           // Nil while launching
  InstanceId instance_id;  // the provider's id
  std::string node_type;
  ResourceSet total;
  ResourceSet available;    // total minus what is in use
  bool head = false;
  bool launching = false;   // asked for, not joined yet
  bool draining = false;
  double idle_seconds = 0;  // how long nothing has used it (0: busy now)
};

struct Plan {
  std::map<std::string, int> launch;          // node type -> how many to start
  std::vector<NodeId> drain;                  // nodes idle past the timeout
  std::map<ResourceSet, int64_t> infeasible;  // no node type can ever hold these
  std::map<ResourceSet, int64_t> waiting;     // could be held, but limits say not now
  std::string reason;                         // why, in a sentence
  double cost_per_hour = 0;                   // of the nodes running or launching
};

// `paused`: node types not to launch now (they recently failed to start or
// had no capacity).
Plan PlanRound(const ClusterConfig& config, const std::vector<NodeState>& nodes,
               const std::map<ResourceSet, int64_t>& demand, const std::set<std::string>& paused);

// How many copies of `shape` fit in `capacity` (a large number for an empty shape).
int64_t CopiesThatFit(const ResourceSet& shape, const ResourceSet& capacity);

}  // namespace strata::autoscaler
