// Nodes as EC2 instances. Each launch is a RunInstances with the node type's
// instance type, image, subnet, security groups and IAM instance profile (the
// node's credentials come from that role, never from us), spot options when
// the node type asks for spot, tags naming the cluster and node type, and
// user data that starts the node agent and joins the head. On a capacity
// error it tries the next subnet, then the node type's fallback instance
// types, then on-demand if the node type allows it; only then does it give
// up (the autoscaler pauses the type for a while).
#pragma once

#include <memory>

#include "autoscaler/node_provider.h"
#include "cloud/aws/ec2_client.h"

namespace strata::aws {

class AwsProvider : public autoscaler::NodeProvider {
 public:
  AwsProvider(autoscaler::ClusterConfig config, autoscaler::ProviderContext context);
  Status Launch(const autoscaler::NodeTypeConfig& type, int count, std::vector<InstanceId>* started) override;
  void Terminate(const std::vector<InstanceId>& ids) override;
  std::vector<autoscaler::Instance> NonTerminated() override;

  // `strata up` from outside AWS: starts the head's instance, whose boot
  // script writes `cluster_file_text` and runs `strata up --here` there (the
  // head then runs the autoscaler with its instance role). Returns its id.
  Result<InstanceId> LaunchHead(const std::string& cluster_file_text);
  // Every instance of the cluster, the head's included (`strata down`).
  Result<std::vector<InstanceId>> AllInstanceIds();

  Ec2Client& client() { return *client_; }
  // The script a new instance runs at boot (exposed for tests and `--dry-run`).
  std::string UserData(const autoscaler::NodeTypeConfig& type) const;
  std::string HeadUserData(const std::string& cluster_file_text) const;

 private:
  Status LaunchWith(const autoscaler::NodeTypeConfig& type, int count, const std::string& user_data, bool head,
                    std::vector<InstanceId>* ids);

  autoscaler::ClusterConfig config_;
  autoscaler::ProviderContext context_;
  std::unique_ptr<CredentialSource> credentials_;
  std::unique_ptr<Ec2Client> client_;
};

// EC2 error codes that mean "no room here, try elsewhere".
bool IsCapacityError(const std::string& code);

}  // namespace strata::aws
