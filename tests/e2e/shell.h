// Runs a command for the multi-process tests: exit code and combined output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace strata::testing {

struct Result {
  int code;
  std::string output;
};

inline Result Shell(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace strata::testing
