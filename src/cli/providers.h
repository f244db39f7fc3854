// The node provider a cluster file names (cli/providers.cc).
#pragma once

#include <memory>
#include <string>

#include "autoscaler/cluster_config.h"
#include "autoscaler/node_provider.h"

namespace strata::cli {

// "local" or "aws" as the file says.
Result<std::unique_ptr<autoscaler::NodeProvider>> MakeProvider(const autoscaler::ClusterConfig& config,
                                                               const autoscaler::ProviderContext& context);

}  // namespace strata::cli
