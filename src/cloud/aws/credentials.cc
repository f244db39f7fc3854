#include "cloud/aws/credentials.h"

#include <cstdlib>
#include <ctime>

#include <nlohmann/json.hpp>

#include "cloud/http.h"

namespace strata::aws {

Result<std::string> ImdsGet(const std::string& metadata_url, const std::string& path, long* status) {
  const cloud::HttpResponse token =
      cloud::HttpRequest("PUT", metadata_url + "/latest/api/token",
                         {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, "", 2000);
  if (token.status != 200) {
    return Unavailable("instance metadata at " + metadata_url + " gave no session token (" +
                       (token.error.empty() ? "HTTP " + std::to_string(token.status) : token.error) + ")");
  }
  const cloud::HttpResponse r = cloud::HttpRequest(
      "GET", metadata_url + path, {{"X-aws-ec2-metadata-token", token.body}}, "", 2000);
  if (status != nullptr) *status = r.status;
  if (r.status != 200) {
    return (r.status == 404 ? NotFound : Unavailable)(metadata_url + path + ": " +
                                                      (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error));
  }
  return r.body;
}

Result<Credentials> CredentialSource::Get() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (id != nullptr && secret != nullptr && *id != '\0' && *secret != '\0') {
    const char* token = std::getenv("AWS_SESSION_TOKEN");
    return Credentials{id, secret, token != nullptr ? token : ""};
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!cached_.access_key_id.empty() &&
      std::chrono::system_clock::now() + std::chrono::minutes(5) < expires_) {
    return cached_;
  }
  Result<std::string> role = ImdsGet(metadata_url_, "/latest/meta-data/iam/security-credentials/");
  if (!role.ok()) {
    return Unavailable("no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and the "
                       "instance role is not available (" + role.status().message() + ")");
  }
  const std::string name = role->substr(0, role->find('\n'));
  STRATA_ASSIGN_OR_RETURN(const std::string body,
                          ImdsGet(metadata_url_, "/latest/meta-data/iam/security-credentials/" + name));
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  auto text = [&j](const char* key) { return j.contains(key) && j[key].is_string(); };
  if (!j.is_object() || !text("AccessKeyId") || !text("SecretAccessKey") ||
      (j.contains("Token") && !j["Token"].is_string()) || (j.contains("Expiration") && !j["Expiration"].is_string())) {
    return DataLoss("the instance role's credentials are not in the expected JSON shape");
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
  return cached_;
}

}  // namespace strata::aws
