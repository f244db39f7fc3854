#include "head/status_report.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>

namespace strata::head {

using nlohmann::json;

namespace {

json ResourcesJson(const ResourceSet& r) {
  json j = json::object();
  for (const auto& [name, v] : r.ToDoubles()) j[name] = v;
  return j;
}

json DemandsJson(const std::map<ResourceSet, int64_t>& demands) {
  json list = json::array();
  for (const auto& [shape, count] : demands) {
    list.push_back({{"shape", ResourcesJson(shape)}, {"count", count}});
  }
  return list;
}

std::string Amount(const std::string& name, double v) {
  char buf[64];
  if (name == "memory" || name == "object_store_memory") {
    std::snprintf(buf, sizeof(buf), "%.2f GiB", v / (1024.0 * 1024 * 1024));
  } else if (v == static_cast<int64_t>(v)) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f", v);
  }
  return buf;
}

std::string Bytes(double v) {
  char buf[64];
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  std::snprintf(buf, sizeof(buf), "%.2f %s", v, units[u]);
  return buf;
}

std::string ShapeText(const ResourceSet& shape) {
  std::string s = "{";
  for (const auto& [name, v] : shape.ToDoubles()) {
    if (s.size() > 1) s += ", ";
    s += "'" + name + "': " + Amount(name, v);
  }
  return s + "}";
}

std::string AutoscalerText(const rpc::AutoscalerReport& a) {
  char line[256];
  std::string t = "\nAutoscaler (" + a.cluster_name + ", provider " + a.provider +
                  ")\n--------------------------------------------------------\n";
  std::snprintf(line, sizeof(line), " %-16s %8s %10s %6s %8s %8s\n", "node type", "running",
                "launching", "idle", "min-max", "$/hour");
  t += line;
  for (const rpc::AutoscalerNodeType& n : a.node_types) {
    const std::string range = std::to_string(n.min_workers) + "-" + std::to_string(n.max_workers);
    std::snprintf(line, sizeof(line), " %-16s %8d %10d %6d %8s %8.3f%s\n", n.name.c_str(),
                  n.running, n.launching, n.idle, range.c_str(), n.price_per_hour,
                  n.paused.empty() ? "" : "  PAUSED");
    t += line;
    if (!n.paused.empty()) t += "   paused: " + n.paused + "\n";
  }
  std::snprintf(line, sizeof(line), " cost now: $%.2f/hour\n", a.cost_per_hour);
  t += line;
  t += " last action: " + (a.last_action.empty() ? std::string("none yet") : a.last_action) + "\n";
  return t;
}

json AutoscalerJson(const rpc::AutoscalerReport& a) {
  json types = json::object();
  for (const rpc::AutoscalerNodeType& n : a.node_types) {
    json& t = types[n.name];
    t = {{"running", n.running},         {"launching", n.launching},
         {"idle", n.idle},               {"min_workers", n.min_workers},
         {"max_workers", n.max_workers}, {"price_per_hour", n.price_per_hour}};
    if (!n.paused.empty()) t["paused"] = n.paused;
  }
  return {{"cluster_name", a.cluster_name}, {"provider", a.provider},
          {"node_types", types},            {"cost_per_hour", a.cost_per_hour},
          {"last_action", a.last_action},   {"last_action_time", a.last_action_time},
          {"plan", a.plan}};
}

int64_t PendingTasks(const NodeRecord& n) {
  int64_t count = 0;
  for (const auto& [shape, c] : n.pending) count += c;
  return count;
}

json NodeJson(const NodeRecord& n) {
  return {
      {"node_id", n.id.Hex()},
      {"index", n.index},
      {"instance_id", n.instance_id.value},
      {"pending_tasks", PendingTasks(n)},
      {"node_type", n.node_type},
      {"state", rpc::NodeStateName(n.state)},
      {"address", n.address},
      {"hostname", n.hostname},
      {"arch", n.arch},
      {"resources_total", ResourcesJson(n.total)},
      {"resources_used", ResourcesJson(n.used)},
      {"resources_committed", ResourcesJson(n.committed)},
      {"tasks_finished", n.tasks_finished},
      {"object_store",
       {{"capacity_bytes", n.store.capacity_bytes},
        {"used_bytes", n.store.used_bytes},
        {"spilled_bytes", n.store.spilled_bytes},
        {"num_objects", n.store.num_objects},
        {"num_spilled", n.store.num_spilled},
        {"spill_count", n.store.spill_count},
        {"pooled_bytes", n.store.pooled_bytes},
        {"spill_error", n.store.spill_error},
        {"refused_objects", n.store.refused},
        {"spill_dir", n.spill_dir}}},
      {"workers",
       {{"total", n.workers.total},
        {"idle", n.workers.idle},
        {"busy", n.workers.busy},
        {"blocked", n.workers.blocked},
        {"actors", n.workers.actors},
        {"starting", n.workers.starting}}},
  };
}

std::string LogDir(const rpc::ClusterStatus& s) { return s.session_dir + "/logs"; }

json PipelineJson(const rpc::PipelineRecord& p) {
  json stages = json::array();
  for (const rpc::PipelineStage& st : p.stages) {
    stages.push_back({{"name", st.name},
                      {"parts_done", st.done},
                      {"parts_total", st.total},
                      {"rows", st.rows},
                      {"seconds", st.seconds},
                      {"ended", st.ended}});
  }
  json steps = json::array();
  for (const rpc::PipelineStep& st : p.steps) {
    steps.push_back({{"step", st.step},
                     {"op", st.op},
                     {"rows_in", st.rows_in},
                     {"rows_out", st.rows_out},
                     {"rows_dropped", st.row_local ? st.rows_in - st.rows_out : 0},
                     {"row_local", st.row_local},
                     {"counters", st.counters}});
  }
  return {{"job_id", p.job.Hex()},
          {"run", p.run},
          {"name", p.name},
          {"source", p.source},
          {"state", rpc::PipelineStateName(p.state)},
          {"error", p.error},
          {"start_time_ms", p.start_time_ms},
          {"seconds", p.seconds},
          {"rows_read", p.rows_read},
          {"bytes_read", p.bytes_read},
          {"rows_written", p.rows_written},
          {"rows_per_second", p.seconds > 0 ? static_cast<double>(p.rows_read) / p.seconds : 0.0},
          {"stages", stages},
          {"steps", steps}};
}

}  // namespace

