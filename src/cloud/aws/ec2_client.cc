#include "cloud/aws/ec2_client.h"

#include <chrono>
#include <random>
#include <thread>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "cloud/http.h"

namespace strata::aws {

namespace {

constexpr const char* kApiVersion = "2016-11-15";

std::string Name(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

std::string Text(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c != nullptr ? reinterpret_cast<char*>(c) : "";
  xmlFree(c);
  return s;
}

const xmlNode* Child(const xmlNode* n, const std::string& name) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && Name(c) == name) return c;
  }
  return nullptr;
}

std::string ChildText(const xmlNode* n, const std::string& name) {
  const xmlNode* c = Child(n, name);
  return c != nullptr ? Text(c) : "";
}

std::vector<const xmlNode*> Items(const xmlNode* set) {
  std::vector<const xmlNode*> items;
  if (set == nullptr) return items;
  for (const xmlNode* c = set->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && Name(c) == "item") items.push_back(c);
  }
  return items;
}

Ec2Instance ParseInstance(const xmlNode* item) {
  Ec2Instance i;
  i.id = ChildText(item, "instanceId");
  if (const xmlNode* state = Child(item, "instanceState")) i.state = ChildText(state, "name");
  if (const xmlNode* state = Child(item, "currentState")) i.state = ChildText(state, "name");
  i.instance_type = ChildText(item, "instanceType");
  i.private_ip = ChildText(item, "privateIpAddress");
  i.subnet_id = ChildText(item, "subnetId");
  i.lifecycle = ChildText(item, "instanceLifecycle");
  for (const xmlNode* tag : Items(Child(item, "tagSet"))) {
    i.tags[ChildText(tag, "key")] = ChildText(tag, "value");
  }
  return i;
}

// Every instancesSet/item under `n`, at any depth (RunInstances has them at
// the top, DescribeInstances inside reservationSet/item).
void CollectInstances(const xmlNode* n, std::vector<Ec2Instance>* out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (Name(c) == "instancesSet") {
      for (const xmlNode* item : Items(c)) out->push_back(ParseInstance(item));
    } else {
      CollectInstances(c, out);
    }
  }
}

xmlDoc* ParseXml(const std::string& xml) {
  return xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "ec2.xml", nullptr,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

bool Retryable(const Ec2Error& e) {
  return e.code == "RequestLimitExceeded" || e.code == "Throttling" ||
         e.code == "InternalError" || e.code == "ServiceUnavailable" ||
         (e.http_status >= 500 && e.code != "InsufficientInstanceCapacity") ||
         e.http_status == 0;
}

}  // namespace

std::string Base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::vector<Ec2Instance> ParseInstances(const std::string& xml, std::string* next_token) {
  std::vector<Ec2Instance> out;
  xmlDoc* doc = ParseXml(xml);
  if (doc == nullptr) return out;
  const xmlNode* root = xmlDocGetRootElement(doc);
  if (root != nullptr) {
    CollectInstances(root, &out);
    if (next_token != nullptr) *next_token = ChildText(root, "nextToken");
  }
  xmlFreeDoc(doc);
  return out;
}

bool ParseEc2Error(const std::string& xml, Ec2Error* error) {
  xmlDoc* doc = ParseXml(xml);
  if (doc == nullptr) return false;
  bool found = false;
  const xmlNode* root = xmlDocGetRootElement(doc);
  if (root != nullptr) {
    const xmlNode* errors = Child(root, "Errors");
    const xmlNode* e = errors != nullptr ? Child(errors, "Error") : nullptr;
    if (e == nullptr && Name(root) == "Error") e = root;
    if (e != nullptr) {
      error->code = ChildText(e, "Code");
      error->message = ChildText(e, "Message");
      found = !error->code.empty();
    }
  }
  xmlFreeDoc(doc);
  return found;
}

Ec2Client::Ec2Client(std::string endpoint, std::string region, CredentialSource* credentials)
    : endpoint_(std::move(endpoint)), region_(std::move(region)), credentials_(credentials) {
  if (endpoint_.empty()) endpoint_ = "https://ec2." + region_ + ".amazonaws.com";
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
  const size_t scheme = endpoint_.find("://");
  host_ = scheme == std::string::npos ? endpoint_ : endpoint_.substr(scheme + 3);
}

