// A small HTTP client over libcurl for the cloud providers (EC2, instance
// metadata). Blocking; callers run it off any event loop.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace strata::cloud {

struct HttpResponse {
  long status = 0;      // 0 when no answer came (see error)
  std::string body;
  std::string error;    // transport failure: refused, timeout, TLS, ...
};

HttpResponse HttpRequest(const std::string& method, const std::string& url,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, long timeout_ms);

}  // namespace strata::cloud
