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

std::string ShapeText(const json& shape) {
  std::string s = "{";
  bool first = true;
  for (auto it = shape.begin(); it != shape.end(); ++it) {
    if (!first) s += ", ";
    first = false;
    s += "'" + it.key() + "': " + Amount(it.key(), it.value().get<double>());
  }
  return s + "}";
}

std::string AutoscalerText(const json& a) {
  char line[256];
  std::string t = "\nAutoscaler (" + a.value("cluster_name", "") + ", provider " +
                  a.value("provider", "") + ")\n--------------------------------------------------------\n";
  std::snprintf(line, sizeof(line), " %-16s %8s %10s %6s %8s %8s\n", "node type", "running",
                "launching", "idle", "min-max", "$/hour");
  t += line;
  for (auto it = a["node_types"].begin(); it != a["node_types"].end(); ++it) {
    const json& n = it.value();
    const std::string range = std::to_string(n.value("min_workers", 0)) + "-" +
                              std::to_string(n.value("max_workers", 0));
    std::snprintf(line, sizeof(line), " %-16s %8d %10d %6d %8s %8.3f%s\n", it.key().c_str(),
                  n.value("running", 0), n.value("launching", 0), n.value("idle", 0),
                  range.c_str(), n.value("price_per_hour", 0.0),
                  n.contains("paused") ? "  PAUSED" : "");
    t += line;
    if (n.contains("paused")) t += "   paused: " + n["paused"].get<std::string>() + "\n";
  }
  std::snprintf(line, sizeof(line), " cost now: $%.2f/hour\n", a.value("cost_per_hour", 0.0));
  t += line;
  const std::string last = a.value("last_action", "");
  t += " last action: " + (last.empty() ? std::string("none yet") : last) + "\n";
  return t;
}

}  // namespace

