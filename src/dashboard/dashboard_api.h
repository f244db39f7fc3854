// The JSON behind each dashboard page, built from the newest cluster status
// (and, for jobs and logs, the head's session directory). Each answer stays
// small with 500 nodes: nodes come a page at a time, the rest is counts.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "rpc/cluster_messages.h"

namespace strata::dashboard {

// Counts by node type, state and architecture; CPUs busy and total; store
// use; pending and infeasible demand; cost per hour.
nlohmann::json ClusterSummaryJson(const rpc::ClusterStatus& status);
// `status_json` is StatusJson(status); nodes [offset, offset + limit) of
// those in `state` (all when empty), with the total.
nlohmann::json NodesPageJson(const nlohmann::json& status_json, const std::string& state, int64_t offset,
                             int64_t limit);
// Tasks by state over the cluster and per alive node; run per function
// (finished, failed, mean time) and the newest failures with their errors.
nlohmann::json TasksJson(const rpc::ClusterStatus& status);
// Drivers of the cluster, and `strata job` jobs with their output's last lines.
nlohmann::json JobsJson(const nlohmann::json& status_json, const std::string& session_dir, int tail_lines);
// The head machine's log files (session logs/), name and size.
nlohmann::json LogFilesJson(const std::string& session_dir);
// The last `lines` lines of one log (by its name in LogFilesJson) holding
// `query` (case-insensitive; all lines when empty). False: no such log.
bool LogTailJson(const std::string& session_dir, const std::string& name, int lines, const std::string& query,
                 nlohmann::json* out);

}  // namespace strata::dashboard
