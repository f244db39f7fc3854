// The `strata` command line: one function per subcommand. Each returns the
// process exit code and prints its own errors (to stderr, naming the flag or
// the address at fault).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rpc/channel.h"
#include "rpc/cluster_messages.h"

namespace strata::cli {

struct StartFlags {
  bool head = false;
  std::string address;        // join this head instead of being one
  std::string host = "127.0.0.1";
  int port = -1;              // Default: 6380 for a head, any free port for a node
  double node_timeout_s = 10;
  double dead_node_retention_s = 600;
  int num_cpus = -1;  // -1: all cores
  std::string resources_json;
  int64_t object_store_memory = 0;
  std::string spill_dir;
  bool block = false;
  std::string token;
  std::string node_type;    // Default: "head" or "worker"
  std::string instance_id;  // set by the autoscaler's provider
  std::string spot_metadata_url;  // nodes: watch it for spot interruption notices
  int spot_poll_ms = 5000;
  std::string dashboard_host = "127.0.0.1";  // head only
  int dashboard_port = 8265;
  bool no_dashboard = false;
};

int RunStart(const StartFlags& flags);
int RunStop();
// Where `strata start --address` records the nodes it started on this machine.
std::string NodeRecordDir();
// One status from the head over a connected `channel`.
Result<rpc::ClusterStatus> FetchStatus(rpc::Channel* channel, const std::string& address);
// `strata timeline`: every alive node's ring of task executions as a Chrome
// trace (Perfetto) in `out`; `job_hex` empty for every job.
int RunTimeline(const std::string& address, const std::string& token, const std::string& job_hex,
                const std::string& out);
// watch_s > 0: redraw every watch_s seconds until interrupted.
int RunStatus(const std::string& address, const std::string& token, bool json, double watch_s);
int RunDrain(const std::string& node_id, double deadline_s, const std::string& address,
             const std::string& token);

struct JobSubmitFlags {
  std::string address;
  std::string token;
  std::vector<std::string> binaries;  // ARCH=PATH, for nodes of other architectures
  std::vector<std::string> env;       // KEY=VALUE for the driver
  bool no_wait = false;
  std::vector<std::string> command;   // the program and its arguments
};
// `strata up FILE`, `strata down FILE`, and the autoscaler process they manage.
// `here`: run the head on this machine even for a cloud provider.
int RunUp(const std::string& file, const StartFlags& flags, bool here);
int RunDown(const std::string& file);
int RunAutoscaler(const std::string& file, const std::string& address, const std::string& token,
                  const std::string& state_dir);

int RunJobSubmit(const JobSubmitFlags& flags);
// `strata run FILE.yaml`: a pipeline file, on `address` or an embedded cluster.
// `dashboard_port` >= 0: an embedded cluster serves the dashboard there while
// the run lasts.
int RunPipelineFile(const std::string& file, const std::string& address, bool progress, int dashboard_port = -1);
// `strata run FILE.yaml --explain`: prints the physical plan; runs nothing.
int ExplainPipelineFile(const std::string& file);
int RunJobList(const std::string& address, const std::string& token, bool json);
int RunJobLogs(const std::string& job, bool follow, const std::string& address,
               const std::string& token);
int RunJobStop(const std::string& job, const std::string& address, const std::string& token);

// Parses --resources: a JSON object of non-negative numbers.
Result<std::map<std::string, double>> ParseResources(const std::string& json);
// The cluster to talk to: the flag, else $STRATA_ADDRESS, else the record
// `strata start` wrote. "" if none.
std::string ResolveAddress(const std::string& flag);
// The token for that cluster: the flag, else $STRATA_TOKEN, else the record's
// when the address is the recorded cluster's.
std::string ResolveToken(const std::string& flag, const std::string& address);
// Connects and says hello as the CLI; on failure prints why (naming
// `command`) and returns false.
bool ConnectAsCli(const std::string& address, const std::string& token_flag, const char* command,
                  rpc::Channel* channel);

}  // namespace strata::cli
