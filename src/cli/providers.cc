// The node providers this build knows, by the name a cluster file gives:
// the one place that knows them all, so that the autoscaler depends on the
// provider interface only and each provider on nothing but that interface.
#include "autoscaler/local_provider.h"
#include "cli/providers.h"
#include "cloud/aws/aws_provider.h"

namespace strata::cli {

Result<std::unique_ptr<autoscaler::NodeProvider>> MakeProvider(const autoscaler::ClusterConfig& config,
                                                               const autoscaler::ProviderContext& context) {
  if (config.provider.type == "local") return std::make_unique<autoscaler::LocalProvider>(config, context);
  if (config.provider.type == "aws") return std::make_unique<aws::AwsProvider>(config, context);
  return InvalidArgument("provider type '" + config.provider.type + "' is not available in this build");
}

}  // namespace strata::cli
