// What the dashboard remembers between status snapshots: a sample every
// heartbeat of the cluster's CPUs (busy and total), nodes and object store,
// over the last hour (the "every core busy" chart), and the autoscaler's
// actions as an event log (each new last_action it reports).
//
// Thread-safety: not thread-safe; DashboardServer guards it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "rpc/cluster_messages.h"

namespace strata::dashboard {

struct Sample {
  int64_t time_ms = 0;
  double cpus_total = 0;
  double cpus_busy = 0;
  int nodes_alive = 0;
  uint64_t store_used_bytes = 0;
  int64_t tasks_finished = 0;
};

struct AutoscalerEvent {
  int64_t time = 0;  // unix seconds, as the autoscaler stamped it
  std::string action;
};

// A sample of `status`: alive nodes only.
Sample SampleOf(const rpc::ClusterStatus& status, int64_t now_ms);

class StatusHistory {
 public:
  explicit StatusHistory(size_t max_samples = 7200, size_t max_events = 500)
      : max_samples_(max_samples), max_events_(max_events) {}

  void Add(const rpc::ClusterStatus& status, int64_t now_ms) { Add(SampleOf(status, now_ms), status.autoscaler); }
  void Add(const Sample& sample, const std::optional<rpc::AutoscalerReport>& autoscaler);
  const std::deque<Sample>& samples() const { return samples_; }
  const std::deque<AutoscalerEvent>& events() const { return events_; }
  // Samples newer than `since_ms`, at most one per `step_ms` (a page asking
  // for an hour at 1 s gets 3600 points, not every heartbeat).
  nlohmann::json SamplesJson(int64_t since_ms, int64_t step_ms) const;
  nlohmann::json EventsJson() const;
  // Tasks finished per second over the newest `window_ms` of samples (0
  // with fewer than two samples in it).
  double TasksPerSecond(int64_t window_ms) const;

 private:
  size_t max_samples_, max_events_;
  std::deque<Sample> samples_;
  std::deque<AutoscalerEvent> events_;
};

}  // namespace strata::dashboard
