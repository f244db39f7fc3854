// The node's scheduler: tasks waiting for arguments, queues per (job,
// resource shape), worker leases, actors, retries.
//
// A worker is *leased* for one resource shape and holds those resources while
// it has tasks; tasks of that shape are pipelined to it — several at once for
// short functions, one at a time for long ones — so that tiny tasks cost a
// few microseconds each and long tasks still spread over every core. The
// pipeline depth comes from each function's measured run time.
//
// Thread-safety: not thread-safe; owned by the agent's event loop thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/resources.h"
#include "head/cluster_state.h"
#include "node/object_store.h"
#include "node/task_event_log.h"
#include "process/output_lines.h"
#include "node/worker_pool.h"
#include "process/spawn.h"
#include "rpc/event_loop.h"
#include "rpc/messages.h"

namespace strata::node {

struct SchedulerOptions {
  NodeId node;
  ResourceSet total;
  std::string log_dir;
  std::string worker_address;  // where spawned workers connect
  int num_cpus = 1;
  bool prestart_workers = true;
  // Idle workers beyond num_cpus per job (left over from a burst of nested
  // tasks) are stopped after this long.
  std::chrono::milliseconds idle_worker_timeout{10000};
  std::string token;  // handed to workers so they can connect
};

// Another node, as the last cluster view described it.
struct RemoteNode {
  NodeIndex index = NodeIndex::kHead;
  NodeId id;
  std::string arch;
  ResourceSet total;
  ResourceSet available;
  int64_t received_from_me = 0;  // of the tasks this node forwarded to it
  int64_t returned_to_me = 0;    // results of those it had sent back
};

class Scheduler : public ReadyListener {
 public:
  // Sends tasks to another node (the agent owns the connections).
  using ForwardFn = std::function<void(NodeIndex node_index, std::vector<rpc::ForwardedTask>)>;
  // Asks the agent to fetch a forwarded task's file-backed result from the
  // node that ran it; `done(ok, error)` once it is in this node's store.
  using FetchFn = std::function<void(const ObjectId& id, rpc::ConnId from,
                                     std::function<void(bool, const std::string&)> done)>;
  // Takes (+1) or gives up (-1) a reference to an object on the node at the
  // other end of `conn`: results of forwarded tasks are released once here,
  // and objects made there that arrive inside values are held while this
  // node needs them.
  using RefDeltaFn = std::function<void(rpc::ConnId conn, const ObjectId& id, int delta)>;
  // Fills in the hashes of a job's executables (so that another node can
  // fetch them); returns "" or what went wrong.
  using DescribeBinariesFn = std::function<std::string(JobLaunchSpec& launch)>;
  // A job whose workers failed to start this many times fails its tasks.
  static constexpr int kMaxStartFailures = 3;
  Scheduler(SchedulerOptions options, rpc::EventLoop* loop, ObjectStore* store);
  ~Scheduler();

  // Jobs (one per driver connection).
  void AddJob(const JobId& job, rpc::ConnId driver, JobLaunchSpec launch);
  void RemoveJob(const JobId& job);
  // A job that arrived from another node before its executable: workers
  // start once it is here, or its tasks fail with `error`.
  void SetJobExecutable(const JobId& job, const std::string& path);
  // A job another node sent: its workers' output goes back on `peer`, to the driver.
  void SetJobOutputPeer(const JobId& job, rpc::ConnId peer);
  // Where a job's workers' output goes: its driver, if on this node, else the
  // node that sent the job (which passes it on); 0 if neither.
  rpc::ConnId OutputConnOf(const JobId& job) const;
  void FailJobStart(const JobId& job, const std::string& error);

  // `from_peer`: node `from_node` forwarded it; it runs here, never forwarded on.
  void Submit(rpc::ConnId owner, const JobId& job, rpc::TaskSpec spec, bool from_peer = false,
              NodeIndex from_node = NodeIndex::kHead);
  // An object became ready (the store calls this from Seal): send it to its
  // owner and waiters, wake the tasks that wait for it.
  void OnObjectReady(StoredObject& obj, rpc::ConnId owner) override;
  void OnObjectFreed(const ObjectId& id);

