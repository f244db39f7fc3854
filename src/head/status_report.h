// `strata status`: the cluster state as JSON (for tools and tests) and as the
// text a person reads, in the shape of `ray status`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "head/cluster_state.h"

namespace strata::head {

// Fields: session_dir, log_dir, nodes[] {node_id, node_type, state, address,
// hostname, resources_total, resources_used, object_store{...}, workers{...}},
// totals {resources_total, resources_used}, pending_demands[] and
// infeasible_demands[] {shape, count}, jobs[].
// `autoscaler`: the autoscaler's last report (null when none runs).
nlohmann::json BuildStatusJson(const ClusterState& state, const std::string& session_dir,
                               const nlohmann::json& autoscaler = nullptr);

// Renders the JSON above for a terminal.
std::string RenderStatusText(const nlohmann::json& status);

}  // namespace strata::head
