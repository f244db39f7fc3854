#include "dashboard/prometheus_text.h"

#include <cstdio>
#include <map>
#include <vector>

namespace strata::dashboard {

namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

class Writer {
 public:
  // A family: its HELP and TYPE lines come before its first sample.
  void Family(const char* name, const char* type, const char* help) {
    text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    name_ = name;
  }
  void Sample(const Labels& labels, double value) {
    text_ += name_;
    if (!labels.empty()) {
      text_ += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) text_ += ',';
        text_ += labels[i].first + "=\"" + Escape(labels[i].second) + "\"";
      }
      text_ += '}';
    }
    char v[64];
    std::snprintf(v, sizeof v, " %.17g\n", value);
    text_ += v;
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
  std::string name_;
};

double Cpus(const ResourceSet& r) {
  const auto d = r.ToDoubles();
  const auto it = d.find("CPU");
  return it == d.end() ? 0.0 : it->second;
}

}  // namespace

std::string PrometheusText(const rpc::ClusterStatus& s, int64_t autoscaler_actions) {
  Writer w;
  std::map<std::pair<std::string, std::string>, int> nodes;  // (state, type) -> count
  for (const rpc::NodeRecord& n : s.nodes) ++nodes[{rpc::NodeStateName(n.state), n.node_type}];
  w.Family("strata_nodes", "gauge", "Nodes the head knows, by state and node type.");
  for (const auto& [key, count] : nodes) w.Sample({{"state", key.first}, {"node_type", key.second}}, count);

  w.Family("strata_resources_total", "gauge", "Resources of the alive nodes.");
  for (const auto& [name, v] : rpc::AliveTotal(s).ToDoubles()) w.Sample({{"resource", name}}, v);
  w.Family("strata_resources_used", "gauge", "Resources leased by running work on the alive nodes.");
  for (const auto& [name, v] : rpc::AliveUsed(s).ToDoubles()) w.Sample({{"resource", name}}, v);

  int64_t pending = 0, infeasible = 0;
  double pending_cpus = 0;
  for (const auto& [shape, count] : rpc::PendingDemands(s)) {
    pending += count;
    pending_cpus += Cpus(shape) * static_cast<double>(count);
  }
  for (const auto& [shape, count] : rpc::InfeasibleDemands(s)) infeasible += count;
  int busy = 0, idle = 0, blocked = 0, actors = 0, starting = 0;
  for (const rpc::NodeRecord& n : s.nodes) {
    if (n.state != rpc::NodeState::kAlive) continue;
    busy += n.workers.busy, idle += n.workers.idle, blocked += n.workers.blocked;
    actors += n.workers.actors, starting += n.workers.starting;
  }
  w.Family("strata_tasks", "gauge", "Tasks now: queued for resources, running, or asking for more than any node has.");
  w.Sample({{"state", "pending"}}, static_cast<double>(pending));
  w.Sample({{"state", "running"}}, busy);
  w.Sample({{"state", "infeasible"}}, static_cast<double>(infeasible));
  w.Family("strata_pending_cpus", "gauge", "CPUs the queued tasks ask for (what the autoscaler scales on).");
  w.Sample({}, pending_cpus);
  w.Family("strata_workers", "gauge", "Worker processes on the alive nodes, by state.");
  w.Sample({{"state", "busy"}}, busy);
  w.Sample({{"state", "idle"}}, idle);
  w.Sample({{"state", "blocked"}}, blocked);
  w.Sample({{"state", "actor"}}, actors);
  w.Sample({{"state", "starting"}}, starting);

  w.Family("strata_node_tasks_finished_total", "counter", "Tasks finished on each node since it started.");
  for (const rpc::NodeRecord& n : s.nodes) w.Sample({{"node_id", n.id.Hex()}}, static_cast<double>(n.tasks_finished));
  struct StoreFamily {
    const char* name;
    const char* type;
    const char* help;
    uint64_t rpc::StoreStats::*field;
  };
  static const StoreFamily kStore[] = {
      {"strata_object_store_capacity_bytes", "gauge", "Shared memory each node's object store may use.",
       &rpc::StoreStats::capacity_bytes},
      {"strata_object_store_used_bytes", "gauge", "Bytes of objects in shared memory.", &rpc::StoreStats::used_bytes},
      {"strata_object_store_spilled_bytes", "gauge", "Bytes of objects spilled to local disk.",
       &rpc::StoreStats::spilled_bytes},
      {"strata_object_store_objects", "gauge", "Objects in the store.", &rpc::StoreStats::num_objects},
      {"strata_object_store_spills_total", "counter", "Objects spilled to disk since the node started.",
       &rpc::StoreStats::spill_count},
      {"strata_object_store_refused_total", "counter", "Objects refused (store full, spilling failing).",
       &rpc::StoreStats::refused},
  };
  for (const StoreFamily& f : kStore) {
    w.Family(f.name, f.type, f.help);
    for (const rpc::NodeRecord& n : s.nodes) {
      if (n.state == rpc::NodeState::kAlive) w.Sample({{"node_id", n.id.Hex()}}, static_cast<double>(n.store.*f.field));
    }
  }

  std::map<std::string, int> jobs;
  for (const rpc::JobRecord& j : s.jobs) ++jobs[rpc::JobStateName(j.state)];
  w.Family("strata_jobs", "gauge", "Driver jobs by state.");
  for (const auto& [state, count] : jobs) w.Sample({{"state", state}}, count);

  if (s.autoscaler) {
    w.Family("strata_autoscaler_nodes", "gauge", "Nodes the autoscaler manages, by node type and state.");
    for (const rpc::AutoscalerNodeType& t : s.autoscaler->node_types) {
      w.Sample({{"node_type", t.name}, {"state", "running"}}, t.running);
      w.Sample({{"node_type", t.name}, {"state", "launching"}}, t.launching);
      w.Sample({{"node_type", t.name}, {"state", "idle"}}, t.idle);
    }
    w.Family("strata_autoscaler_paused", "gauge", "1 where launching a node type is paused (quota, capacity, failures).");
    for (const rpc::AutoscalerNodeType& t : s.autoscaler->node_types) w.Sample({{"node_type", t.name}}, t.paused.empty() ? 0 : 1);
    w.Family("strata_cost_per_hour_dollars", "gauge", "What the running nodes cost per hour.");
    w.Sample({}, s.autoscaler->cost_per_hour);
    w.Family("strata_autoscaler_actions_total", "counter", "Autoscaler actions (launches, terminations) seen by the head.");
    w.Sample({}, static_cast<double>(autoscaler_actions));
  }
  return w.Take();
}

}  // namespace strata::dashboard