  // Worker lifecycle. OnWorkerHello returns false for an unknown worker id.
  bool OnWorkerHello(rpc::ConnId conn, const WorkerId& id, JobId* job);
  void OnTaskResults(rpc::ConnId conn, std::vector<rpc::TaskResult>&& results);
  void OnWorkerBlocked(rpc::ConnId conn, const rpc::WorkerBlocked& msg);
  void OnWorkerUnblocked(rpc::ConnId conn);
  void OnWorkerDisconnect(rpc::ConnId conn, const std::string& reason);

  // Once per event-loop round: place queued work, send what was produced.
  void Dispatch();
  // Periodically: notice workers that exited before connecting.
  void Tick();
  // What workers here ran (the timeline's ring).
  const TaskEventLog& task_events() const { return events_; }
  void FillNodeRecord(rpc::NodeRecord* record) const;

  // Multi-node: the other nodes (alive ones) and how to reach them.
  void SetRemoteNodes(std::vector<RemoteNode> nodes);
  void SetTransport(ForwardFn forward, FetchFn fetch, RefDeltaFn ref_delta);
  void set_describe_binaries(DescribeBinariesFn f) { describe_binaries_ = std::move(f); }
  // A borrowed object now has a copy here: give up the reference there.
  void ForgetBorrow(const ObjectId& id);
  // Objects made on another node that a task here needs: fetch them.
  void set_fetch_foreign(std::function<void(const ObjectId&)> f) { fetch_foreign_ = std::move(f); }
  // Called with every object that becomes ready here.
  void set_on_ready(std::function<void(const ObjectId&)> f) { on_ready_ = std::move(f); }
  bool HasJob(const JobId& job) const { return jobs_.count(job) != 0; }
  size_t NumTasks() const { return tasks_.size(); }
  // Results of tasks this node forwarded, arriving from the node that ran them.
  // `from_node`: the node index at the other end of `from`, if known.
  void OnForwardedResults(rpc::ConnId from, std::optional<NodeIndex> from_node,
                          std::vector<rpc::ObjectInfo>&& results);
  // A node went away: what was forwarded to it runs again (retries allowing).
  void OnNodeDead(NodeIndex node_index, const std::string& reason);
  // strata::Kill: ends the actor here, or asks the node that holds it.
  void OnKillActor(const ActorId& id);
  // Ends every worker (agent shutdown); actors' workers get a moment to run
  // their destructors.
  void KillAllWorkers();
  // How long an ending actor's worker has to run its destructor.
  static constexpr auto kActorExitGrace = std::chrono::seconds(5);

 private:
  enum class TaskState { kWaitingArgs, kQueued, kInfeasible, kAssigned, kActorQueued, kForwarded };
  enum class WorkerState { kStarting, kIdle, kLeased, kActor, kDead };
  enum class ActorState { kPending, kCreating, kAlive, kDead };

  struct QueueKey {
    JobId job;
    ResourceSet shape;
    bool local_only = false;  // tasks other nodes sent here
    friend bool operator<(const QueueKey& a, const QueueKey& b) {
      if (a.job != b.job) return a.job < b.job;
      if (a.shape != b.shape) return a.shape < b.shape;
      return a.local_only < b.local_only;
    }
  };

  struct Task {
    rpc::TaskSpec spec;
    rpc::ConnId owner = rpc::ConnId::kNone;
    JobId job;
    ResourceSet shape;
    TaskState state = TaskState::kWaitingArgs;
    int unresolved = 0;
    int attempts = 0;
    NodeIndex forwarded_to = NodeIndex::kHead;  // while kForwarded
    bool from_peer = false;
    NodeIndex from_node = NodeIndex::kHead;     // when from_peer
    std::chrono::steady_clock::time_point accepted;  // arrived on this node
  };

