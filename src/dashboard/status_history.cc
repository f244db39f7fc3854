#include "dashboard/status_history.h"

#include <algorithm>

namespace strata::dashboard {

Sample SampleOf(const rpc::ClusterStatus& status, int64_t now_ms) {
  Sample s;
  s.time_ms = now_ms;
  const auto total = rpc::AliveTotal(status).ToDoubles();
  const auto used = rpc::AliveUsed(status).ToDoubles();
  if (auto it = total.find("CPU"); it != total.end()) s.cpus_total = it->second;
  if (auto it = used.find("CPU"); it != used.end()) s.cpus_busy = it->second;
  for (const rpc::NodeRecord& n : status.nodes) {
    s.tasks_finished += n.tasks_finished;
    if (n.state != rpc::NodeState::kAlive) continue;
    ++s.nodes_alive;
    s.store_used_bytes += n.store.used_bytes;
  }
  return s;
}

void StatusHistory::Add(const Sample& sample, const std::optional<rpc::AutoscalerReport>& autoscaler) {
  samples_.push_back(sample);
  while (samples_.size() > max_samples_) samples_.pop_front();
  if (autoscaler && !autoscaler->last_action.empty() &&
      (events_.empty() || events_.back().action != autoscaler->last_action ||
       events_.back().time != autoscaler->last_action_time)) {
    events_.push_back({autoscaler->last_action_time, autoscaler->last_action});
    while (events_.size() > max_events_) events_.pop_front();
  }
}

nlohmann::json StatusHistory::SamplesJson(int64_t since_ms, int64_t step_ms) const {
  // Columns, not objects per point: a chart library takes them as they are.
  nlohmann::json t = nlohmann::json::array(), total = nlohmann::json::array(), busy = nlohmann::json::array(),
                 nodes = nlohmann::json::array(), store = nlohmann::json::array(), done = nlohmann::json::array();
  int64_t last = -1;
  for (const Sample& s : samples_) {
    if (s.time_ms <= since_ms) continue;
    if (last >= 0 && s.time_ms - last < step_ms) continue;
    last = s.time_ms;
    t.push_back(s.time_ms);
    total.push_back(s.cpus_total);
    busy.push_back(s.cpus_busy);
    nodes.push_back(s.nodes_alive);
    store.push_back(s.store_used_bytes);
    done.push_back(s.tasks_finished);
  }
  return {{"time_ms", t},       {"cpus_total", total},       {"cpus_busy", busy},
          {"nodes_alive", nodes}, {"store_used_bytes", store}, {"tasks_finished", done}};
}

double StatusHistory::TasksPerSecond(int64_t window_ms) const {
  if (samples_.size() < 2) return 0;
  const Sample& last = samples_.back();
  const Sample* first = nullptr;
  for (auto it = samples_.rbegin() + 1; it != samples_.rend() && last.time_ms - it->time_ms <= window_ms; ++it) {
    first = &*it;
  }
  if (first == nullptr || last.time_ms <= first->time_ms) return 0;
  // Forgotten dead nodes take their counts with them: never negative.
  const int64_t done = std::max<int64_t>(0, last.tasks_finished - first->tasks_finished);
  return static_cast<double>(done) * 1000.0 / static_cast<double>(last.time_ms - first->time_ms);
}

nlohmann::json StatusHistory::EventsJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (auto it = events_.rbegin(); it != events_.rend(); ++it) out.push_back({{"time", it->time}, {"action", it->action}});
  return out;
}

}  // namespace strata::dashboard
