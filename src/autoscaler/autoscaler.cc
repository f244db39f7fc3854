#include "autoscaler/autoscaler.h"

#include <ctime>

#include <spdlog/spdlog.h>

namespace strata::autoscaler {

namespace {
constexpr double kDrainDeadlineS = 120;

}  // namespace

Autoscaler::Autoscaler(ClusterConfig config, NodeProvider* provider, Hooks hooks)
    : config_(std::move(config)), provider_(provider), hooks_(std::move(hooks)) {}

void Autoscaler::Pause(const std::string& type, const std::string& why, Clock::time_point now) {
  paused_[type] = {now + kPause, why};
  spdlog::warn("autoscaler: pausing node type {} for {} s: {}", type,
               std::chrono::duration_cast<std::chrono::seconds>(kPause).count(), why);
}

void Autoscaler::StartFailed(const std::string& type, const std::string& why,
                             Clock::time_point now, std::vector<std::string>* events) {
  const int failures = ++start_failures_[type];
  ++counters_.failures;
  spdlog::warn("autoscaler: {} ({} in a row)", why, failures);
  events->push_back(why);
  if (failures >= kMaxStartFailures && paused_.count(type) == 0) {
    Pause(type, why + "; " + std::to_string(failures) + " failed starts in a row", now);
  }
}

rpc::AutoscalerReport Autoscaler::RunOnce(const rpc::ClusterStatus& status, Clock::time_point now) {
  std::vector<NodeState> nodes;
  std::set<InstanceId> joined_instances;
  std::vector<InstanceId> to_terminate;
  std::vector<std::string> events;
  for (const rpc::NodeRecord& n : status.nodes) {
    const NodeId& id = n.id;
    if (!n.instance_id.empty()) joined_instances.insert(n.instance_id);
    if (n.state != rpc::NodeState::kAlive && n.state != rpc::NodeState::kDraining) {
      // DEAD or DRAINED: its machine is of no use any more.
      if (!n.instance_id.empty()) to_terminate.push_back(n.instance_id);
      idle_since_.erase(id);
      continue;
    }
    NodeState s;
    s.node_id = id;
    s.instance_id = n.instance_id;
    s.node_type = n.node_type;
    s.head = n.index == NodeIndex::kHead;
    s.draining = n.state == rpc::NodeState::kDraining;
    s.total = n.total;
    s.available = s.total;
    s.available.Subtract(n.used);
    s.available.Subtract(n.committed);
    int64_t queued = 0;
    for (const auto& [shape, count] : n.pending) queued += count;
    const bool idle = n.used.GetFixed("CPU") == 0 && queued == 0 && n.workers.actors == 0;
    if (idle) {
      auto [it, fresh] = idle_since_.emplace(id, now);
      s.idle_seconds = std::chrono::duration<double>(now - it->second).count();
    } else {
      idle_since_.erase(id);
    }
    nodes.push_back(s);
  }

  // Instances asked for but not (yet) a node.
  const std::vector<Instance> instances = provider_->NonTerminated();
  std::set<InstanceId> live;
  for (const Instance& inst : instances) live.insert(inst.id);
  for (auto it = launched_.begin(); it != launched_.end();) {
    if (live.count(it->first) != 0) {
      ++it;
      continue;
    }
    StartFailed(it->second.type,
                "a " + it->second.type + " node (" + it->first.value + ") ended before it joined", now,
                &events);
    it = launched_.erase(it);
  }
  for (const Instance& inst : instances) {
    if (joined_instances.count(inst.id) != 0) {
      if (launched_.erase(inst.id) != 0) start_failures_[inst.node_type] = 0;
      continue;
    }
    // A restarted autoscaler starts the clock for what it finds.
    auto [it, fresh] = launched_.emplace(inst.id, Launched{now, inst.node_type});
    const double waited = std::chrono::duration<double>(now - it->second.at).count();
    auto type = config_.node_types.find(inst.node_type);
    if (type == config_.node_types.end()) continue;  // not ours to judge
    if (waited > config_.launch_timeout_s) {
      StartFailed(inst.node_type,
                  "a " + inst.node_type + " node (" + inst.id.value + ") did not join within " +
                      std::to_string(static_cast<int>(config_.launch_timeout_s)) + " s",
                  now, &events);
      to_terminate.push_back(inst.id);
      launched_.erase(it);
      continue;
    }
    NodeState s;
    s.instance_id = inst.id;
    s.node_type = inst.node_type;
    s.launching = true;
    s.total = ResourceSet::FromDoubles(type->second.resources);
    s.available = s.total;
    nodes.push_back(s);
  }
  if (!to_terminate.empty()) provider_->Terminate(to_terminate);
  counters_.terminations += static_cast<int64_t>(to_terminate.size());

  std::set<std::string> paused;
  for (auto it = paused_.begin(); it != paused_.end();) {
    if (it->second.first <= now) {
      start_failures_[it->first] = 0;
      it = paused_.erase(it);
    } else {
      paused.insert(it->first);
      ++it;
    }
  }
  std::map<ResourceSet, int64_t> demand = rpc::PendingDemands(status);
  for (const auto& [shape, count] : rpc::InfeasibleDemands(status)) demand[shape] += count;

  Plan plan = PlanRound(config_, nodes, demand, paused);
  for (const auto& [type_name, count] : plan.launch) {
    std::vector<InstanceId> ids;
    const Status launched = provider_->Launch(config_.node_types.at(type_name), count, &ids);
    for (const InstanceId& id : ids) launched_[id] = Launched{now, type_name};
    counters_.launches += static_cast<int64_t>(ids.size());
    spdlog::info("autoscaler: launched {} of {} {} node(s)", ids.size(), count, type_name);
    if (static_cast<int>(ids.size()) < count) {
      const std::string error = launched.ok() ? "fewer started than asked" : launched.message();
      events.push_back("launching " + type_name + " failed: " + error);
      ++counters_.failures;
      Pause(type_name, error, now);
    }
  }
  for (const NodeId& id : plan.drain) {
    if (!drain_sent_.insert(id).second) continue;
    spdlog::info("autoscaler: draining idle node {}", id.Hex());
    if (hooks_.drain) hooks_.drain(id, kDrainDeadlineS);
    ++counters_.drains;
  }
  if (!plan.launch.empty() || !plan.drain.empty() || !events.empty()) {
    std::string action;
    for (const auto& [t, c] : plan.launch) action += (action.empty() ? "" : ", ") + ("launch " + std::to_string(c) + " × " + t);
    if (!plan.drain.empty()) {
      action += (action.empty() ? "" : ", ") + ("drain " + std::to_string(plan.drain.size()) + " idle node(s)");
    }
    for (const std::string& e : events) action += (action.empty() ? "" : "; ") + e;
    last_action_ = action + (plan.reason.empty() ? "" : " — because: " + plan.reason);
    last_action_unix_ = static_cast<int64_t>(std::time(nullptr));
    spdlog::info("autoscaler: {}", last_action_);
  }

  rpc::AutoscalerReport report;
  for (const auto& [name, t] : config_.node_types) {
    rpc::AutoscalerNodeType type;
    type.name = name;
    for (const NodeState& n : nodes) {
      if (n.node_type != name) continue;
      (n.launching ? type.launching : type.running)++;
      type.idle += !n.launching && n.idle_seconds > 0;
    }
    for (const auto& [type_name, count] : plan.launch) {
      if (type_name == name) type.launching += count;
    }
    type.min_workers = t.min_workers;
    type.max_workers = t.max_workers;
    type.price_per_hour = t.price_per_hour;
    if (auto p = paused_.find(name); p != paused_.end()) type.paused = p->second.second;
    report.node_types.push_back(std::move(type));
  }
  report.cluster_name = config_.cluster_name;
  report.provider = config_.provider.type;
  report.cost_per_hour = plan.cost_per_hour;
  report.last_action = last_action_;
  report.last_action_time = last_action_unix_;
  report.plan = plan.reason;
  report.counters = counters_;
  return report;
}

}  // namespace strata::autoscaler
