// The EC2 Query API (version 2016-11-15) over HTTPS, signed with SigV4, no
// AWS SDK: RunInstances, DescribeInstances (tag filters, every page) and
// TerminateInstances. RequestLimitExceeded (and 5xx) is retried with
// exponential backoff and jitter; every other error comes back as its EC2
// code and message for the caller to act on (capacity errors: try elsewhere).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cloud/aws/credentials.h"

namespace strata::aws {

struct Ec2Error {
  std::string code;     // "InsufficientInstanceCapacity", "RequestLimitExceeded", ...
  std::string message;
  long http_status = 0;
};

struct Ec2Instance {
  std::string id;
  std::string state;  // pending, running, shutting-down, terminated, stopping, stopped
  std::string instance_type;
  std::string private_ip;
  std::string subnet_id;
  std::string lifecycle;  // "spot" for spot instances
  std::map<std::string, std::string> tags;
};

struct RunRequest {
  std::string image_id;
  std::string instance_type;
  int count = 1;
  std::string subnet_id;
  std::vector<std::string> security_group_ids;
  std::string iam_instance_profile;  // an ARN (arn:...) or a name
  std::string key_name;
  bool spot = false;
  std::string user_data;  // the script itself; sent base64-encoded
  std::map<std::string, std::string> tags;
};

struct Ec2Filter {
  std::string name;
  std::vector<std::string> values;
};

class Ec2Client {
 public:
  // `endpoint`: e.g. https://ec2.us-west-2.amazonaws.com (or a local test endpoint).
  Ec2Client(std::string endpoint, std::string region, CredentialSource* credentials);

  bool RunInstances(const RunRequest& request, std::vector<Ec2Instance>* out, Ec2Error* error);
  bool DescribeInstances(const std::vector<Ec2Filter>& filters, std::vector<Ec2Instance>* out,
                         Ec2Error* error);
  bool TerminateInstances(const std::vector<std::string>& ids, Ec2Error* error);

  int max_attempts = 5;
  long base_backoff_ms = 200;  // doubled each retry, with jitter

 private:
  bool Call(const std::string& action, std::vector<std::pair<std::string, std::string>> params,
            std::string* body, Ec2Error* error);

  std::string endpoint_;
  std::string host_;
  std::string region_;
  CredentialSource* credentials_;
};

// Parsers for EC2's XML (namespaces ignored; lists are xxxSet/item).
std::vector<Ec2Instance> ParseInstances(const std::string& xml, std::string* next_token);
bool ParseEc2Error(const std::string& xml, Ec2Error* error);
std::string Base64(const std::string& data);

}  // namespace strata::aws
