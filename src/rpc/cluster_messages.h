// What nodes and the head tell each other about a node: its report (every
// heartbeat, node -> head) and the cluster view (head -> every node) are
// vectors of NodeRecord. Declared here, with the other wire messages; the
// head keeps them as its table rows (head/cluster_state.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <msgpack/adaptor/cpp17/optional.hpp>

#include "common/instance_id.h"
#include "common/resources.h"
#include "rpc/messages.h"
#include "strata/internal/ids.h"
#include "strata/serialization.h"

namespace strata::rpc {

// A node's life as the head sees it. Text only at the edges (NodeStateName).
enum class NodeState : uint8_t {
  kAlive = 0,
  kDraining = 1,  // finishing its work, then it leaves
  kDrained = 2,   // left on request (drained; the autoscaler terminates these)
  kDead = 3,      // lost: connection dropped or silent past the timeout
};
// "ALIVE", "DRAINING", "DRAINED", "DEAD": what `strata status` shows.
const char* NodeStateName(NodeState state);

struct StoreStats {
  uint64_t capacity_bytes = 0;
  uint64_t used_bytes = 0;      // in shared memory
  uint64_t spilled_bytes = 0;   // on local disk
  uint64_t num_objects = 0;
  uint64_t num_spilled = 0;
  uint64_t spill_count = 0;     // objects spilled since start
  uint64_t pooled_bytes = 0;    // freed shared memory kept for reuse
  std::string spill_error;      // why the last spill failed ("" once one succeeds again)
  uint64_t refused = 0;         // objects refused since start: store full, spilling failing
  MSGPACK_DEFINE(capacity_bytes, used_bytes, spilled_bytes, num_objects, num_spilled, spill_count,
                 pooled_bytes, spill_error, refused);
};

// Objects this node pulled from other nodes, and bytes it sent them.
struct TransferStats {
  uint64_t pulls = 0;          // objects pulled whole
  uint64_t pull_failures = 0;  // pulls that failed (the holder left, a bad chunk)
  uint64_t pulled_bytes = 0;
  uint64_t served_bytes = 0;   // object bytes sent to pulling nodes
  MSGPACK_DEFINE(pulls, pull_failures, pulled_bytes, served_bytes);
};

// How long tasks waited on the node that ran them, from arriving there to
// being sent to a worker: counts per bucket (kSchedulingBucketsSeconds, then
// one past the last bound), and the sum.
inline constexpr double kSchedulingBucketsSeconds[] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05,
                                                       0.1,    0.5,    1,     5,     10,   60};
struct LatencyHistogram {
  std::vector<uint64_t> counts;  // size: bounds + 1 (or empty: none yet)
  double sum_seconds = 0;
  MSGPACK_DEFINE(counts, sum_seconds);
};

struct WorkerStats {
  int total = 0;
  int idle = 0;
  int busy = 0;
  int blocked = 0;
  int actors = 0;
  int starting = 0;
  MSGPACK_DEFINE(total, idle, busy, blocked, actors, starting);
};

// Tasks of one function a node ran since it started (finished counts the
// failed ones too); what the dashboard's tasks page sums over the cluster.
struct FunctionCounts {
  int64_t finished = 0;
  int64_t failed = 0;
  uint64_t exec_ns = 0;  // summed time in the function
  MSGPACK_DEFINE(finished, failed, exec_ns);
};

// A task that failed on a node: its function and the error a Get raises.
struct TaskFailure {
  std::string function;
  std::string error;
  int64_t time_ms = 0;  // unix
  MSGPACK_DEFINE(function, error, time_ms);
};

// One task execution on a node's worker, from the agent's ring (the timeline).
struct TaskExecution {
  std::string function;
  JobId job;
  int32_t worker_pid = 0;
  int64_t start_us = 0;  // unix microseconds
  int64_t duration_us = 0;
  uint64_t args_bytes = 0;  // inline arguments' bytes (by-reference ones are objects)
  bool failed = false;
  MSGPACK_DEFINE(function, job, worker_pid, start_us, duration_us, args_bytes, failed);
};

// cli -> agent (kTimelineRequest): its task executions, of one job or all.
struct TimelineRequest {
  JobId job;  // nil: every job
  MSGPACK_DEFINE(job);
};

