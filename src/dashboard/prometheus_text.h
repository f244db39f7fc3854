// The cluster status as Prometheus metrics, in the text exposition format
// (version 0.0.4): `# HELP` and `# TYPE` once per family, label values
// escaped, names strata_..._total for counters, _bytes and _seconds for
// units. prometheus-cpp is not packaged in Debian 12; the format is small.
#pragma once

#include <string>

#include "rpc/cluster_messages.h"

namespace strata::dashboard {

// What the dashboard keeps beyond the newest status.
struct MetricsHistory {
  int64_t autoscaler_actions = 0;  // actions it has seen the autoscaler take
  double tasks_per_second = 0;     // over the last few heartbeats
};

std::string PrometheusText(const rpc::ClusterStatus& status, const MetricsHistory& history);

}  // namespace strata::dashboard
