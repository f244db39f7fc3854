// The AWS provider against a local endpoint that answers with the documented
// EC2 responses (tests/vectors/ec2), checking the exact parameters sent:
// signing, RunInstances options, capacity fallbacks, RequestLimitExceeded
// backoff, DescribeInstances paging and filters, TerminateInstances.
#include "cloud/aws/aws_provider.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/http_test_server.h"

namespace strata::aws {
namespace {

using strata::testing::HttpTestRequest;
using strata::testing::HttpTestResponse;
using strata::testing::HttpTestServer;

std::string Vector(const std::string& name) {
  std::ifstream in(std::string(STRATA_EC2_VECTORS) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return s.str();
}

autoscaler::ClusterConfig Config(const std::string& endpoint) {
  const std::string text = R"(cluster_name: workshop
max_workers: 40
provider: {type: aws, region: us-west-2, subnet_ids: [subnet-a, subnet-b], security_group_ids: [sg-1],
           iam_instance_profile: "arn:aws:iam::123456789012:instance-profile/strata-node",
           endpoint_url: ")" + endpoint + R"("}
head_node_type: head
available_node_types:
  head: {node_config: {InstanceType: m7i.2xlarge, ImageId: ami-head}, resources: {CPU: 8}}
  intel_spot:
    node_config: {InstanceType: c7i.4xlarge, ImageId: ami-123, InstanceMarketOptions: {MarketType: spot}}
    resources: {CPU: 16, intel: 1}
    fallback_instance_types: [c6i.4xlarge]
    fallback_on_demand: true
    max_workers: 30
    price_per_hour: 0.25
)";
  const Result<autoscaler::ClusterConfig> c = autoscaler::ParseClusterConfig(text, "aws.yaml");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : autoscaler::ClusterConfig();
}

class AwsProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    setenv("AWS_SESSION_TOKEN", "session-token-1", 1);
  }
  void TearDown() override {
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
  }
  autoscaler::ProviderContext Context() {
    return {"10.0.0.5:6380", "cluster-token-x", "/tmp", "strata"};
  }
};

TEST_F(AwsProviderTest, RunInstancesSendsTheDocumentedSignedParameters) {
  HttpTestServer ec2([](const HttpTestRequest& r) {
    if (r.form.at("Action") == "RunInstances") return HttpTestResponse{200, Vector("run_instances_spot.xml")};
    return HttpTestResponse{400, Vector("error_invalid_instance_id_not_found.xml")};
  });
  AwsProvider provider(Config(ec2.url()), Context());
  std::vector<InstanceId> ids;
  const Status launched = provider.Launch(Config(ec2.url()).node_types.at("intel_spot"), 2, &ids);
  ASSERT_TRUE(launched.ok()) << launched.message();
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids[0].value.rfind("i-", 0), 0u);

  const auto reqs = ec2.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& f = reqs[0].form;
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(f.at("Version"), "2016-11-15");
  EXPECT_EQ(f.at("ImageId"), "ami-123");
  EXPECT_EQ(f.at("InstanceType"), "c7i.4xlarge");
  EXPECT_EQ(f.at("MinCount"), "1");
  EXPECT_EQ(f.at("MaxCount"), "2");
  EXPECT_EQ(f.at("SubnetId"), "subnet-a");
  EXPECT_EQ(f.at("SecurityGroupId.1"), "sg-1");
  EXPECT_EQ(f.at("IamInstanceProfile.Arn"), "arn:aws:iam::123456789012:instance-profile/strata-node");
  EXPECT_EQ(f.at("InstanceMarketOptions.MarketType"), "spot");
  EXPECT_EQ(f.at("TagSpecification.1.ResourceType"), "instance");
  std::map<std::string, std::string> tags;
  for (int i = 1; f.count("TagSpecification.1.Tag." + std::to_string(i) + ".Key"); ++i) {
    tags[f.at("TagSpecification.1.Tag." + std::to_string(i) + ".Key")] =
        f.at("TagSpecification.1.Tag." + std::to_string(i) + ".Value");
  }
  EXPECT_EQ(tags.at("strata-cluster"), "workshop");
  EXPECT_EQ(tags.at("strata-node-type"), "intel_spot");
  EXPECT_EQ(f.at("UserData"), Base64(provider.UserData(Config(ec2.url()).node_types.at("intel_spot"))));
  const std::string user_data = provider.UserData(Config(ec2.url()).node_types.at("intel_spot"));
  EXPECT_NE(user_data.find("strata start --address 10.0.0.5:6380"), std::string::npos);
  EXPECT_NE(user_data.find("--node-type intel_spot"), std::string::npos);
  EXPECT_EQ(user_data.find("AKIDEXAMPLE"), std::string::npos) << "no AWS keys on nodes";
  EXPECT_EQ(user_data.find("wJalr"), std::string::npos);
  // Signed with SigV4 for ec2 in the region, with the session token.
  const std::string auth = reqs[0].headers.at("authorization");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u) << auth;
  EXPECT_NE(auth.find("/us-west-2/ec2/aws4_request"), std::string::npos) << auth;
  EXPECT_NE(auth.find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"),
            std::string::npos)
      << auth;
  EXPECT_EQ(reqs[0].headers.at("x-amz-security-token"), "session-token-1");
}