bool Ec2Client::Call(const std::string& action,
                     std::vector<std::pair<std::string, std::string>> params, std::string* body,
                     Ec2Error* error) {
  params.insert(params.begin(), {{"Action", action}, {"Version", kApiVersion}});
  std::string form;
  for (const auto& [k, v] : params) {
    form += (form.empty() ? "" : "&") + UriEncode(k, false) + "=" + UriEncode(v, false);
  }
  static thread_local std::mt19937 rng(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    const Result<Credentials> got = credentials_->Get();
    if (!got.ok()) {
      *error = Ec2Error{"NoCredentials", got.status().message(), 0};
      return false;
    }
    const Credentials& creds = *got;
    const std::string date = AmzDate(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
    SignableRequest req;
    req.method = "POST";
    req.path = "/";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                   {"Host", host_},
                   {"X-Amz-Date", date}};
    if (!creds.session_token.empty()) req.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
    req.body = form;
    const SignatureParts sig = SignV4(req, creds, region_, "ec2", date);
    auto headers = req.headers;
    headers.emplace_back("Authorization", sig.authorization);
    const cloud::HttpResponse r = cloud::HttpRequest("POST", endpoint_ + "/", headers, form, 30000);
    if (r.status == 200) {
      *body = r.body;
      return true;
    }
    *error = Ec2Error{};
    error->http_status = r.status;
    if (r.status == 0) {
      error->code = "Unreachable";
      error->message = r.error;
    } else if (!ParseEc2Error(r.body, error)) {
      error->code = "HTTP" + std::to_string(r.status);
      error->message = r.body.substr(0, 300);
    }
    if (!Retryable(*error) || attempt >= max_attempts) return false;
    // Full jitter: a fleet of retries does not come back in lockstep.
    const long cap = base_backoff_ms << std::min(attempt - 1, 10);
    const long wait = std::uniform_int_distribution<long>(cap / 2, cap)(rng);
    spdlog::warn("EC2 {}: {} ({}); retrying in {} ms (attempt {} of {})", action, error->code,
                 error->message, wait, attempt, max_attempts);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

bool Ec2Client::RunInstances(const RunRequest& r, std::vector<Ec2Instance>* out,
                             Ec2Error* error) {
  std::vector<std::pair<std::string, std::string>> p = {
      {"ImageId", r.image_id},
      {"InstanceType", r.instance_type},
      {"MinCount", "1"},
      {"MaxCount", std::to_string(r.count)}};
  if (!r.subnet_id.empty()) p.emplace_back("SubnetId", r.subnet_id);
  for (size_t i = 0; i < r.security_group_ids.size(); ++i) {
    p.emplace_back("SecurityGroupId." + std::to_string(i + 1), r.security_group_ids[i]);
  }
  if (!r.iam_instance_profile.empty()) {
    const bool arn = r.iam_instance_profile.rfind("arn:", 0) == 0;
    p.emplace_back(arn ? "IamInstanceProfile.Arn" : "IamInstanceProfile.Name",
                   r.iam_instance_profile);
  }
  if (!r.key_name.empty()) p.emplace_back("KeyName", r.key_name);
  if (r.spot) {
    p.emplace_back("InstanceMarketOptions.MarketType", "spot");
    p.emplace_back("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time");
    p.emplace_back("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate");
  }
  if (!r.user_data.empty()) p.emplace_back("UserData", Base64(r.user_data));
  if (!r.tags.empty()) p.emplace_back("TagSpecification.1.ResourceType", "instance");
  int n = 1;
  for (const auto& [k, v] : r.tags) {
    p.emplace_back("TagSpecification.1.Tag." + std::to_string(n) + ".Key", k);
    p.emplace_back("TagSpecification.1.Tag." + std::to_string(n) + ".Value", v);
    ++n;
  }
  std::string body;
  if (!Call("RunInstances", std::move(p), &body, error)) return false;
  *out = ParseInstances(body, nullptr);
  return true;
}

bool Ec2Client::DescribeInstances(const std::vector<Ec2Filter>& filters,
                                  std::vector<Ec2Instance>* out, Ec2Error* error) {
  out->clear();
  std::string token;
  do {
    std::vector<std::pair<std::string, std::string>> p;
    for (size_t f = 0; f < filters.size(); ++f) {
      const std::string prefix = "Filter." + std::to_string(f + 1);
      p.emplace_back(prefix + ".Name", filters[f].name);
      for (size_t v = 0; v < filters[f].values.size(); ++v) {
        p.emplace_back(prefix + ".Value." + std::to_string(v + 1), filters[f].values[v]);
      }
    }
    if (!token.empty()) p.emplace_back("NextToken", token);
    std::string body;
    if (!Call("DescribeInstances", std::move(p), &body, error)) return false;
    std::vector<Ec2Instance> page = ParseInstances(body, &token);
    out->insert(out->end(), page.begin(), page.end());
  } while (!token.empty());
  return true;
}

bool Ec2Client::TerminateInstances(const std::vector<std::string>& ids, Ec2Error* error) {
  if (ids.empty()) return true;
  std::vector<std::pair<std::string, std::string>> p;
  for (size_t i = 0; i < ids.size(); ++i) p.emplace_back("InstanceId." + std::to_string(i + 1), ids[i]);
  std::string body;
  return Call("TerminateInstances", std::move(p), &body, error);
}

}  // namespace strata::aws
