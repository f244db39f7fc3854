// The instance-role credentials path against a local endpoint speaking
// IMDSv2 (token, role name, role credentials): good answers, a missing
// role, and credentials JSON of the wrong shape are values or errors, never
// an exception.
#include "cloud/aws/credentials.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "support/http_test_server.h"

namespace strata::aws {
namespace {

using strata::testing::HttpTestRequest;
using strata::testing::HttpTestResponse;
using strata::testing::HttpTestServer;

// An IMDS whose role credentials document is `document` (404 when empty).
HttpTestServer::Handler Imds(std::string document) {
  return [document](const HttpTestRequest& r) {
    if (r.method == "PUT" && r.path == "/latest/api/token") return HttpTestResponse{200, "token-1"};
    if (r.headers.count("x-aws-ec2-metadata-token") == 0) return HttpTestResponse{401, ""};
    if (r.path == "/latest/meta-data/iam/security-credentials/") {
      return document.empty() ? HttpTestResponse{404, ""} : HttpTestResponse{200, "strata-node\n"};
    }
    if (r.path == "/latest/meta-data/iam/security-credentials/strata-node") return HttpTestResponse{200, document};
    return HttpTestResponse{404, ""};
  };
}

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
  }
};

TEST_F(CredentialsTest, TheInstanceRolesCredentialsAreRead) {
  HttpTestServer imds(Imds(R"({"AccessKeyId": "ASIA1", "SecretAccessKey": "s3cr3t", "Token": "t",
                               "Expiration": "2099-01-01T00:00:00Z"})"));
  CredentialSource source(imds.url());
  const Result<Credentials> got = source.Get();
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->access_key_id, "ASIA1");
  EXPECT_EQ(got->secret_access_key, "s3cr3t");
  EXPECT_EQ(got->session_token, "t");
}

TEST_F(CredentialsTest, NoRoleIsAnErrorSayingWhatWasTried) {
  HttpTestServer imds(Imds(""));
  CredentialSource source(imds.url());
  const Result<Credentials> got = source.Get();
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos) << got.status().message();
  EXPECT_EQ(ImdsGet(imds.url(), "/latest/meta-data/iam/security-credentials/").status().code(),
            StatusCode::kNotFound);
}

TEST_F(CredentialsTest, CredentialsOfTheWrongShapeAreDataLossNotACrash) {
  for (const char* document : {R"({"AccessKeyId": 7, "SecretAccessKey": "s"})", R"({"AccessKeyId": "a"})",
                               R"(["not", "an", "object"])", R"({"AccessKeyId": "a", "SecretAccessKey": "s",
                               "Expiration": 5})", "not json"}) {
    HttpTestServer imds(Imds(document));
    CredentialSource source(imds.url());
    const Result<Credentials> got = source.Get();
    ASSERT_FALSE(got.ok()) << document;
    EXPECT_EQ(got.status().code(), StatusCode::kDataLoss) << document;
  }
}

}  // namespace
}  // namespace strata::aws