TEST_F(AwsProviderTest, CapacityErrorsTryTheNextSubnetThenFallbacksThenOnDemand) {
  // No spot capacity anywhere; on-demand c7i works in the second subnet.
  HttpTestServer ec2([](const HttpTestRequest& r) {
    const bool spot = r.form.count("InstanceMarketOptions.MarketType") != 0;
    if (spot || r.form.at("SubnetId") == "subnet-a") {
      return HttpTestResponse{500, Vector("error_insufficient_instance_capacity.xml")};
    }
    return HttpTestResponse{200, Vector("run_instances.xml")};
  });
  AwsProvider provider(Config(ec2.url()), Context());
  std::vector<InstanceId> ids;
  const Status launched = provider.Launch(Config(ec2.url()).node_types.at("intel_spot"), 1, &ids);
  ASSERT_TRUE(launched.ok()) << launched.message();
  ASSERT_FALSE(ids.empty());
  std::vector<std::string> tried;
  for (const auto& r : ec2.requests()) {
    tried.push_back(r.form.at("InstanceType") + "/" + r.form.at("SubnetId") +
                    (r.form.count("InstanceMarketOptions.MarketType") ? "/spot" : "/od"));
  }
  EXPECT_EQ(tried, (std::vector<std::string>{"c7i.4xlarge/subnet-a/spot", "c7i.4xlarge/subnet-b/spot",
                                             "c6i.4xlarge/subnet-a/spot", "c6i.4xlarge/subnet-b/spot",
                                             "c7i.4xlarge/subnet-a/od", "c7i.4xlarge/subnet-b/od"}));

  // Nothing anywhere: a clear error naming what was tried, no endless loop.
  HttpTestServer none([](const HttpTestRequest&) {
    return HttpTestResponse{500, Vector("error_insufficient_instance_capacity.xml")};
  });
  AwsProvider empty(Config(none.url()), Context());
  std::vector<InstanceId> none_started;
  const Status refused = empty.Launch(Config(none.url()).node_types.at("intel_spot"), 1, &none_started);
  EXPECT_TRUE(none_started.empty());
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("no capacity for node type intel_spot"), std::string::npos) << refused.message();
  EXPECT_EQ(none.requests().size(), 8u) << "2 types × 2 subnets, spot then on-demand, once each";
}

TEST_F(AwsProviderTest, RequestLimitExceededIsRetriedWithBackoff) {
  std::atomic<int> calls{0};
  HttpTestServer ec2([&](const HttpTestRequest&) {
    if (calls++ < 2) return HttpTestResponse{503, Vector("error_request_limit_exceeded.xml")};
    return HttpTestResponse{200, Vector("terminate_instances.xml")};
  });
  AwsProvider provider(Config(ec2.url()), Context());
  provider.client().base_backoff_ms = 20;
  Ec2Error e;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(provider.client().TerminateInstances({"i-1", "i-2"}, &e)) << e.code;
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
  const auto reqs = ec2.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].form.at("Action"), "TerminateInstances");
  EXPECT_EQ(reqs[2].form.at("InstanceId.1"), "i-1");
  EXPECT_EQ(reqs[2].form.at("InstanceId.2"), "i-2");
  // Other errors are not retried, and come back with EC2's code.
  HttpTestServer bad([](const HttpTestRequest&) {
    return HttpTestResponse{400, Vector("error_invalid_instance_id_not_found.xml")};
  });
  AwsProvider p2(Config(bad.url()), Context());
  EXPECT_FALSE(p2.client().TerminateInstances({"i-x"}, &e));
  EXPECT_EQ(e.code, "InvalidInstanceID.NotFound");
  EXPECT_EQ(bad.requests().size(), 1u);
}

TEST_F(AwsProviderTest, DescribeFiltersByClusterTagAndReadsEveryPage) {
  HttpTestServer ec2([](const HttpTestRequest& r) {
    std::string body = Vector("describe_instances_with_tags.xml");
    if (r.form.count("NextToken") == 0) {
      // First page: say there is more.
      const size_t end = body.rfind("</DescribeInstancesResponse>");
      body.insert(end, "<nextToken>page-2</nextToken>");
    }
    return HttpTestResponse{200, body};
  });
  AwsProvider provider(Config(ec2.url()), Context());
  std::vector<Ec2Instance> found;
  Ec2Error e;
  ASSERT_TRUE(provider.client().DescribeInstances({{"tag:strata-cluster", {"workshop"}}}, &found, &e));
  const auto reqs = ec2.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].form.at("Filter.1.Name"), "tag:strata-cluster");
  EXPECT_EQ(reqs[0].form.at("Filter.1.Value.1"), "workshop");
  EXPECT_EQ(reqs[1].form.at("NextToken"), "page-2");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.size() % 2, 0u) << "both pages read";
  EXPECT_EQ(found[0].id.rfind("i-", 0), 0u);
  EXPECT_FALSE(found[0].state.empty());
  EXPECT_FALSE(found[0].tags.empty());
  // The provider asks for this cluster's pending and running instances.
  provider.NonTerminated();
  const auto last = ec2.requests().back();
  EXPECT_EQ(last.form.at("Filter.2.Name"), "instance-state-name");
  EXPECT_EQ(last.form.at("Filter.2.Value.1"), "pending");
  EXPECT_EQ(last.form.at("Filter.2.Value.2"), "running");
}