rpc::ClusterStatus BuildStatus(const ClusterState& state, const std::string& session_dir,
                               const std::optional<rpc::AutoscalerReport>& autoscaler) {
  rpc::ClusterStatus out;
  out.session_dir = session_dir;
  out.time = static_cast<int64_t>(std::time(nullptr));
  out.nodes = state.Nodes();
  out.jobs = state.Jobs();
  out.autoscaler = autoscaler;
  return out;
}

json StatusJson(const rpc::ClusterStatus& s) {
  json out;
  out["session_dir"] = s.session_dir;
  out["log_dir"] = LogDir(s);
  out["time"] = s.time;
  json nodes = json::array();
  for (const NodeRecord& n : s.nodes) nodes.push_back(NodeJson(n));
  out["nodes"] = nodes;
  out["totals"] = {{"resources_total", ResourcesJson(rpc::AliveTotal(s))},
                   {"resources_used", ResourcesJson(rpc::AliveUsed(s))}};
  out["pending_demands"] = DemandsJson(rpc::PendingDemands(s));
  out["infeasible_demands"] = DemandsJson(rpc::InfeasibleDemands(s));
  json jobs = json::array();
  for (const JobRecord& j : s.jobs) {
    jobs.push_back({{"job_id", j.id.Hex()},
                    {"driver_pid", j.driver_pid},
                    {"executable", j.executable},
                    {"state", rpc::JobStateName(j.state)},
                    {"start_time_ms", j.start_time_ms},
                    {"end_time_ms", j.end_time_ms}});
  }
  out["jobs"] = jobs;
  json pipelines = json::array();
  for (const rpc::PipelineRecord& p : s.pipelines) pipelines.push_back(PipelineJson(p));
  out["pipelines"] = pipelines;
  if (s.autoscaler) out["autoscaler"] = AutoscalerJson(*s.autoscaler);
  return out;
}

