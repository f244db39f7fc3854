// Built against an installed Strata with find_package(Strata).
#include <cstdio>
#include <string>
#include <vector>

#include <strata/strata.h>

size_t Length(const std::string& word) { return word.size(); }
STRATA_REMOTE(Length);

int main() {
  strata::Init();
  std::vector<std::string> words = {"strata", "runs", "tasks", "on", "every", "core"};
  std::vector<strata::ObjectRef<size_t>> refs;
  for (const auto& w : words) refs.push_back(strata::Task(Length).Remote(w));
  size_t total = 0;
  for (size_t n : strata::Get(refs)) total += n;
  std::printf("total length: %zu\n", total);
  strata::Shutdown();
  return total == 26 ? 0 : 1;
}