  struct Worker {
    WorkerId id;
    pid_t pid = -1;
    JobId job;
    rpc::ConnId conn = rpc::ConnId::kNone;
    WorkerState state = WorkerState::kStarting;
    QueueKey lease_key;
    ResourceSet lease;      // held while leased or while an actor lives here
    ResourceSet reserved;   // held while starting for a queue
    bool blocked = false;
    std::deque<TaskId> assigned;  // sent, results pending, in execution order
    ActorId actor;
    std::string log_path;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point idle_since;
  };

  struct Actor {
    ActorId id;
    JobId job;
    TaskId creation;       // kept so that a restart can run it again
    rpc::TaskSpec creation_spec;
    rpc::ConnId owner = rpc::ConnId::kNone;
    ResourceSet shape;
    ActorState state = ActorState::kPending;
    WorkerId worker;
    std::deque<TaskId> calls;  // submitted, not yet sent (order of submission)
    int restarts_left = 0;
    bool released = false;     // no handle remains
    std::string death;
    bool from_peer = false;    // another node placed it here: it stays
    // Placed on another node: its calls are forwarded there, in order.
    bool remote = false;
    NodeIndex remote_index = NodeIndex::kHead;
    rpc::ConnId remote_conn = rpc::ConnId::kNone;  // known once it is alive there
    bool kill_when_alive = false; // killed while being created on another node
  };

  struct Job {
    JobId id;
    rpc::ConnId driver = rpc::ConnId::kNone;
    JobLaunchSpec launch;
    int start_failures = 0;
    std::string last_start_error;
    rpc::ConnId output_peer = rpc::ConnId::kNone;  // forwarded jobs: the node that sent them
    bool binaries_described = false;
    std::string describe_error;
  };

  struct FunctionStats {
    double ewma_ns = 0;
    bool known = false;
  };

  // scheduler.cc
  void ResolveArgs(Task& task);
  bool ForwardToArgumentHome(Task& task);
  void OnArgReady(const TaskId& task_id, const ObjectId& arg);
  void MakeRunnable(Task& task);
  void DispatchQueue(const QueueKey& key, std::deque<TaskId>& queue);
  void TopUp(Worker& w, std::deque<TaskId>& queue);
  void AssignTask(Worker& w, Task& task);
  size_t PipelineDepth(const std::string& function) const;
  void FinishTask(TaskId id, rpc::ObjectInfo value);  // by value: erases its own entry
  void FailTask(TaskId id, const std::string& message);
  void ReleaseIdleLeases();
  void FlushOutboxes();
  bool FitsSomewhere(const ResourceSet& shape) const;
  void ForwardQueued(const QueueKey& key, std::deque<TaskId>& queue);
  void ForwardTask(Task& t, RemoteNode& r);
  // A result of a task forwarded to `node` came back (see returned_since_report_).
  void NoteReturned(std::optional<NodeIndex> node, const ResourceSet& shape);
  // Whether node `r` can run this job's code (it has an executable for r's
  // architecture); describes the job's binaries on first use.
  bool CanRunJobOn(Job& job, const RemoteNode& r);
  bool DescribeJobBinaries(Job& job);
  // Spread and node affinity; false when the task takes the default path.
  bool PlaceByStrategy(Task& t);
  Worker* SpawnWorkerFor(const JobId& job, const ResourceSet& reserve);
  Worker* TakeIdleWorker(const JobId& job);
  int WorkersOfJob(const JobId& job, int* blocked) const;
  std::string Describe(const Task& t) const;

  // scheduler_workers.cc
  Worker* WorkerByConn(rpc::ConnId conn);
  void HandleWorkerDeath(Worker& w, const std::string& reason);
  void RequeueFront(const std::vector<TaskId>& ids);
  void FailJobQueue(const JobId& job, const std::string& message);
  void ReapIdleWorkers();

