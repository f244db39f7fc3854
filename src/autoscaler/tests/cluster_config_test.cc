#include "autoscaler/cluster_config.h"

#include <gtest/gtest.h>

namespace strata::autoscaler {
namespace {

const char* kGood = R"(cluster_name: workshop
max_workers: 40
idle_timeout_minutes: 5
upscaling_speed: 1.0
provider: {type: aws, region: us-west-2, subnet_ids: [subnet-a, subnet-b]}
head_node_type: head
available_node_types:
  head:          {node_config: {InstanceType: m7i.2xlarge, ImageId: ami-1}, resources: {CPU: 8}}
  intel_spot:    {node_config: {InstanceType: c7i.4xlarge, ImageId: ami-1, InstanceMarketOptions: {MarketType: spot}},
                  resources: {CPU: 16, intel: 1}, min_workers: 10, max_workers: 30, price_per_hour: 0.25}
  graviton_spot: {node_config: {InstanceType: c7g.4xlarge, ImageId: ami-2}, resources: {CPU: 16, graviton: 1},
                  min_workers: 0, max_workers: 30, price_per_hour: 0.20}
)";

std::string ErrorOf(const std::string& text) {
  const Result<ClusterConfig> c = ParseClusterConfig(text, "c.yaml");
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), c.ok() ? StatusCode::kOk : StatusCode::kInvalidArgument);
  return c.status().message();
}

std::string With(const std::string& from, const std::string& to) {
  std::string s = kGood;
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(ClusterConfig, TheIssueExampleParses) {
  const Result<ClusterConfig> parsed = ParseClusterConfig(kGood, "c.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const ClusterConfig& c = *parsed;
  EXPECT_EQ(c.cluster_name, "workshop");
  EXPECT_EQ(c.max_workers, 40);
  EXPECT_EQ(c.provider.type, "aws");
  EXPECT_EQ(c.provider.subnet_ids, (std::vector<std::string>{"subnet-a", "subnet-b"}));
  ASSERT_EQ(c.node_types.size(), 3u);
  const NodeTypeConfig& intel = c.node_types.at("intel_spot");
  EXPECT_EQ(intel.resources.at("CPU"), 16);
  EXPECT_EQ(intel.resources.at("intel"), 1);
  EXPECT_EQ(intel.min_workers, 10);
  EXPECT_EQ(intel.price_per_hour, 0.25);
  EXPECT_EQ(intel.node_config["InstanceMarketOptions"]["MarketType"], "spot");
  EXPECT_EQ(c.node_types.at("head").max_workers, 0) << "the head's type is not a worker type";
}

TEST(ClusterConfig, UnknownFieldIsNamedWithItsLine) {
  const std::string e = ErrorOf(With("upscaling_speed: 1.0", "upscaling_sped: 1.0"));
  EXPECT_EQ(e.rfind("c.yaml:4:1: unknown field 'upscaling_sped'", 0), 0u) << e;
  const std::string nested = ErrorOf(With("min_workers: 0,", "min_worker: 0,"));
  EXPECT_NE(nested.find("c.yaml:12:"), std::string::npos) << nested;
  EXPECT_NE(nested.find("unknown field 'min_worker' in node type 'graviton_spot'"),
            std::string::npos)
      << nested;
  const std::string aws_key = ErrorOf(With("InstanceType: c7g.4xlarge", "InstanceTyp: c7g.4xlarge"));
  EXPECT_NE(aws_key.find("unknown field 'InstanceTyp'"), std::string::npos) << aws_key;
}

TEST(ClusterConfig, WrongTypesAndImpossibleValuesAreErrors) {
  EXPECT_NE(ErrorOf(With("max_workers: 40", "max_workers: forty")).find(
                "c.yaml:2:14: 'max_workers' must be a number, not 'forty'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(With("price_per_hour: 0.20", "price_per_hour: [1]"))
                .find("'price_per_hour' must be a number"),
            std::string::npos);
  EXPECT_NE(ErrorOf(With("min_workers: 10, max_workers: 30", "min_workers: 31, max_workers: 30"))
                .find("min_workers (31) is more than max_workers (30)"),
            std::string::npos);
  EXPECT_NE(ErrorOf(With("type: aws", "type: gcp")).find("provider.type must be 'local' or 'aws'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(With("head_node_type: head", "head_node_type: boss"))
                .find("head_node_type 'boss' is not one of available_node_types"),
            std::string::npos);
  EXPECT_NE(ErrorOf(With("resources: {CPU: 8}", "resources: {GPU: 1}")).find("must include CPU"),
            std::string::npos);
  EXPECT_NE(ErrorOf(With("max_workers: 40", "max_workers: 5")).find("min_workers add up to 10"),
            std::string::npos);
  EXPECT_NE(ErrorOf("cluster_name: [oops").find("c.yaml:1:"), std::string::npos);
  EXPECT_NE(ErrorOf("cluster_name: x\n").find("needs a 'provider'"), std::string::npos);
}

}  // namespace
}  // namespace strata::autoscaler
