#include "autoscaler/autoscaler.h"

#include <ctime>

#include <spdlog/spdlog.h>

namespace strata::autoscaler {

namespace {
constexpr double kDrainDeadlineS = 120;

ResourceSet FromJson(const nlohmann::json& j) {
  std::map<std::string, double> m;
  for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = it.value().get<double>();
  return ResourceSet::FromDoubles(m);
}
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
  spdlog::warn("autoscaler: {} ({} in a row)", why, failures);
  events->push_back(why);
  if (failures >= kMaxStartFailures && paused_.count(type) == 0) {
    Pause(type, why + "; " + std::to_string(failures) + " failed starts in a row", now);
  }
}

nlohmann::json Autoscaler::RunOnce(const nlohmann::json& status, Clock::time_point now) {
  std::vector<NodeState> nodes;
  std::map<std::string, const nlohmann::json*> node_of_instance;
  std::vector<std::string> to_terminate;
  std::vector<std::string> events;
  for (const auto& n : status["nodes"]) {
    const std::string instance = n.value("instance_id", "");
    const std::string state = n["state"];
    const std::string id = n["node_id"];
    if (!instance.empty()) node_of_instance[instance] = &n;
    if (state != "ALIVE" && state != "DRAINING") {
      // DEAD or DRAINED: its machine is of no use any more.
      if (!instance.empty()) to_terminate.push_back(instance);
      idle_since_.erase(id);
      continue;
    }
    NodeState s;
    s.node_id = id;
    s.instance_id = instance;
    s.node_type = n["node_type"];
    s.head = n.value("index", 1) == 0;
    s.draining = state == "DRAINING";
    s.total = FromJson(n["resources_total"]);
    s.available = s.total;
    s.available.Subtract(FromJson(n["resources_used"]));
    if (n.contains("resources_committed")) s.available.Subtract(FromJson(n["resources_committed"]));
    const bool idle = FromJson(n["resources_used"]).GetFixed("CPU") == 0 &&
                      n.value("pending_tasks", int64_t{0}) == 0 &&
                      n["workers"].value("actors", 0) == 0;
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
  std::set<std::string> live;
  for (const Instance& inst : instances) live.insert(inst.id);
  for (auto it = launched_.begin(); it != launched_.end();) {
    if (live.count(it->first) != 0) {
      ++it;
      continue;
    }
    StartFailed(it->second.type,
                "a " + it->second.type + " node (" + it->first + ") ended before it joined", now,
                &events);
    it = launched_.erase(it);
  }
  for (const Instance& inst : instances) {
    auto joined = node_of_instance.find(inst.id);
    if (joined != node_of_instance.end()) {
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
                  "a " + inst.node_type + " node (" + inst.id + ") did not join within " +
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
  std::map<ResourceSet, int64_t> demand;
  for (const char* key : {"pending_demands", "infeasible_demands"}) {
    for (const auto& d : status.value(key, nlohmann::json::array())) {
      demand[FromJson(d["shape"])] += d["count"].get<int64_t>();
    }
  }

  Plan plan = PlanRound(config_, nodes, demand, paused);
  for (const auto& [type_name, count] : plan.launch) {
    std::string error;
    const auto ids = provider_->Launch(config_.node_types.at(type_name), count, &error);
    for (const std::string& id : ids) launched_[id] = Launched{now, type_name};
    spdlog::info("autoscaler: launched {} of {} {} node(s)", ids.size(), count, type_name);
    if (static_cast<int>(ids.size()) < count) {
      events.push_back("launching " + type_name + " failed: " + error);
      Pause(type_name, error, now);
    }
  }
  for (const std::string& id : plan.drain) {
    if (!drain_sent_.insert(id).second) continue;
    spdlog::info("autoscaler: draining idle node {}", id);
    if (hooks_.drain) hooks_.drain(id, kDrainDeadlineS);
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

  nlohmann::json report;
  nlohmann::json types = nlohmann::json::object();
  for (const auto& [name, t] : config_.node_types) {
    int running = 0, launching = 0, idle = 0;
    for (const NodeState& n : nodes) {
      if (n.node_type != name) continue;
      (n.launching ? launching : running)++;
      idle += !n.launching && n.idle_seconds > 0;
    }
    for (const auto& [type_name, count] : plan.launch) {
      if (type_name == name) launching += count;
    }
    types[name] = {{"running", running}, {"launching", launching}, {"idle", idle},
                   {"min_workers", t.min_workers}, {"max_workers", t.max_workers},
                   {"price_per_hour", t.price_per_hour}};
    if (auto p = paused_.find(name); p != paused_.end()) types[name]["paused"] = p->second.second;
  }
  report["cluster_name"] = config_.cluster_name;
  report["provider"] = config_.provider.type;
  report["node_types"] = types;
  report["cost_per_hour"] = plan.cost_per_hour;
  report["last_action"] = last_action_;
  report["last_action_time"] = last_action_unix_;
  report["plan"] = plan.reason;
  return report;
}

}  // namespace strata::autoscaler
