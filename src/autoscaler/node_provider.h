// Where nodes come from. The autoscaler asks a provider to start and stop
// machines of a node type; the machine's node agent then joins the head by
// itself, carrying its node type and instance id, which is how the
// autoscaler matches nodes to instances.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autoscaler/cluster_config.h"
#include "common/instance_id.h"
#include "common/status.h"

namespace strata::autoscaler {

struct Instance {
  InstanceId id;
  std::string node_type;
  std::string state;  // "pending", "running" (the provider's view, not the node's)
};

class NodeProvider {
 public:
  virtual ~NodeProvider() = default;
  // Starts up to `count` nodes of `type`; `started` gets the ids of those
  // started. When fewer than asked, the error says why (no capacity
  // (ResourceExhausted), a refused request, ...).
  virtual Status Launch(const NodeTypeConfig& type, int count, std::vector<InstanceId>* started) = 0;
  virtual void Terminate(const std::vector<InstanceId>& ids) = 0;
  // Every instance of this cluster that is not terminated.
  virtual std::vector<Instance> NonTerminated() = 0;
};

// What a provider needs besides the cluster file.
struct ProviderContext {
  std::string head_address;  // host:port nodes join
  std::string token;         // the cluster token nodes present
  std::string state_dir;     // where a provider keeps its records
  std::string strata_binary; // the `strata` executable (local provider)
};

// Which provider a cluster file's `provider.type` names is decided where
// they are all known: cli/providers.cc (MakeProvider).

}  // namespace strata::autoscaler