TEST_F(AwsProviderTest, StrataUpLaunchesTheHeadWhichRunsTheAutoscalerThere) {
  const std::string describe = R"(<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <reservationSet><item><instancesSet>
    <item><instanceId>i-head</instanceId><instanceState><name>running</name></instanceState>
      <tagSet><item><key>strata-role</key><value>head</value></item>
              <item><key>strata-node-type</key><value>head</value></item></tagSet></item>
    <item><instanceId>i-node</instanceId><instanceState><name>running</name></instanceState>
      <tagSet><item><key>strata-role</key><value>node</value></item>
              <item><key>strata-node-type</key><value>intel_spot</value></item></tagSet></item>
  </instancesSet></item></reservationSet></DescribeInstancesResponse>)";
  HttpTestServer ec2([&](const HttpTestRequest& r) {
    if (r.form.at("Action") == "RunInstances") return HttpTestResponse{200, Vector("run_instances.xml")};
    return HttpTestResponse{200, describe};
  });
  AwsProvider provider(Config(ec2.url()), Context());
  const std::string file_text = "cluster_name: workshop\n# the whole file\n";
  const Result<InstanceId> id = provider.LaunchHead(file_text);
  ASSERT_TRUE(id.ok()) << id.status().message();
  const auto run = ec2.requests().back().form;
  EXPECT_EQ(run.at("InstanceType"), "m7i.2xlarge");
  EXPECT_EQ(run.at("ImageId"), "ami-head");
  EXPECT_EQ(run.count("InstanceMarketOptions.MarketType"), 0u) << "the head is on-demand";
  const std::string script = provider.HeadUserData(file_text);
  EXPECT_EQ(run.at("UserData"), Base64(script));
  EXPECT_NE(script.find("strata up /etc/strata/cluster.yaml --here"), std::string::npos);
  EXPECT_NE(script.find(Base64(file_text)), std::string::npos) << "the cluster file travels along";
  EXPECT_EQ(script.find("AKIDEXAMPLE"), std::string::npos) << "but no AWS keys";
  bool role_tag = false;
  for (int i = 1; run.count("TagSpecification.1.Tag." + std::to_string(i) + ".Key"); ++i) {
    role_tag = role_tag || (run.at("TagSpecification.1.Tag." + std::to_string(i) + ".Key") == "strata-role" &&
                            run.at("TagSpecification.1.Tag." + std::to_string(i) + ".Value") == "head");
  }
  EXPECT_TRUE(role_tag);
  // The autoscaler (on the head) manages nodes, never the head itself;
  // `strata down` from outside ends both.
  const auto nodes = provider.NonTerminated();
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].id.value, "i-node");
  EXPECT_EQ(nodes[0].node_type, "intel_spot");
  const Result<std::vector<InstanceId>> all = provider.AllInstanceIds();
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(*all, (std::vector<InstanceId>{{"i-head"}, {"i-node"}}));
}

TEST(Ec2Xml, ParsesEveryPublishedResponse) {
  std::string token;
  auto run = ParseInstances(Vector("run_instances.xml"), &token);
  ASSERT_FALSE(run.empty());
  EXPECT_FALSE(run[0].instance_type.empty());
  EXPECT_EQ(ParseInstances(Vector("run_instances_spot.xml"), nullptr)[0].lifecycle, "spot");
  EXPECT_FALSE(ParseInstances(Vector("run_instances_iam_profile.xml"), nullptr).empty());
  auto described = ParseInstances(Vector("describe_instances.xml"), &token);
  EXPECT_GE(described.size(), 2u) << "two reservations";
  EXPECT_TRUE(token.empty());
  auto terminated = ParseInstances(Vector("terminate_instances.xml"), nullptr);
  ASSERT_FALSE(terminated.empty());
  EXPECT_EQ(terminated[0].state, "shutting-down");
  EXPECT_FALSE(ParseInstances(Vector("terminate_instances_legacy_2010-08-31.xml"), nullptr).empty());
  Ec2Error e;
  ASSERT_TRUE(ParseEc2Error(Vector("error_insufficient_instance_capacity.xml"), &e));
  EXPECT_EQ(e.code, "InsufficientInstanceCapacity");
  ASSERT_TRUE(ParseEc2Error(Vector("error_request_limit_exceeded.xml"), &e));
  EXPECT_EQ(e.code, "RequestLimitExceeded");
  EXPECT_FALSE(ParseEc2Error("<not xml", &e));
}

}  // namespace
}  // namespace strata::aws
