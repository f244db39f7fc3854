// The autoscaler's rounds: read the cluster's status (nodes, their types and
// instance ids, pending and infeasible demand), match nodes to the provider's
// instances, plan (planner.h), launch, drain idle nodes and terminate them
// once drained, and notice nodes that never came up (retried, then the type
// is paused and reported — never a launch loop). Runs in its own process,
// `strata autoscaler`, which `strata up` starts beside the head; it talks to
// the head like the CLI does.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "autoscaler/cluster_config.h"
#include "autoscaler/node_provider.h"
#include "autoscaler/planner.h"
#include "rpc/cluster_messages.h"

namespace strata::autoscaler {

class Autoscaler {
 public:
  using Clock = std::chrono::steady_clock;
  struct Hooks {
    std::function<void(const NodeId& node, double deadline_s)> drain;
  };
  // A type whose nodes failed to start this many times in a row is paused.
  static constexpr int kMaxStartFailures = 3;
  static constexpr auto kPause = std::chrono::minutes(5);

  Autoscaler(ClusterConfig config, NodeProvider* provider, Hooks hooks);

  // One round on the head's cluster status. Returns the report the head
  // shows in `strata status`.
  rpc::AutoscalerReport RunOnce(const rpc::ClusterStatus& status, Clock::time_point now);

 private:
  void Pause(const std::string& type, const std::string& why, Clock::time_point now);
  // A node of `type` did not come up: counted, and the type paused when it
  // keeps happening.
  void StartFailed(const std::string& type, const std::string& why, Clock::time_point now,
                   std::vector<std::string>* events);

  ClusterConfig config_;
  NodeProvider* provider_;
  Hooks hooks_;
  struct Launched {
    Clock::time_point at;
    std::string type;
  };
  std::map<InstanceId, Launched> launched_;  // instances asked for, not joined yet
  std::map<NodeId, Clock::time_point> idle_since_;        // node -> since
  std::map<std::string, int> start_failures_;             // node type -> in a row
  std::map<std::string, std::pair<Clock::time_point, std::string>> paused_;  // until, why
  std::set<NodeId> drain_sent_;
  std::string last_action_;
  int64_t last_action_unix_ = 0;
  rpc::AutoscalerCounters counters_;  // since this autoscaler started
};

}  // namespace strata::autoscaler