  // scheduler_actors.cc
  void SubmitActorCreation(Task& task);
  void DispatchActors();
  void OnActorCreated(Actor& actor, const rpc::ObjectInfo& value);
  void OnActorWorkerDied(Actor& actor, Worker& w, const std::string& reason);
  // Runs the actor's constructor again if restarts remain, else ends it.
  void RestartOrKill(Actor& actor, const std::string& reason);
  // An actor this node cannot hold now goes to a node with room for it.
  RemoteNode* RoomForActor(const Actor& actor);
  void OnRemoteActorCreated(Actor& actor, rpc::ConnId from, const rpc::ObjectInfo& value);
  // `graceful`: its worker's connection closes and it gets kActorExitGrace
  // to run the destructor; otherwise (its constructor failed) SIGKILL.
  void KillActor(Actor& actor, const std::string& reason, bool graceful = false);
  // Ends a worker: `graceful` (and connected), its connection closes and
  // Tick reaps it within kActorExitGrace; otherwise SIGKILL now.
  void EndWorker(Worker& w, bool graceful, const char* why);
  void SendActorCalls(Actor& actor);
  // Asks the node at the other end of `conn` to end the actor it holds.
  void SendKill(rpc::ConnId conn, const ActorId& id);

  SchedulerOptions options_;
  rpc::EventLoop* loop_;
  ObjectStore* store_;
  ResourceSet available_;
  std::unordered_map<TaskId, Task> tasks_;
  std::map<QueueKey, std::deque<TaskId>> queues_;
  std::map<ResourceSet, std::vector<TaskId>> infeasible_;
  std::unordered_map<WorkerId, Worker> workers_;
  std::unordered_map<rpc::ConnId, WorkerId> worker_by_conn_;
  std::unordered_map<ActorId, Actor> actors_;
  std::deque<ActorId> pending_actors_;
  std::unordered_map<JobId, Job> jobs_;
  struct Retiring {
    pid_t pid;
    std::chrono::steady_clock::time_point kill_at;
  };
  std::vector<Retiring> retiring_;
  std::unordered_map<std::string, FunctionStats> function_stats_;
  std::vector<std::pair<TaskId, ObjectId>> resolved_;  // args that became ready
  std::unordered_map<rpc::ConnId, std::vector<rpc::ObjectInfo>> ready_outbox_;
  std::unordered_map<rpc::ConnId, std::vector<rpc::ExecuteTask>> exec_outbox_;
  int64_t tasks_finished_ = 0;
  TaskEventLog events_;  // executions here: the timeline, counts per function, failures
  std::vector<RemoteNode> remote_;  // alive others; `available` counts down as we forward
  std::unordered_map<NodeIndex, std::vector<rpc::ForwardedTask>> forward_outbox_;
  // Per node: tasks forwarded to it that its last report did not count yet.
  struct InFlight {
    int64_t seq = 0;
    ResourceSet shape;
  };
  std::unordered_map<NodeIndex, int64_t> forward_seq_;
  std::unordered_map<NodeIndex, std::deque<InFlight>> in_flight_;
  // Per node: results of forwarded tasks received from it (a count, which its
  // reports' returned_to answers), and those its last report did not count
  // as finished: their resources are free although that report says used.
  struct Returned {
    int64_t seq = 0;
    ResourceSet shape;
  };
  std::unordered_map<NodeIndex, int64_t> results_from_;
  std::unordered_map<NodeIndex, std::deque<Returned>> returned_since_report_;
  // This node's side: results sent back per node index (NodeRecord::returned_to).
  std::map<NodeIndex, int64_t> returned_to_;
  ForwardFn forward_;
  FetchFn fetch_;
  RefDeltaFn ref_delta_;
  void Release(rpc::ConnId conn, const ObjectId& id) {
    if (ref_delta_) ref_delta_(conn, id, -1);
  }
  // Objects made on another node that this node holds there (see RefDeltaFn):
  // the connection the reference was taken on. Given up when freed here.
  std::unordered_map<ObjectId, rpc::ConnId> borrowed_;
  void BorrowContained(rpc::ConnId from, const rpc::ObjectInfo& info);
  DescribeBinariesFn describe_binaries_;
  uint64_t spread_next_ = 0;
  std::function<void(const ObjectId&)> on_ready_;
  std::function<void(const ObjectId&)> fetch_foreign_;
  process::ProcessOutputs outputs_{loop_};
};

}  // namespace strata::node
