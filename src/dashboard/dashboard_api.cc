#include "dashboard/dashboard_api.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>

#include "common/session_logs.h"

namespace strata::dashboard {

namespace fs = std::filesystem;
using nlohmann::json;

json ClusterSummaryJson(const rpc::ClusterStatus& s) {
  std::map<std::string, std::map<std::string, int>> by_type;  // type -> state -> count
  std::map<std::string, int> by_arch, by_state;
  uint64_t store_used = 0, store_cap = 0, spilled = 0;
  for (const rpc::NodeRecord& n : s.nodes) {
    ++by_type[n.node_type][rpc::NodeStateName(n.state)];
    ++by_state[rpc::NodeStateName(n.state)];
    if (n.state != rpc::NodeState::kAlive) continue;
    ++by_arch[n.arch];
    store_used += n.store.used_bytes, store_cap += n.store.capacity_bytes, spilled += n.store.spilled_bytes;
  }
  const auto total = rpc::AliveTotal(s).ToDoubles(), used = rpc::AliveUsed(s).ToDoubles();
  auto cpus = [](const std::map<std::string, double>& m) {
    const auto it = m.find("CPU");
    return it == m.end() ? 0.0 : it->second;
  };
  int64_t pending = 0, infeasible = 0;
  for (const auto& [shape, c] : rpc::PendingDemands(s)) pending += c;
  for (const auto& [shape, c] : rpc::InfeasibleDemands(s)) infeasible += c;
  json out = {{"time", s.time},
              {"nodes", s.nodes.size()},
              {"nodes_by_state", by_state},
              {"nodes_by_type", by_type},
              {"alive_by_arch", by_arch},
              {"cpus_total", cpus(total)},
              {"cpus_busy", cpus(used)},
              {"store_used_bytes", store_used},
              {"store_capacity_bytes", store_cap},
              {"store_spilled_bytes", spilled},
              {"tasks_pending", pending},
              {"tasks_infeasible", infeasible},
              {"jobs", s.jobs.size()}};
  out["cost_per_hour"] = s.autoscaler ? s.autoscaler->cost_per_hour : 0.0;
  return out;
}

json NodesPageJson(const json& status_json, const std::string& state, int64_t offset, int64_t limit) {
  json page = json::array();
  int64_t matching = 0;
  for (const json& n : status_json.value("nodes", json::array())) {
    if (!state.empty() && n.value("state", "") != state) continue;
    if (matching >= offset && matching < offset + limit) page.push_back(n);
    ++matching;
  }
  return {{"total", matching}, {"offset", offset}, {"limit", limit}, {"nodes", page}};
}

json TasksJson(const rpc::ClusterStatus& s) {
  int64_t pending = 0, running = 0, finished = 0, infeasible = 0;
  json nodes = json::array();
  std::map<std::string, rpc::FunctionCounts> functions;
  std::vector<std::pair<const rpc::TaskFailure*, const rpc::NodeRecord*>> failures;
  for (const rpc::NodeRecord& n : s.nodes) {
    finished += n.tasks_finished;
    for (const auto& [name, c] : n.functions) {
      rpc::FunctionCounts& sum = functions[name];
      sum.finished += c.finished, sum.failed += c.failed, sum.exec_ns += c.exec_ns;
    }
    for (const rpc::TaskFailure& f : n.failures) failures.emplace_back(&f, &n);
    if (n.state != rpc::NodeState::kAlive) continue;
    int64_t p = 0;
    for (const auto& [shape, c] : n.pending) p += c;
    for (const auto& [shape, c] : n.infeasible) infeasible += c;
    pending += p;
    running += n.workers.busy;
    nodes.push_back({{"node_id", n.id.Hex()}, {"node_type", n.node_type}, {"running", n.workers.busy},
                     {"pending", p}, {"finished", n.tasks_finished}});
  }
  json by_function = json::array();
  for (const auto& [name, c] : functions) {
    const double mean_ms = c.finished > 0 ? static_cast<double>(c.exec_ns) / 1e6 / static_cast<double>(c.finished) : 0;
    by_function.push_back({{"function", name}, {"finished", c.finished}, {"failed", c.failed}, {"mean_ms", mean_ms}});
  }
  std::sort(failures.begin(), failures.end(), [](const auto& a, const auto& b) { return a.first->time_ms > b.first->time_ms; });
  json failed = json::array();
  for (size_t i = 0; i < failures.size() && i < 50; ++i) {
    failed.push_back({{"function", failures[i].first->function}, {"error", failures[i].first->error},
                      {"time_ms", failures[i].first->time_ms}, {"node_id", failures[i].second->id.Hex()}});
  }
  return {{"pending", pending}, {"running", running}, {"finished", finished}, {"infeasible", infeasible},
          {"nodes", nodes}, {"by_function", by_function}, {"failures", failed}};
}


json JobsJson(const json& status_json, const std::string& session_dir, int tail_lines) {
  json submitted = json::array();
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(fs::path(session_dir) / "jobs", ec)) {
    if (e.is_directory()) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& d : dirs) {
    const fs::path log = d / "driver.log";
    submitted.push_back({{"job_id", d.filename().string()},
                         {"log", "jobs/" + d.filename().string() + "/driver.log"},
                         {"output_tail", TailOfFile(log.string(), tail_lines, "")}});
  }
  return {{"drivers", status_json.value("jobs", json::array())}, {"submitted", submitted}};
}

json LogFilesJson(const std::string& session_dir) {
  json files = json::array();
  for (const auto& [name, size] : ListSessionLogs(session_dir)) files.push_back({{"name", name}, {"bytes", size}});
  return files;
}

bool LogTailJson(const std::string& session_dir, const std::string& name, int lines, const std::string& query,
                 json* out) {
  std::string text;
  if (!TailSessionLog(session_dir, name, lines, query, &text)) return false;
  *out = {{"name", name}, {"query", query}, {"text", text}};
  return true;
}

}  // namespace strata::dashboard
