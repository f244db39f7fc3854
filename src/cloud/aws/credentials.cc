#include "cloud/aws/credentials.h"

#include <cstdlib>
#include <ctime>

#include <nlohmann/json.hpp>

#include "cloud/http.h"

namespace strata::aws {

bool ImdsGet(const std::string& metadata_url, const std::string& path, std::string* out,
             std::string* error, long* status) {
  const cloud::HttpResponse token =
      cloud::HttpRequest("PUT", metadata_url + "/latest/api/token",
                         {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, "", 2000);
  if (token.status != 200) {
    *error = "instance metadata at " + metadata_url + " gave no session token (" +
             (token.error.empty() ? "HTTP " + std::to_string(token.status) : token.error) + ")";
    return false;
  }
  const cloud::HttpResponse r = cloud::HttpRequest(
      "GET", metadata_url + path, {{"X-aws-ec2-metadata-token", token.body}}, "", 2000);
  if (status != nullptr) *status = r.status;
  if (r.status != 200) {
    *error = metadata_url + path + ": " +
             (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error);
    return false;
  }
  *out = r.body;
  return true;
}

bool CredentialSource::Get(Credentials* out, std::string* error) {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (id != nullptr && secret != nullptr && *id != '\0' && *secret != '\0') {
    const char* token = std::getenv("AWS_SESSION_TOKEN");
    *out = Credentials{id, secret, token != nullptr ? token : ""};
    return true;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!cached_.access_key_id.empty() &&
      std::chrono::system_clock::now() + std::chrono::minutes(5) < expires_) {
    *out = cached_;
    return true;
  }
  std::string role, body;
  if (!ImdsGet(metadata_url_, "/latest/meta-data/iam/security-credentials/", &role, error)) {
    *error = "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and the "
             "instance role is not available (" + *error + ")";
    return false;
  }
  role = role.substr(0, role.find('\n'));
  if (!ImdsGet(metadata_url_, "/latest/meta-data/iam/security-credentials/" + role, &body, error)) {
    return false;
  }
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("AccessKeyId") || !j.contains("SecretAccessKey")) {
    *error = "the instance role's credentials are not in the expected JSON shape";
    return false;
  }
  cached_ = Credentials{j["AccessKeyId"], j["SecretAccessKey"], j.value("Token", "")};
  expires_ = std::chrono::system_clock::now() + std::chrono::minutes(30);
  if (j.contains("Expiration")) {
    std::tm tm{};
    const std::string when = j["Expiration"];
    if (strptime(when.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) != nullptr) {
      expires_ = std::chrono::system_clock::from_time_t(timegm(&tm));
    }
  }
  *out = cached_;
  return true;
}

}  // namespace strata::aws
