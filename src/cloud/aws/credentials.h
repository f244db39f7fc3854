// Where AWS credentials come from: the standard environment variables
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), else the
// instance's IAM role through the instance metadata service (IMDSv2: a
// session token first, then the role's temporary keys, refreshed before they
// expire). Never read from or written to the cluster file or the nodes.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "cloud/aws/sigv4.h"
#include "common/status.h"

namespace strata::aws {

// IMDSv2: GET `path` (e.g. "/latest/meta-data/instance-id") with a session
// token: the body (NotFound on 404, Unavailable otherwise). `status` gets
// the HTTP status when the token was granted.
Result<std::string> ImdsGet(const std::string& metadata_url, const std::string& path, long* status = nullptr);

class CredentialSource {
 public:
  explicit CredentialSource(std::string metadata_url) : metadata_url_(std::move(metadata_url)) {}
  // The environment's keys, else the instance role's (cached until near expiry).
  Result<Credentials> Get();

 private:
  std::string metadata_url_;
  std::mutex mu_;
  Credentials cached_;
  std::chrono::system_clock::time_point expires_{};
};

}  // namespace strata::aws
