#include "strata/internal/function_registry.h"

#include <mutex>
#include <unordered_map>

namespace strata::internal {

namespace {

struct Registry {
  std::mutex mu;
  std::unordered_map<std::string, RemoteFunction> by_name;
  std::unordered_map<std::string, std::string> name_by_key;
};

// Function-local static: registrations run during static initialization of
// user translation units, in an order no one controls.
Registry& TheRegistry() {
  static Registry* r = new Registry();
  return *r;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r&");
  size_t e = s.find_last_not_of(" \t\n\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::vector<std::string> SplitRemoteNames(const char* names) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (const char* p = names; *p != '\0'; ++p) {
    const char c = *p;
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(Trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!Trim(cur).empty()) out.push_back(Trim(cur));
  return out;
}

void RegisterFunction(const std::string& key, RemoteFunction fn) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.name_by_key[key] = fn.name;
  const std::string name = fn.name;
  r.by_name[name] = std::move(fn);
}

const RemoteFunction* FindFunction(const std::string& name) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.by_name.find(name);
  return it == r.by_name.end() ? nullptr : &it->second;
}

const std::string& NameOfFunction(const std::string& key) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.name_by_key.find(key);
  if (it == r.name_by_key.end()) {
    throw StrataError(
        "this function is not registered for remote calls: add STRATA_REMOTE(<function>) "
        "at namespace scope in one of your source files");
  }
  return it->second;
}

}  // namespace strata::internal
