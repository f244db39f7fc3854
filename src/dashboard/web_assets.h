// The web page's files (web/), built into the binary at compile time
// (embed_web.cmake): nothing is fetched at run time.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace strata::dashboard {

struct WebAsset {
  std::string path;  // "/index.html", "/app.js", ...
  const char* content_type;
  const char* bytes;
  size_t size;
};

const std::vector<WebAsset>& WebAssets();

}  // namespace strata::dashboard
