// Child processes: start one with its output on a pipe, and learn when it
// exits. Used for workers (node/worker_pool) and for the drivers of
// submitted jobs (head/job_manager).
//
// Thread-safety: the functions are; a pid is reaped by one caller only.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace strata::process {

// Starts `path` with this argv, environment (KEY=VALUE) and working directory,
// in its own process group, stdin from /dev/null and stdout + stderr into a
// pipe whose read end goes to `*output_fd`. Returns the pid.
Result<pid_t> SpawnWithOutput(const std::string& path, std::vector<std::string> argv,
                              std::vector<std::string> env, const std::string& cwd, int* output_fd);
// "STRATA_...=..." : the variables that say which cluster a process belongs to.
bool IsStrataVariable(const std::string& kv);
// Our own environment without STRATA_* variables.
std::vector<std::string> InheritedEnvironment();

struct ExitInfo {
  bool exited = false;
  std::string description;  // "exit code 3", "killed by signal 9 (Killed)"
};
// Non-blocking check of one child.
ExitInfo PollExit(pid_t pid);
// Waits up to timeout_ms for a child to exit; kills it (SIGKILL) if it does not.
ExitInfo ReapWithin(pid_t pid, int timeout_ms);

}  // namespace strata::process