// agent -> cli (kTimelineReply).
struct TimelineReply {
  NodeIndex node_index = NodeIndex::kHead;
  std::string node_type;
  std::string address;
  int64_t dropped = 0;  // executions the ring no longer holds
  std::vector<TaskExecution> executions;
  MSGPACK_DEFINE(node_index, node_type, address, dropped, executions);
};

// cli -> agent (kLogRequest): the node's log files (name empty), or the
// tail of one (common/session_logs.h).
struct LogRequest {
  std::string name;  // "logs/node.log", "logs/worker-1234.out", ...; empty: list them
  int32_t lines = 200;
  std::string query;  // only lines holding it (case-insensitive)
  MSGPACK_DEFINE(name, lines, query);
};

struct LogFile {
  std::string name;
  uint64_t bytes = 0;
  MSGPACK_DEFINE(name, bytes);
};

// agent -> cli (kLogReply).
struct LogReply {
  std::string error;  // "no log named ..."
  std::vector<LogFile> files;
  std::string text;
  MSGPACK_DEFINE(error, files, text);
};

// Sent by each node to the head (its report) and by the head to every node
// (the cluster view), so it is a message as well as a table row.
struct NodeRecord {
  NodeId id;
  NodeIndex index = NodeIndex::kHead;
  std::string node_type;  // "head" for the head's own node agent
  NodeState state = NodeState::kAlive;
  std::string address;
  std::string hostname;
  std::string arch;  // x86_64, arm64
  std::string spill_dir;
  ResourceSet total;
  ResourceSet used;       // leased by running work: what `status` shows as busy
  // Reserved for work not running yet (workers starting, tasks other nodes
  // sent here): senders count it as taken, `status` shows it as pending.
  ResourceSet committed;
  StoreStats store;
  WorkerStats workers;
  std::map<ResourceSet, int64_t> pending;     // queued, waiting for resources
  std::map<ResourceSet, int64_t> infeasible;  // no node can ever hold these
  int64_t tasks_finished = 0;
  InstanceId instance_id;  // the provider's id for this machine (autoscaled nodes)
  // Forwarded tasks received so far, by sending node's index: a sender
  // knows which of its tasks this report already counts as used.
  std::map<NodeIndex, int64_t> received_from;
  // Per node index: results of its forwarded tasks this node had sent back
  // when it made this report, so that the sender knows which of the results
  // it already has the report counts as still running.
  std::map<NodeIndex, int64_t> returned_to;
  std::map<std::string, FunctionCounts> functions;  // tasks run here, by function
  std::vector<TaskFailure> failures;                // the last few, newest last
  TransferStats transfers;
  LatencyHistogram scheduling_latency;
  MSGPACK_DEFINE(id, index, node_type, state, address, hostname, arch, spill_dir, total, used, store,
                 workers, pending, infeasible, tasks_finished, instance_id, received_from, committed,
                 returned_to, functions, failures, transfers, scheduling_latency);
};

// A driver's job as the head lists it.
struct JobRecord {
  JobId id;
  int driver_pid = 0;
  std::string executable;
  JobState state = JobState::kRunning;  // then kFinished
  int64_t start_time_ms = 0;
  int64_t end_time_ms = 0;
  MSGPACK_DEFINE(id, driver_pid, executable, state, start_time_ms, end_time_ms);
};

// One node type in the autoscaler's report.
struct AutoscalerNodeType {
  std::string name;
  int running = 0;
  int launching = 0;
  int idle = 0;
  int min_workers = 0;
  int max_workers = 0;
  double price_per_hour = 0;
  std::string paused;  // why launching this type is paused; "" when it is not
  MSGPACK_DEFINE(name, running, launching, idle, min_workers, max_workers, price_per_hour, paused);
};

// What the autoscaler did since it started (counters for /metrics).
struct AutoscalerCounters {
  int64_t launches = 0;      // instances the provider started
  int64_t terminations = 0;  // instances it was asked to end (dead, drained, never joined)
  int64_t drains = 0;        // idle nodes asked to drain
  int64_t failures = 0;      // launches refused, nodes that never joined or died starting
  MSGPACK_DEFINE(launches, terminations, drains, failures);
};

