// AWS Signature Version 4: how every EC2 (and IMDS-credentialed) request is
// signed. Written from the published specification and checked against the
// AWS test suite (../shared/vectors/aws-sig-v4-test-suite).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace strata::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (an instance role) have one
};

struct SignableRequest {
  std::string method;  // GET, POST
  std::string path;    // as sent, e.g. "/" or "/a b/../c" (normalized and encoded here)
  std::string query;   // without '?'; "" if none
  std::vector<std::pair<std::string, std::string>> headers;  // must include Host and X-Amz-Date
  std::string body;
};

struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;  // the Authorization header's value
};

// `amz_date` is the X-Amz-Date value (YYYYMMDDTHHMMSSZ).
SignatureParts SignV4(const SignableRequest& request, const Credentials& credentials,
                      const std::string& region, const std::string& service,
                      const std::string& amz_date);

// RFC 3986 encoding as SigV4 wants it: unreserved characters as they are,
// every other byte as %XX (uppercase).
std::string UriEncode(const std::string& s, bool keep_slash);
std::string Sha256Hex(const std::string& data);
// X-Amz-Date for `unix_seconds`.
std::string AmzDate(long long unix_seconds);

}  // namespace strata::aws
