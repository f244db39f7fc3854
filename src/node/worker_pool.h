// Starts worker processes: the job's own executable, in worker mode.
// (process/spawn.h learns when they exit.)
//
// Thread-safety: not thread-safe; owned by the agent's event loop thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "rpc/messages.h"
#include "strata/internal/ids.h"

namespace strata::node {

struct JobLaunchSpec {
  std::string executable;  // "" while this node is still fetching it
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;  // KEY=VALUE, the driver's environment
  // The job's executables, one per architecture. On the driver's node the
  // hashes are filled in when its work first goes to another node.
  std::vector<rpc::JobBinary> binaries;
  std::vector<std::string> binary_paths;  // parallel to `binaries`: local files, "" if none
};

// Environment variables a worker is started with; Init() reads them.
constexpr const char* kEnvWorkerMode = "STRATA_WORKER_MODE";
constexpr const char* kEnvAgentAddress = "STRATA_AGENT_ADDRESS";
constexpr const char* kEnvWorkerId = "STRATA_WORKER_ID";
constexpr const char* kEnvToken = "STRATA_TOKEN";

// Spawns a worker whose stdout and stderr go to a pipe; `*output_fd` receives
// its read end (the caller owns it). Returns the pid.
Result<pid_t> SpawnWorker(const JobLaunchSpec& job, const std::string& agent_address, const std::string& token,
                          const WorkerId& worker, int* output_fd);

}  // namespace strata::node