// autoscaler -> head after every round (kAutoscalerReport); the head shows
// the last one in the cluster status.
struct AutoscalerReport {
  std::string cluster_name;
  std::string provider;
  std::vector<AutoscalerNodeType> node_types;
  double cost_per_hour = 0;
  std::string last_action;      // "" until it first acted
  int64_t last_action_time = 0;  // unix seconds
  std::string plan;             // why the last plan is what it is
  AutoscalerCounters counters;
  MSGPACK_DEFINE(cluster_name, provider, node_types, cost_per_hour, last_action, last_action_time,
                 plan, counters);
};

// A pipeline run's life. Text only at the edges (PipelineStateName).
enum class PipelineState : uint8_t {
  kRunning = 0,
  kSucceeded = 1,
  kFailed = 2,
  kLost = 3,  // its driver left before the run ended
};
// "RUNNING", "SUCCEEDED", "FAILED", "LOST".
const char* PipelineStateName(PipelineState state);

// One stage of a run as it goes: parts done of the total (0: not known
// ahead), rows so far.
struct PipelineStage {
  std::string name;  // "read", "step 4 groupby", ...
  uint64_t done = 0;
  uint64_t total = 0;
  int64_t rows = 0;
  double seconds = 0;
  bool ended = false;
  MSGPACK_DEFINE(name, done, total, rows, seconds, ended);
};

// One step's rows so far (the map stage's steps grow part by part; a step
// after a shuffle is known when its stage ends).
struct PipelineStep {
  uint32_t step = 0;  // 1-based, as in the pipeline file
  std::string op;
  int64_t rows_in = 0;
  int64_t rows_out = 0;
  bool row_local = true;  // false: a global step (its rows out are not "dropped" ones)
  std::map<std::string, int64_t> counters;  // a filter's drops per rule, ...
  MSGPACK_DEFINE(step, op, rows_in, rows_out, row_local, counters);
};

// driver -> agent -> head (kPipelineReport), at most a few times a second
// while a pipeline runs and once when it ends: what the dashboard's
// pipelines page and /metrics show. The agent sets `job` (a driver cannot
// speak for another job).
struct PipelineRecord {
  JobId job;
  uint32_t run = 0;    // the driver's runs, numbered from 1
  std::string name;    // the pipeline file, or "Dataset"
  std::string source;  // what it reads
  PipelineState state = PipelineState::kRunning;
  std::string error;
  int64_t start_time_ms = 0;  // unix
  double seconds = 0;         // running so far, or in all
  int64_t rows_read = 0;
  int64_t bytes_read = 0;
  int64_t rows_written = 0;
  std::vector<PipelineStage> stages;
  std::vector<PipelineStep> steps;
  MSGPACK_DEFINE(job, run, name, source, state, error, start_time_ms, seconds, rows_read, bytes_read,
                 rows_written, stages, steps);
};

// head -> CLI, drivers and the autoscaler (kStatusReply): the one shape every
// reader of the cluster's state decodes. `strata status --json` renders it
// (head/status_report.h).
struct ClusterStatus {
  std::string session_dir;
  int64_t time = 0;  // unix seconds, when the head made it
  std::vector<NodeRecord> nodes;
  std::vector<JobRecord> jobs;
  std::optional<AutoscalerReport> autoscaler;  // none when no autoscaler runs
  std::vector<PipelineRecord> pipelines;       // running ones, then the latest ended ones
  MSGPACK_DEFINE(session_dir, time, nodes, jobs, autoscaler, pipelines);
};

// Summed over the alive nodes (what can run work now).
ResourceSet AliveTotal(const ClusterStatus& status);
ResourceSet AliveUsed(const ClusterStatus& status);
// Queued work by resource shape, over the alive nodes: waiting for resources
// (pending) or that no node can ever hold (infeasible).
std::map<ResourceSet, int64_t> PendingDemands(const ClusterStatus& status);
std::map<ResourceSet, int64_t> InfeasibleDemands(const ClusterStatus& status);

}  // namespace strata::rpc

MSGPACK_ADD_ENUM(strata::rpc::NodeState);
MSGPACK_ADD_ENUM(strata::rpc::PipelineState);
