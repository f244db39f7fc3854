// The autoscaler process's loop: every round, read the cluster's status from
// the head, run one Autoscaler round, hand the head its report, and drain
// what the round chose. The head is reached through HeadLink, so the loop
// runs the same against the real head (`strata autoscaler`, over the CLI's
// connection) and against a fake in tests.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "autoscaler/cluster_config.h"
#include "autoscaler/node_provider.h"
#include "rpc/cluster_messages.h"

namespace strata::autoscaler {

class HeadLink {
 public:
  virtual ~HeadLink() = default;
  // The cluster status (nullopt: the reply did not decode, and the round is
  // skipped); an error once the head cannot be reached.
  virtual Result<std::optional<rpc::ClusterStatus>> Poll() = 0;
  virtual Status Drain(const NodeId& node, double deadline_s) = 0;
  // What `strata status` shows under "Autoscaler".
  virtual void Report(const rpc::AutoscalerReport& report) = 0;
};

// Runs rounds `period` apart until `stop` is set (0) or the head is lost (1).
int RunAutoscalerLoop(const ClusterConfig& config, NodeProvider* provider, HeadLink* head,
                      const std::atomic<bool>& stop, std::chrono::milliseconds period);

}  // namespace strata::autoscaler