std::string RenderStatusText(const rpc::ClusterStatus& s) {
  std::string t;
  char stamp[64];
  std::time_t now = s.time != 0 ? s.time : std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  t += "======== Cluster status: " + std::string(stamp) + " ========\n";
  t += "Node status\n--------------------------------------------------------\n";
  std::map<std::string, int> healthy;
  // Nodes that left on request (drained, then terminated) are not failures;
  // both kinds are listed until the head's retention period forgets them.
  std::map<std::string, std::vector<std::string>> gone;  // heading -> nodes
  for (const NodeRecord& n : s.nodes) {
    const std::string name = n.node_type + " " + n.id.Hex();
    switch (n.state) {
      case NodeState::kAlive: healthy[n.node_type]++; break;
      case NodeState::kDraining: gone["Draining"].push_back(name); break;
      case NodeState::kDrained: gone["Terminated (drained)"].push_back(name); break;
      case NodeState::kDead: gone["Dead"].push_back(name); break;
    }
  }
  t += "Healthy:\n";
  for (const auto& [type, c] : healthy) t += " " + std::to_string(c) + " " + type + "\n";
  for (const auto& [heading, names] : gone) {
    t += heading + ":\n";
    for (const auto& name : names) t += " " + name + "\n";
  }
  t += "\nResources\n--------------------------------------------------------\nUsage:\n";
  const auto used = rpc::AliveUsed(s).ToDoubles();
  for (const auto& [name, total] : rpc::AliveTotal(s).ToDoubles()) {
    if (name == "object_store_memory") continue;  // shown with spilling below
    const auto u = used.find(name);
    t += " " + Amount(name, u == used.end() ? 0.0 : u->second) + "/" + Amount(name, total) + " " +
         name + "\n";
  }
  uint64_t store_used = 0, store_cap = 0, spilled = 0;
  for (const NodeRecord& n : s.nodes) {
    store_used += n.store.used_bytes;
    store_cap += n.store.capacity_bytes;
    spilled += n.store.spilled_bytes;
  }
  t += " " + Bytes(static_cast<double>(store_used)) + "/" + Bytes(static_cast<double>(store_cap)) +
       " object_store_memory (" + Bytes(static_cast<double>(spilled)) + " spilled)\n";
  for (const NodeRecord& n : s.nodes) {
    if (n.store.spill_error.empty()) continue;
    t += " SPILL FAILING on " + n.id.Hex().substr(4, 8) + " (" + n.spill_dir + "): " + n.store.spill_error +
         "; " + std::to_string(n.store.refused) + " objects refused (ObjectStoreFullError)\n";
  }
  t += "\nDemands:\n";
  const auto pending = rpc::PendingDemands(s);
  const auto infeasible = rpc::InfeasibleDemands(s);
  if (pending.empty() && infeasible.empty()) t += " (no resource demands)\n";
  for (const auto& [shape, count] : pending) {
    t += " " + ShapeText(shape) + ": " + std::to_string(count) + " pending tasks/actors\n";
  }
  for (const auto& [shape, count] : infeasible) {
    t += " " + ShapeText(shape) + ": " + std::to_string(count) +
         " infeasible (no node has these resources)\n";
  }
  t += "\nWorkers\n--------------------------------------------------------\n";
  for (const NodeRecord& n : s.nodes) {
    if (n.state == NodeState::kDead || n.state == NodeState::kDrained) continue;
    const WorkerStats& w = n.workers;
    t += " " + n.id.Hex().substr(4, 8) + " (" + n.node_type + ", " + n.arch + ", " + n.address +
         "): " + std::to_string(w.total) + " workers, " + std::to_string(w.busy) + " busy, " +
         std::to_string(w.idle) + " idle, " + std::to_string(w.actors) + " actors; " +
         std::to_string(n.tasks_finished) + " tasks finished\n";
  }
  int running = 0;
  for (const JobRecord& j : s.jobs) running += j.state == rpc::JobState::kRunning;
  t += "\nJobs: " + std::to_string(running) + " running, " + std::to_string(s.jobs.size()) +
       " total\n";
  for (const rpc::PipelineRecord& p : s.pipelines) {
    if (p.state != rpc::PipelineState::kRunning) continue;
    std::string stage;
    for (const rpc::PipelineStage& st : p.stages) {
      if (st.ended) continue;
      stage = ": " + st.name + " " + std::to_string(st.done) +
              (st.total > 0 ? "/" + std::to_string(st.total) : std::string()) + " parts";
    }
    t += " pipeline " + p.name + " (job " + p.job.Short() + ")" + stage + ", " + std::to_string(p.rows_read) +
         " rows read\n";
  }
  if (s.autoscaler) t += AutoscalerText(*s.autoscaler);
  t += "Logs: " + LogDir(s) + "\n";
  return t;
}

}  // namespace strata::head
