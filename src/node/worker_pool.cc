#include "node/worker_pool.h"

#include "process/spawn.h"

namespace strata::node {

Result<pid_t> SpawnWorker(const JobLaunchSpec& job, const std::string& agent_address, const std::string& token,
                          const WorkerId& worker, int* output_fd) {
  std::vector<std::string> env;
  for (const std::string& kv : job.env) {
    if (!process::IsStrataVariable(kv)) env.push_back(kv);
  }
  env.push_back(std::string(kEnvWorkerMode) + "=1");
  env.push_back(std::string(kEnvAgentAddress) + "=" + agent_address);
  env.push_back(std::string(kEnvWorkerId) + "=" + worker.Hex());
  env.push_back(std::string(kEnvToken) + "=" + token);
  std::vector<std::string> args = job.argv;
  if (args.empty()) args.push_back(job.executable);
  Result<pid_t> pid = process::SpawnWithOutput(job.executable, std::move(args), std::move(env), job.cwd, output_fd);
  if (!pid.ok()) return pid.status().WithContext("cannot start worker " + job.executable + ": ");
  return pid;
}

}  // namespace strata::node
