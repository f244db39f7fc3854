// Nodes as processes on this machine: each "instance" is a node agent
// (`strata start --address HEAD --block`) advertising its node type's
// resources, however many cores the machine really has. For laptops, demos
// and tests: the 160 → 480 CPU exercise runs on two cores this way.
#pragma once

#include <sys/types.h>

#include "autoscaler/node_provider.h"

namespace strata::autoscaler {

class LocalProvider : public NodeProvider {
 public:
  LocalProvider(ClusterConfig config, ProviderContext context);
  Status Launch(const NodeTypeConfig& type, int count, std::vector<InstanceId>* started) override;
  void Terminate(const std::vector<InstanceId>& ids) override;
  std::vector<Instance> NonTerminated() override;

 private:
  // One record per instance in <state_dir>/instances: "<pid> <node type>",
  // so that `strata down` and a restarted autoscaler find them.
  std::string RecordPath(const std::string& id) const;

  ClusterConfig config_;
  ProviderContext context_;
};

}  // namespace strata::autoscaler
