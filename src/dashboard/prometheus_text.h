// The cluster status as Prometheus metrics, in the text exposition format
// (version 0.0.4): `# HELP` and `# TYPE` once per family, label values
// escaped, names strata_..._total for counters, _bytes and _seconds for
// units. prometheus-cpp is not packaged in Debian 12; the format is small.
#pragma once

#include <string>

#include "rpc/cluster_messages.h"

namespace strata::dashboard {

// `autoscaler_actions`: actions the dashboard has seen the autoscaler take.
std::string PrometheusText(const rpc::ClusterStatus& status, int64_t autoscaler_actions);

}  // namespace strata::dashboard
