// Every message between node agent, drivers, workers and the CLI.
//
// A frame on the wire is [u32 little-endian length][u8 MsgType][msgpack body];
// the length counts the type byte and the body. Bodies of batchable messages
// are vectors: a client sends all the tasks it has queued in one frame, so the
// per-task cost is a few microseconds of encoding, never a round trip.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/fmt/fmt.h>

#include "common/text_id.h"
#include "strata/internal/ids.h"
#include "strata/internal/runtime.h"  // TaskKind
#include "strata/serialization.h"

namespace strata::rpc {

constexpr uint32_t kProtocolVersion = 1;

enum class MsgType : uint8_t {
  kHello = 1,          // client -> agent: Hello
  kWelcome = 2,        // agent -> client: Welcome
  kSubmitTasks = 3,    // client -> agent: vector<TaskSpec>
  kPutObjects = 4,     // client -> agent: vector<ObjectInfo>
  kRefDeltas = 5,      // client -> agent: vector<RefDelta>
  kGetObjects = 6,     // client -> agent: vector<ObjectId> (send each when ready)
  kObjectsReady = 7,   // agent -> client: vector<ObjectInfo>
  kExecuteTasks = 8,   // agent -> worker: vector<ExecuteTask>
  kTaskResults = 9,    // worker -> agent: vector<TaskResult>
  kWorkerBlocked = 10,    // worker -> agent: WorkerBlocked
  kWorkerUnblocked = 11,  // worker -> agent: empty
  kStatusRequest = 12,    // cli -> agent: empty
  kStatusReply = 13,      // agent -> cli: ClusterStatus (rpc/cluster_messages.h)
  kStopCluster = 14,      // reserved; refused (`strata stop` signals the process)
  kError = 15,            // agent -> client: string, then the connection closes
  kLogLines = 16,         // agent -> driver: LogLines (what the job's workers printed)
  kNodeReport = 17,       // node -> head: rpc::NodeRecord, every heartbeat
  kClusterView = 18,      // head -> nodes: vector<rpc::NodeRecord>
  kForwardTasks = 19,     // node -> node: vector<ForwardedTask> (run these for me)
  kPullChunk = 20,        // node -> node: ChunkRequest (send me bytes of an object)
  kObjectChunk = 21,      // node -> node: ObjectChunk
  kEndJob = 22,           // node -> node: JobId (its driver is gone: stop its workers)
  kDrainNode = 23,        // cli -> head: DrainRequest; head -> node: DrainRequest
  kDrainReply = 24,       // head -> cli: string (what happens next)
  kFetchBinary = 25,      // node -> node: BinaryRequest (send me bytes of an executable)
  kBinaryChunk = 26,      // node -> node (answer), cli -> head (upload): BinaryChunk
  kJobRequest = 27,       // cli -> head: JobRequest (`strata job ...`)
  kJobReply = 28,         // head -> cli: JobReply; log lines of a followed job come as LogLines
  kTakeObjects = 29,      // node -> node: vector<ObjectId> (I am leaving: copy these from me)
  kAutoscalerReport = 30, // autoscaler (cli role) -> head: AutoscalerReport
  kKillActor = 31,        // driver/worker -> agent, node -> node: vector<ObjectId> (actor ids)
  kTimelineRequest = 32,  // cli -> agent: TimelineRequest (rpc/cluster_messages.h)
  kTimelineReply = 33,    // agent -> cli: TimelineReply
  kPipelineReport = 34,   // driver -> agent, node -> head: PipelineRecord (a `strata run`'s progress)
  kLogRequest = 35,       // cli (the dashboard) -> agent: LogRequest (rpc/cluster_messages.h)
  kLogReply = 36,         // agent -> cli: LogReply
};
constexpr uint8_t kMaxMsgType = 36;
const char* MsgTypeName(MsgType t);

// kNode: a node joining the head; kPeer: a node talking to another node
// (forwarded tasks, results, object transfer).
enum class Role : uint8_t { kDriver = 1, kWorker = 2, kCli = 3, kNode = 4, kPeer = 5 };

struct Hello {
  uint32_t protocol_version = kProtocolVersion;
  Role role = Role::kDriver;
  WorkerId worker;  // workers: the id the agent gave them at spawn
  int32_t pid = 0;
  // Drivers: how to start this job's workers (the driver's own executable).
  std::string executable;
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;
  std::string token;  // the cluster token; a wrong or missing one is refused
  // Nodes joining the head: where peers reach this node.
  std::string node_address;
  // Drivers: executables for other architectures, (arch, path) pairs, for
  // nodes that cannot run `executable`.
  std::vector<std::pair<std::string, std::string>> binaries;
  // Drivers: /proc/sys/kernel/random/boot_id, which tells the agent whether
  // the driver's files (its executable) are on this machine.
  std::string boot_id;
  // Peers: the sending node's index, so that the receiver can report how
  // many forwarded tasks it has received from each node.
  NodeIndex node_index = NodeIndex::kHead;
  MSGPACK_DEFINE(protocol_version, role, worker, pid, executable, argv, cwd, env, token,
                 node_address, binaries, boot_id, node_index);
};

// One executable of a job: the node whose architecture matches fetches it by
// content (sha256) from the node that sends it the job's work.
struct JobBinary {
  std::string arch;    // "x86_64", "arm64"
  std::string sha256;  // hex; computed when the job's work first leaves its node
  uint64_t size = 0;
  MSGPACK_DEFINE(arch, sha256, size);
};

struct Welcome {
  NodeId node;
  NodeIndex node_index = NodeIndex::kHead;  // ids made on this node carry it (see ids.h)
  JobId job;
  std::string session_dir;
  std::string shm_prefix;   // large objects live at <shm_prefix><object hex>
  std::string spill_dir;    // and, when spilled, at <spill_dir>/<object hex>
  std::string pool_dir;     // freed shared-memory files waiting to be reused
  uint64_t store_capacity = 0;
  MSGPACK_DEFINE(node, node_index, job, session_dir, shm_prefix, spill_dir, pool_dir,
                 store_capacity);
};

enum class ObjectState : uint8_t {
  kInline = 0,      // bytes in `data`
  kShm = 1,         // bytes in the file <shm_prefix><id>
  kSpilled = 2,     // bytes in the file `path` on local disk
  kError = 3,       // `data` is the error message
  kInfeasible = 4,  // not an answer yet: the task cannot be placed; `data` says why
};

struct ObjectInfo {
  ObjectId id;
  ObjectState state = ObjectState::kInline;
  std::string data;
  std::string path;
  uint64_t size = 0;
  std::vector<ObjectId> contained;
  std::string recycled;  // the pooled file this object's file was made from
  MSGPACK_DEFINE(id, state, data, path, size, contained, recycled);
};

// An object that is an error: what a failed task, a lost object or a bad
// result becomes. Get() on it throws TaskError with `message`.
inline ObjectInfo ErrorObject(const ObjectId& id, std::string message) {
  ObjectInfo info;
  info.id = id;
  info.state = ObjectState::kError;
  info.data = std::move(message);
  return info;
}

struct TaskArg {
  bool by_ref = false;
  ObjectId ref;
  std::string data;
  MSGPACK_DEFINE(by_ref, ref, data);
};

struct TaskSpec {
  TaskId id;
  internal::TaskKind kind = internal::TaskKind::kNormal;
  std::string function;
  std::string name;
  std::vector<TaskArg> args;
  std::vector<ObjectId> contained;
  std::vector<std::pair<std::string, int64_t>> resources;  // fixed-point amounts
  int32_t max_retries = 3;
  int32_t max_restarts = 0;
  ActorId actor;
  internal::Strategy strategy = internal::Strategy::kDefault;
  NodeId affinity_node;
  bool affinity_soft = false;
  MSGPACK_DEFINE(id, kind, function, name, args, contained, resources, max_retries, max_restarts,
                 actor, strategy, affinity_node, affinity_soft);
};

struct ExecuteTask {
  TaskSpec spec;
  std::vector<ObjectInfo> resolved;  // one per by_ref argument, in order
  MSGPACK_DEFINE(spec, resolved);
};

struct TaskResult {
  TaskId id;
  ObjectInfo value;
  uint64_t exec_ns = 0;
  MSGPACK_DEFINE(id, value, exec_ns);
};

struct LogLines {
  int32_t pid = 0;
  std::vector<std::string> lines;
  JobId job;         // set when a node sends its workers' lines to the job's driver node
  std::string node;  // the node the worker runs on, when it is not the driver's
  MSGPACK_DEFINE(pid, lines, job, node);
};

// A task another node runs for the sender. Results come back to the sender
// as ObjectsReady on the same connection; file-backed arguments and results
// are pulled in chunks (PullChunk/ObjectChunk).
struct ForwardedTask {
  TaskSpec spec;
  JobId job;
  std::string executable;  // how to start the job's workers there
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;
  std::vector<ObjectInfo> args;  // one per by_ref argument: inline data, or where to pull it
  std::vector<JobBinary> binaries;  // the job's executables, one per architecture
  MSGPACK_DEFINE(spec, job, executable, argv, cwd, env, args, binaries);
};

struct BinaryRequest {
  std::string sha256;
  uint64_t offset = 0;
  uint64_t length = 0;
  MSGPACK_DEFINE(sha256, offset, length);
};

struct BinaryChunk {
  std::string sha256;
  uint64_t offset = 0;
  uint64_t total = 0;  // the whole binary's size
  std::string data;
  std::string error;   // set instead of data when it cannot be sent
  MSGPACK_DEFINE(sha256, offset, total, data, error);
};

// The id the head gives a job `strata job submit` sent ("job-1a2b3c4d"); a
// driver's JobId is another thing.
using SubmittedJobId = TextId<struct SubmittedJobIdTag>;

// `strata job submit|list|logs|stop`, answered by the head.
struct JobRequest {
  std::string verb;     // "submit", "list", "logs", "stop"
  SubmittedJobId job;   // logs, stop: the job's id
  bool follow = false;              // submit, logs: stream output until the job ends
  std::vector<std::string> argv;    // submit: argv[0] is shown; the binary is binaries[0]
  std::vector<JobBinary> binaries;  // submit: the driver's first, then other architectures
  std::vector<std::string> env;     // submit: extra KEY=VALUE for the driver
  MSGPACK_DEFINE(verb, job, follow, argv, binaries, env);
};

// A job's life: a driver's (RUNNING, then FINISHED when it disconnects) or a
// submitted one's (RUNNING, then SUCCEEDED, FAILED or STOPPED). Text only at
// the edges (JobStateName).
enum class JobState : uint8_t { kRunning = 0, kFinished, kSucceeded, kFailed, kStopped };
const char* JobStateName(JobState state);

struct JobReply {
  bool ok = false;
  std::string error;
  SubmittedJobId job;
  std::vector<std::string> missing;  // submit: upload these (sha256) first, then ask again
  std::string text;                  // list: JSON; logs: what the job printed so far
  bool finished = false;             // the followed job ended
  JobState state = JobState::kRunning;  // its state then
  int32_t exit_code = 0;
  MSGPACK_DEFINE(ok, error, job, missing, text, finished, state, exit_code);
};

struct ChunkRequest {
  ObjectId id;
  uint64_t offset = 0;
  uint64_t length = 0;
  MSGPACK_DEFINE(id, offset, length);
};

// A slice of an object's file (its leading pad bytes included) or, for a
// small object, the whole object (`whole_state` = its ObjectState, inline or
// error, and `data` its bytes or message).
struct ObjectChunk {
  ObjectId id;
  uint64_t offset = 0;
  uint64_t file_size = 0;
  std::string data;
  std::string error;  // set instead of data when the object cannot be sent
  int8_t whole_state = -1;
  MSGPACK_DEFINE(id, offset, file_size, data, error, whole_state);
};

struct DrainRequest {
  NodeId node;
  double deadline_s = 600;  // then it leaves anyway; what it still ran is retried elsewhere
  MSGPACK_DEFINE(node, deadline_s);
};

struct RefDelta {
  ObjectId id;
  int32_t delta = 0;
  MSGPACK_DEFINE(id, delta);
};

struct WorkerBlocked {
  std::vector<TaskId> returned;  // queued here but not started: run them elsewhere
  MSGPACK_DEFINE(returned);
};

}  // namespace strata::rpc

// Enums travel as their underlying integers; unknown values are checked where read.
MSGPACK_ADD_ENUM(strata::NodeIndex);
// Logs show a node index as its number.
template <>
struct fmt::formatter<strata::NodeIndex> : fmt::formatter<uint32_t> {
  template <class Context>
  auto format(strata::NodeIndex n, Context& ctx) const {
    return fmt::formatter<uint32_t>::format(strata::IndexNumber(n), ctx);
  }
};
MSGPACK_ADD_ENUM(strata::rpc::Role);
MSGPACK_ADD_ENUM(strata::rpc::ObjectState);
MSGPACK_ADD_ENUM(strata::internal::TaskKind);
MSGPACK_ADD_ENUM(strata::internal::Strategy);
MSGPACK_ADD_ENUM(strata::rpc::JobState);
