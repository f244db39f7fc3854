#include "autoscaler/local_provider.h"
#include "cloud/aws/aws_provider.h"
#include "autoscaler/node_provider.h"

namespace strata::autoscaler {

std::unique_ptr<NodeProvider> MakeProvider(const ClusterConfig& config,
                                           const ProviderContext& context, std::string* error) {
  if (config.provider.type == "local") return std::make_unique<LocalProvider>(config, context);
  if (config.provider.type == "aws") return std::make_unique<aws::AwsProvider>(config, context);
  *error = "provider type '" + config.provider.type + "' is not available in this build";
  return nullptr;
}

}  // namespace strata::autoscaler
