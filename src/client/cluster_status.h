// The cluster status, typed, for the parts of libstrata that plan by it (the
// data layer sizes shuffles by the cluster's CPUs). Users call
// strata::ClusterStatus(), which renders it.
#pragma once

#include "rpc/cluster_messages.h"

namespace strata::client {

// Asks the node agent this process is connected to. Throws StrataError
// (not initialized, connection lost) or TimeoutError.
rpc::ClusterStatus CurrentClusterStatus();

// Sends a pipeline run's progress to the head (via this process's node
// agent). Does nothing when this process is not connected.
void ReportPipeline(rpc::PipelineRecord record);

}  // namespace strata::client
