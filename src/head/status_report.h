// `strata status`: the cluster status message the head builds, and its two
// renderings at the edge — JSON (for tools and tests) and the text a person
// reads, in the shape of `ray status`.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "head/cluster_state.h"
#include "rpc/cluster_messages.h"

namespace strata::head {

// The head's table as the status message; `autoscaler` is its last report.
rpc::ClusterStatus BuildStatus(const ClusterState& state, const std::string& session_dir,
                               const std::optional<rpc::AutoscalerReport>& autoscaler);

// Fields: session_dir, log_dir, time, nodes[] {node_id, index, node_type,
// state, address, hostname, arch, resources_total, resources_used,
// resources_committed, object_store{...}, workers{...}}, totals
// {resources_total, resources_used}, pending_demands[] and
// infeasible_demands[] {shape, count}, jobs[], pipelines[] {job_id, run,
// name, state, seconds, rows_read, rows_per_second, stages[], steps[]
// {rows_in, rows_out, rows_dropped, counters}}, autoscaler (when one runs).
nlohmann::json StatusJson(const rpc::ClusterStatus& status);

// For a terminal.
std::string RenderStatusText(const rpc::ClusterStatus& status);

}  // namespace strata::head