json BuildStatusJson(const ClusterState& state, const std::string& session_dir,
                     const json& autoscaler) {
  json out;
  out["session_dir"] = session_dir;
  out["log_dir"] = session_dir + "/logs";
  out["time"] = static_cast<int64_t>(std::time(nullptr));
  json nodes = json::array();
  ResourceSet total, used;
  std::map<ResourceSet, int64_t> pending, infeasible;
  for (const NodeRecord& n : state.Nodes()) {
    int64_t pending_tasks = 0;
    for (const auto& [shape, c] : n.pending) pending_tasks += c;
    json node = {
        {"node_id", n.id.Hex()},
        {"index", n.index},
        {"instance_id", n.instance_id},
        {"pending_tasks", pending_tasks},
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
    nodes.push_back(node);
    if (n.state != NodeState::kAlive) continue;
    total.Add(n.total);
    used.Add(n.used);
    for (const auto& [shape, c] : n.pending) pending[shape] += c;
    for (const auto& [shape, c] : n.infeasible) infeasible[shape] += c;
  }
  out["nodes"] = nodes;
  out["totals"] = {{"resources_total", ResourcesJson(total)},
                   {"resources_used", ResourcesJson(used)}};
  out["pending_demands"] = DemandsJson(pending);
  out["infeasible_demands"] = DemandsJson(infeasible);
  json jobs = json::array();
  for (const JobRecord& j : state.Jobs()) {
    jobs.push_back({{"job_id", j.id.Hex()},
                    {"driver_pid", j.driver_pid},
                    {"executable", j.executable},
                    {"state", rpc::JobStateName(j.state)},
                    {"start_time_ms", j.start_time_ms},
                    {"end_time_ms", j.end_time_ms}});
  }
  out["jobs"] = jobs;
  if (!autoscaler.is_null()) out["autoscaler"] = autoscaler;
  return out;
}

std::string RenderStatusText(const json& s) {
  std::string t;
  char stamp[64];
  std::time_t now = s.value("time", static_cast<int64_t>(std::time(nullptr)));
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  t += "======== Cluster status: " + std::string(stamp) + " ========\n";
  t += "Node status\n--------------------------------------------------------\n";
  std::map<std::string, int> healthy;
  // Nodes that left on request (drained, then terminated) are not failures;
  // both kinds are listed until the head's retention period forgets them.
  std::map<std::string, std::vector<std::string>> gone;  // heading -> nodes
  for (const auto& n : s["nodes"]) {
    const std::string state = n["state"].get<std::string>();
    const std::string name = n["node_type"].get<std::string>() + " " + n["node_id"].get<std::string>();
    if (state == "ALIVE") healthy[n["node_type"].get<std::string>()]++;
    else if (state == "DRAINING") gone["Draining"].push_back(name);
    else if (state == "DRAINED") gone["Terminated (drained)"].push_back(name);
    else gone["Dead"].push_back(name);
  }
  t += "Healthy:\n";
  for (const auto& [type, c] : healthy) t += " " + std::to_string(c) + " " + type + "\n";
  for (const auto& [heading, names] : gone) {
    t += heading + ":\n";
    for (const auto& name : names) t += " " + name + "\n";
  }
  t += "\nResources\n--------------------------------------------------------\nUsage:\n";
  const json& total = s["totals"]["resources_total"];
  const json& used = s["totals"]["resources_used"];
  for (auto it = total.begin(); it != total.end(); ++it) {
    if (it.key() == "object_store_memory") continue;  // shown with spilling below
    const double u = used.contains(it.key()) ? used[it.key()].get<double>() : 0.0;
    t += " " + Amount(it.key(), u) + "/" + Amount(it.key(), it.value().get<double>()) + " " +
         it.key() + "\n";
  }
  uint64_t store_used = 0, store_cap = 0, spilled = 0;
  for (const auto& n : s["nodes"]) {
    store_used += n["object_store"]["used_bytes"].get<uint64_t>();
    store_cap += n["object_store"]["capacity_bytes"].get<uint64_t>();
    spilled += n["object_store"]["spilled_bytes"].get<uint64_t>();
  }
  t += " " + Bytes(static_cast<double>(store_used)) + "/" + Bytes(static_cast<double>(store_cap)) +
       " object_store_memory (" + Bytes(static_cast<double>(spilled)) + " spilled)\n";
  for (const auto& n : s["nodes"]) {
    const std::string why = n["object_store"].value("spill_error", "");
    if (why.empty()) continue;
    t += " SPILL FAILING on " + n["node_id"].get<std::string>().substr(4, 8) + " (" +
         n["object_store"].value("spill_dir", "") + "): " + why + "; " +
         std::to_string(n["object_store"].value("refused_objects", uint64_t{0})) +
         " objects refused (ObjectStoreFullError)\n";
  }
  t += "\nDemands:\n";
  if (s["pending_demands"].empty() && s["infeasible_demands"].empty()) t += " (no resource demands)\n";
  for (const auto& d : s["pending_demands"]) {
    t += " " + ShapeText(d["shape"]) + ": " + std::to_string(d["count"].get<int64_t>()) +
         " pending tasks/actors\n";
  }
  for (const auto& d : s["infeasible_demands"]) {
    t += " " + ShapeText(d["shape"]) + ": " + std::to_string(d["count"].get<int64_t>()) +
         " infeasible (no node has these resources)\n";
  }
  t += "\nWorkers\n--------------------------------------------------------\n";
  for (const auto& n : s["nodes"]) {
    if (n["state"] == "DEAD" || n["state"] == "DRAINED") continue;
    const auto& w = n["workers"];
    t += " " + n["node_id"].get<std::string>().substr(4, 8) + " (" +
         n["node_type"].get<std::string>() + ", " + n["arch"].get<std::string>() + ", " +
         n["address"].get<std::string>() +
         "): " + std::to_string(w["total"].get<int>()) + " workers, " +
         std::to_string(w["busy"].get<int>()) + " busy, " + std::to_string(w["idle"].get<int>()) +
         " idle, " + std::to_string(w["actors"].get<int>()) + " actors; " +
         std::to_string(n["tasks_finished"].get<int64_t>()) + " tasks finished\n";
  }
  int running = 0;
  for (const auto& j : s["jobs"]) running += j["state"] == "RUNNING";
  t += "\nJobs: " + std::to_string(running) + " running, " +
       std::to_string(s["jobs"].size()) + " total\n";
  if (s.contains("autoscaler")) t += AutoscalerText(s["autoscaler"]);
  t += "Logs: " + s["log_dir"].get<std::string>() + "\n";
  return t;
}

}  // namespace strata::head
