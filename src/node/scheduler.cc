// Tasks: argument resolution, queues, leases and dispatch.
#include "node/scheduler.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "strata/internal/runtime.h"

namespace strata::node {

using internal::TaskKind;
using rpc::ObjectState;

namespace {
// How much work (by measured run time) to queue at one worker at a time: long
// enough to hide a round trip, short enough that the tail of a job stays even.
constexpr double kPipelineBudgetNs = 2e6;
constexpr size_t kMaxPipelineDepth = 512;
}  // namespace

Scheduler::Scheduler(SchedulerOptions options, rpc::EventLoop* loop, ObjectStore* store)
    : options_(std::move(options)), loop_(loop), store_(store), available_(options_.total) {}

Scheduler::~Scheduler() { KillAllWorkers(); }

void Scheduler::AddJob(const JobId& job, rpc::ConnId driver, JobLaunchSpec launch) {
  Job& j = jobs_[job];
  j.id = job;
  j.driver = driver;
  j.launch = std::move(launch);
  if (options_.prestart_workers && !j.launch.executable.empty()) {
    // Workers take a few milliseconds to start; starting them with the job
    // makes the first tasks run at once.
    const int n = std::min(options_.num_cpus, 16);
    for (int i = 0; i < n; ++i) SpawnWorkerFor(job, ResourceSet());
  }
}

void Scheduler::SetJobExecutable(const JobId& job, const std::string& path) {
  auto j = jobs_.find(job);
  if (j != jobs_.end()) j->second.launch.executable = path;
}

void Scheduler::SetJobOutputPeer(const JobId& job, rpc::ConnId peer) {
  auto j = jobs_.find(job);
  if (j != jobs_.end()) j->second.output_peer = peer;
}

rpc::ConnId Scheduler::OutputConnOf(const JobId& job) const {
  auto j = jobs_.find(job);
  if (j == jobs_.end()) return 0;
  return j->second.driver != 0 ? j->second.driver : j->second.output_peer;
}

void Scheduler::FailJobStart(const JobId& job, const std::string& error) {
  auto j = jobs_.find(job);
  if (j == jobs_.end()) return;
  j->second.start_failures = kMaxStartFailures;
  j->second.last_start_error = error;
  FailJobQueue(job, error);
}

std::string Scheduler::Describe(const Task& t) const {
  const std::string& name = t.spec.name.empty() ? t.spec.function : t.spec.name;
  return "task '" + name + "' (" + t.spec.id.Short() + ")";
}

void Scheduler::Submit(rpc::ConnId owner, const JobId& job, rpc::TaskSpec spec, bool from_peer) {
  const TaskId id = spec.id;
  if (tasks_.count(id) != 0) {
    spdlog::warn("ignoring a second submission of task {}", id.Hex());
    return;
  }
  Task& t = tasks_[id];
  t.spec = std::move(spec);
  t.owner = owner;
  t.job = job;
  t.from_peer = from_peer;
  t.shape = ResourceSet::FromEntries(t.spec.resources);
  // The submitter holds the one reference its ObjectRef adopted.
  store_->Expect(ReturnObjectOf(id));
  store_->AddHolder(owner, ReturnObjectOf(id), 1);
  for (const ObjectId& c : t.spec.contained) store_->Pin(c);

  const auto kind = static_cast<TaskKind>(t.spec.kind);
  if (kind == TaskKind::kActorCreation) {
    SubmitActorCreation(t);
  } else if (kind == TaskKind::kActorCall) {
    auto a = actors_.find(t.spec.actor);
    if (a == actors_.end() || a->second.state == ActorState::kDead) {
      const std::string why = a == actors_.end() ? "is not known on this node (it ended, or "
                                                   "was never created)"
                                                 : "is dead: " + a->second.death;
      const std::string message =
          Describe(t) + " failed: actor " + t.spec.actor.Short() + " " + why;
      ResolveArgs(t);  // pins, so that FailTask's unpinning balances; may fail it already
      if (tasks_.count(id) != 0) FailTask(id, message);
      return;
    }
    a->second.calls.push_back(id);
  }
  ResolveArgs(t);
}

bool Scheduler::ForwardToArgumentHome(Task& t) {
  if (t.from_peer || !fetch_foreign_ || remote_.empty() ||
      static_cast<TaskKind>(t.spec.kind) != TaskKind::kNormal ||
      static_cast<internal::Strategy>(t.spec.strategy) != internal::Strategy::kDefault) {
    return false;
  }
  const uint32_t here = internal::NodeIndexOfId(internal::ProcessIdPrefix());
  bool found = false;
  uint32_t home = 0;
  for (const rpc::TaskArg& arg : t.spec.args) {
    if (!arg.by_ref) continue;
    const StoredObject* obj = store_->Find(arg.ref);
    if (obj != nullptr && obj->ready) continue;
    const uint32_t h = internal::NodeIndexOfId(arg.ref.hi());
    // Still being made here, or missing from two different nodes: the
    // ordinary path waits for (and fetches) them.
    if (h == here || (found && h != home)) return false;
    found = true;
    home = h;
  }
  if (!found) return false;
  auto job = jobs_.find(t.job);
  for (RemoteNode& r : remote_) {
    if (r.index != home) continue;
    if (!t.shape.FitsIn(r.available) || job == jobs_.end() || !CanRunJobOn(job->second, r)) {
      return false;
    }
    for (const rpc::TaskArg& arg : t.spec.args) {
      if (arg.by_ref) store_->Pin(arg.ref);  // as ResolveArgs would; FinishTask unpins
    }
    ForwardTask(t, r);
    return true;
  }
  return false;
}

void Scheduler::ResolveArgs(Task& t) {
  // The data is bigger than the task: an argument that lives on another node
  // (and not yet here) takes the task there, when that node has room.
  if (ForwardToArgumentHome(t)) return;
  const std::string* failed = nullptr;
  for (const rpc::TaskArg& arg : t.spec.args) {
    if (!arg.by_ref) continue;
    store_->Pin(arg.ref);
    StoredObject* obj = store_->Find(arg.ref);
    if (!obj->ready) {
      obj->dependents.push_back(t.spec.id);
      ++t.unresolved;
      // Made on another node (it came here inside a value): fetch it. The
      // arguments of a task another node sent are pulled from that node.
      if (fetch_foreign_ && !t.from_peer && obj->dependents.size() == 1 &&
          internal::NodeIndexOfId(arg.ref.hi()) !=
              internal::NodeIndexOfId(internal::ProcessIdPrefix())) {
        fetch_foreign_(arg.ref);
      }
    } else if (obj->info.state == static_cast<uint8_t>(ObjectState::kError)) {
      failed = &obj->info.data;
    }
  }
  if (failed != nullptr) {
    FailTask(t.spec.id, *failed);  // an argument's error is the task's error
    return;
  }
  if (t.unresolved == 0) MakeRunnable(t);
}

void Scheduler::OnArgReady(const TaskId& task_id, const ObjectId& arg) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;  // already failed
  StoredObject* obj = store_->Find(arg);
  if (obj != nullptr && obj->ready && obj->info.state == static_cast<uint8_t>(ObjectState::kError)) {
    FailTask(task_id, obj->info.data);
    return;
  }
  if (--it->second.unresolved == 0) MakeRunnable(it->second);
}

void Scheduler::MakeRunnable(Task& t) {
  const auto kind = static_cast<TaskKind>(t.spec.kind);
  if (kind == TaskKind::kActorCall) {
    t.state = TaskState::kActorQueued;
    auto a = actors_.find(t.spec.actor);
    if (a != actors_.end()) SendActorCalls(a->second);
    return;
  }
  if (!FitsSomewhere(t.shape)) {
    t.state = TaskState::kInfeasible;
    infeasible_[t.shape].push_back(t.spec.id);
    rpc::ObjectInfo notice;
    notice.id = ReturnObjectOf(t.spec.id);
    notice.state = static_cast<uint8_t>(ObjectState::kInfeasible);
    notice.data = Describe(t) + " is infeasible: it requires " + t.shape.ToString() +
                  " but no node has that (this node: " + options_.total.ToString() + ", " +
                  std::to_string(remote_.size()) +
                  " other node(s)). It stays queued until a node that fits joins.";
    spdlog::warn("{}", notice.data);
    if (loop_->IsOpen(t.owner)) ready_outbox_[t.owner].push_back(std::move(notice));
    return;
  }
  if (kind == TaskKind::kActorCreation) {
    t.state = TaskState::kQueued;
    pending_actors_.push_back(ActorId(t.spec.id.hi(), t.spec.id.lo()));
    return;
  }
  if (!t.from_peer && PlaceByStrategy(t)) return;
  t.state = TaskState::kQueued;
  queues_[QueueKey{t.job, t.shape, t.from_peer}].push_back(t.spec.id);
}

bool Scheduler::PlaceByStrategy(Task& t) {
  const auto strategy = static_cast<internal::Strategy>(t.spec.strategy);
  auto run_here = [&] {
    t.state = TaskState::kQueued;
    queues_[QueueKey{t.job, t.shape, /*local_only=*/true}].push_back(t.spec.id);
    return true;
  };
  if (strategy == internal::Strategy::kNodeAffinity) {
    if (t.spec.affinity_node == options_.node) return run_here();
    for (RemoteNode& r : remote_) {
      if (r.id != t.spec.affinity_node) continue;
      if (!t.shape.FitsIn(r.total)) break;
      ForwardTask(t, r);
      return true;
    }
    if (t.spec.affinity_soft) return false;
    FailTask(t.spec.id, Describe(t) + " must run on node " + t.spec.affinity_node.Hex() +
                            " (hard node affinity), which is not an alive node that fits " +
                            t.shape.ToString());
    return true;
  }
  if (strategy == internal::Strategy::kSpread) {
    // Every node that could ever hold it, this one first, in turn.
    std::vector<RemoteNode*> candidates;
    const bool here = t.shape.FitsIn(options_.total);
    auto job = jobs_.find(t.job);
    for (RemoteNode& r : remote_) {
      if (t.shape.FitsIn(r.total) && job != jobs_.end() && CanRunJobOn(job->second, r)) {
        candidates.push_back(&r);
      }
    }
    const size_t n = candidates.size() + (here ? 1 : 0);
    if (n == 0) return false;
    const size_t pick = spread_next_++ % n;
    if (here && pick == 0) return run_here();
    ForwardTask(t, *candidates[pick - (here ? 1 : 0)]);
    return true;
  }
  return false;
}

size_t Scheduler::PipelineDepth(const std::string& function) const {
  auto it = function_stats_.find(function);
  if (it == function_stats_.end() || !it->second.known) return 1;
  const double depth = kPipelineBudgetNs / std::max(it->second.ewma_ns, 500.0);
  return std::clamp<size_t>(static_cast<size_t>(depth), 1, kMaxPipelineDepth);
}

void Scheduler::AssignTask(Worker& w, Task& t) {
  t.state = TaskState::kAssigned;
  ++t.attempts;
  w.assigned.push_back(t.spec.id);
  rpc::ExecuteTask exec;
  exec.spec = t.spec;
  for (const rpc::TaskArg& arg : t.spec.args) {
    if (!arg.by_ref) continue;
    StoredObject* obj = store_->Find(arg.ref);
    exec.resolved.push_back(store_->ReaderInfo(*obj));
  }
  exec_outbox_[w.conn].push_back(std::move(exec));
}

void Scheduler::TopUp(Worker& w, std::deque<TaskId>& queue) {
  while (!queue.empty()) {
    auto it = tasks_.find(queue.front());
    if (it == tasks_.end()) {
      queue.pop_front();
      continue;
    }
    if (w.assigned.size() >= PipelineDepth(it->second.spec.function)) break;
    queue.pop_front();
    AssignTask(w, it->second);
  }
}

int Scheduler::WorkersOfJob(const JobId& job, int* blocked) const {
  int n = 0;
  *blocked = 0;
  for (const auto& [id, w] : workers_) {
    if (w.job != job || !w.actor.IsNil() || w.state == WorkerState::kDead) continue;
    ++n;
    if (w.blocked) ++*blocked;
  }
  return n;
}

Scheduler::Worker* Scheduler::TakeIdleWorker(const JobId& job) {
  for (auto& [id, w] : workers_) {
    if (w.state == WorkerState::kIdle && w.job == job && w.actor.IsNil()) return &w;
  }
  return nullptr;
}

void Scheduler::DispatchQueue(const QueueKey& key, std::deque<TaskId>& queue) {
  if (auto j = jobs_.find(key.job);
      j != jobs_.end() && j->second.start_failures >= kMaxStartFailures) {
    std::deque<TaskId> ids;
    ids.swap(queue);
    const std::string why = "workers for this job cannot start on node " +
                            options_.node.Short() + ": " + j->second.last_start_error;
    for (const TaskId& id : ids) FailTask(id, why);
    return;
  }
  for (auto& [id, w] : workers_) {
    if (queue.empty()) return;
    if (w.state == WorkerState::kLeased && !w.blocked && w.lease_key.job == key.job &&
        w.lease_key.shape == key.shape && w.lease_key.local_only == key.local_only) {
      TopUp(w, queue);
    }
  }
  while (!queue.empty() && key.shape.FitsIn(available_)) {
    Worker* w = TakeIdleWorker(key.job);
    if (w == nullptr) break;
    available_.Subtract(key.shape);
    w->state = WorkerState::kLeased;
    w->lease = key.shape;
    w->lease_key = key;
    TopUp(*w, queue);
  }
  if (queue.empty()) return;
  // Start more workers while there is queued work, free resources, and room
  // under the per-job cap (workers blocked in Get() do not count: their
  // resources were lent out, see OnWorkerBlocked).
  int blocked = 0;
  int count = WorkersOfJob(key.job, &blocked);
  int starting = 0;
  for (const auto& [id, w] : workers_) {
    starting += w.state == WorkerState::kStarting && w.job == key.job && w.actor.IsNil();
  }
  ResourceSet free = available_;
  for (const auto& [id, w] : workers_) free.Subtract(w.reserved);
  const int cap = std::max(options_.num_cpus, 1) + blocked;
  while (static_cast<size_t>(starting) < queue.size() && count < cap && key.shape.FitsIn(free)) {
    if (SpawnWorkerFor(key.job, key.shape) == nullptr) break;
    free.Subtract(key.shape);
    ++count;
    ++starting;
  }
}

void Scheduler::Dispatch() {
  while (!resolved_.empty()) {
    std::vector<std::pair<TaskId, ObjectId>> batch;
    batch.swap(resolved_);
    for (const auto& [task, arg] : batch) OnArgReady(task, arg);
  }
  for (auto& [key, queue] : queues_) {
    if (!queue.empty()) DispatchQueue(key, queue);
    if (!queue.empty() && !remote_.empty() && !key.local_only) ForwardQueued(key, queue);
  }
  DispatchActors();
  ReleaseIdleLeases();
  FlushOutboxes();
}

void Scheduler::ReleaseIdleLeases() {
  for (auto& [id, w] : workers_) {
    if (w.state == WorkerState::kLeased && w.assigned.empty() && !w.blocked) {
      available_.Add(w.lease);
      w.lease = ResourceSet();
      w.state = WorkerState::kIdle;
      w.idle_since = std::chrono::steady_clock::now();
    }
  }
}

void Scheduler::FlushOutboxes() {
  for (auto& [conn, infos] : ready_outbox_) {
    if (!infos.empty()) loop_->Send(conn, rpc::MsgType::kObjectsReady, infos);
  }
  ready_outbox_.clear();
  for (auto& [index, tasks] : forward_outbox_) {
    if (!tasks.empty() && forward_) forward_(index, std::move(tasks));
  }
  forward_outbox_.clear();
  for (auto& [conn, execs] : exec_outbox_) {
    if (!execs.empty()) loop_->Send(conn, rpc::MsgType::kExecuteTasks, execs);
  }
  exec_outbox_.clear();
}

void Scheduler::PublishReady(const ObjectId& id, rpc::ConnId owner) {
  StoredObject* obj = store_->Find(id);
  if (obj == nullptr || !obj->ready) return;
  const rpc::ObjectInfo info = store_->ReaderInfo(*obj);
  if (owner != 0 && loop_->IsOpen(owner)) ready_outbox_[owner].push_back(info);
  for (rpc::ConnId w : obj->waiters) {
    if (w != owner && loop_->IsOpen(w)) ready_outbox_[w].push_back(info);
  }
  obj->waiters.clear();
  for (const TaskId& t : obj->dependents) resolved_.emplace_back(t, id);
  obj->dependents.clear();
  if (on_ready_) on_ready_(id);
  store_->Collect(id);
}

void Scheduler::FinishTask(TaskId id, rpc::ObjectInfo value) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  Task& t = it->second;
  for (const rpc::TaskArg& arg : t.spec.args) {
    if (arg.by_ref) store_->Unpin(arg.ref);
  }
  for (const ObjectId& c : t.spec.contained) store_->Unpin(c);
  const rpc::ConnId owner = t.owner;
  value.id = ReturnObjectOf(id);
  tasks_.erase(it);
  ++tasks_finished_;
  if (store_->Seal(std::move(value)) != nullptr) PublishReady(ReturnObjectOf(id), owner);
}

void Scheduler::FailTask(TaskId id, const std::string& message) {
  FinishTask(id, rpc::ErrorObject(ReturnObjectOf(id), message));
}

bool Scheduler::FitsSomewhere(const ResourceSet& shape) const {
  if (shape.FitsIn(options_.total)) return true;
  for (const RemoteNode& r : remote_) {
    if (shape.FitsIn(r.total)) return true;
  }
  return false;
}

void Scheduler::SetRemoteNodes(std::vector<RemoteNode> nodes) {
  remote_ = std::move(nodes);
  // A report counts the tasks that reached the node; the ones still on their
  // way are not in it yet.
  for (RemoteNode& r : remote_) {
    auto& flying = in_flight_[r.index];
    while (!flying.empty() && flying.front().seq <= r.received_from_me) flying.pop_front();
    for (const InFlight& f : flying) r.available.Subtract(f.shape);
  }
  // Work waiting for a node that did not exist may now have one.
  for (auto& [shape, ids] : infeasible_) {
    if (ids.empty() || !FitsSomewhere(shape)) continue;
    std::vector<TaskId> now;
    now.swap(ids);
    for (const TaskId& id : now) {
      auto it = tasks_.find(id);
      if (it != tasks_.end()) MakeRunnable(it->second);
    }
  }
}

void Scheduler::SetTransport(ForwardFn forward, FetchFn fetch, RefDeltaFn ref_delta) {
  forward_ = std::move(forward);
  fetch_ = std::move(fetch);
  ref_delta_ = std::move(ref_delta);
}

void Scheduler::BorrowContained(rpc::ConnId from, const rpc::ObjectInfo& info) {
  // Taken on the connection the value came on, before the value itself is
  // released there: the other node cannot free them in between.
  const uint32_t here = internal::NodeIndexOfId(internal::ProcessIdPrefix());
  for (const ObjectId& c : info.contained) {
    if (internal::NodeIndexOfId(c.hi()) == here) continue;  // made here: nothing to hold there
    if (borrowed_.count(c) != 0 || !ref_delta_) continue;
    ref_delta_(from, c, +1);
    borrowed_[c] = from;  // given up when its entry here is freed
  }
}

// Work this node cannot start now goes to a node that reported room for it:
// spilling over when this node is full, and the only way for a shape that
// only another node has.
void Scheduler::ForwardQueued(const QueueKey& key, std::deque<TaskId>& queue) {
  auto job = jobs_.find(key.job);
  if (job == jobs_.end()) return;
  const bool fits_here = key.shape.FitsIn(options_.total);
  // Nodes that cannot run the job's code get its work only when no node that
  // can would ever fit it: then the task fails there with a clear error
  // rather than waiting forever here.
  bool fits_runnable = fits_here;
  for (const RemoteNode& r : remote_) {
    fits_runnable = fits_runnable || (key.shape.FitsIn(r.total) && CanRunJobOn(job->second, r));
  }
  for (RemoteNode& r : remote_) {
    if (fits_runnable && !CanRunJobOn(job->second, r)) continue;
    while (!queue.empty() && key.shape.FitsIn(r.available)) {
      // Keep what this node is about to run: its idle CPUs will take it.
      if (fits_here && key.shape.FitsIn(available_)) return;
      auto it = tasks_.find(queue.front());
      queue.pop_front();
      if (it != tasks_.end()) ForwardTask(it->second, r);
    }
  }
}

void Scheduler::ForwardTask(Task& t, RemoteNode& r) {
  auto job = jobs_.find(t.job);
  if (job == jobs_.end()) return;
  t.state = TaskState::kForwarded;
  t.forwarded_to = r.index;
  ++t.attempts;
  r.available.Subtract(t.shape);
  in_flight_[r.index].push_back(InFlight{++forward_seq_[r.index], t.shape});
  DescribeJobBinaries(job->second);
  rpc::ForwardedTask f;
  f.spec = t.spec;
  f.job = t.job;
  f.executable = job->second.launch.executable;
  f.argv = job->second.launch.argv;
  f.cwd = job->second.launch.cwd;
  f.env = job->second.launch.env;
  f.binaries = job->second.launch.binaries;
  for (const rpc::TaskArg& arg : t.spec.args) {
    // One not here is at home on the receiving node (ForwardToArgumentHome).
    StoredObject* obj = arg.by_ref ? store_->Find(arg.ref) : nullptr;
    if (obj != nullptr && obj->ready) f.args.push_back(store_->ReaderInfo(*obj));
  }
  forward_outbox_[r.index].push_back(std::move(f));
}

bool Scheduler::DescribeJobBinaries(Job& job) {
  if (!job.binaries_described && describe_binaries_) {
    job.binaries_described = true;
    job.describe_error = describe_binaries_(job.launch);
    if (!job.describe_error.empty()) {
      spdlog::error("job {} runs on this node only: {}", job.id.Short(), job.describe_error);
    }
  }
  return job.describe_error.empty();
}

bool Scheduler::CanRunJobOn(Job& job, const RemoteNode& r) {
  if (!DescribeJobBinaries(job)) return false;
  if (job.launch.binaries.empty()) return true;  // nothing known: let the node decide
  for (const rpc::JobBinary& b : job.launch.binaries) {
    if (b.arch == r.arch) return true;
  }
  return false;
}

void Scheduler::OnForwardedResults(rpc::ConnId from, std::vector<rpc::ObjectInfo>&& results) {
  for (rpc::ObjectInfo& info : results) {
    const TaskId id = TaskOfReturn(info.id);
    auto it = tasks_.find(id);
    if (it == tasks_.end() || it->second.state != TaskState::kForwarded) {
      Release(from, info.id);
      continue;
    }
    // Sealing the result here pins what it contains, until it is freed.
    BorrowContained(from, info);
    const auto state = static_cast<ObjectState>(info.state);
    if (state == ObjectState::kInfeasible) continue;  // the other node keeps it queued
    // The slot it used there is free again; the next view would say so late.
    for (RemoteNode& r : remote_) {
      if (r.index == it->second.forwarded_to) r.available.Add(it->second.shape);
    }
    if (static_cast<TaskKind>(it->second.spec.kind) == TaskKind::kActorCreation) {
      const ActorId aid(id.hi(), id.lo());
      auto a = actors_.find(aid);
      rpc::ObjectInfo copy = info;
      FinishTask(id, std::move(info));
      // No release: the handle's reference there keeps the actor alive.
      if (a != actors_.end()) OnRemoteActorCreated(a->second, from, copy);
      continue;
    }
    if (state == ObjectState::kInline || state == ObjectState::kError) {
      const ObjectId oid = info.id;
      FinishTask(id, std::move(info));
      Release(from, oid);
      continue;
    }
    // A large result: bring it here, where its owner reads it.
    const ObjectId oid = info.id;
    fetch_(oid, from, [this, id, oid, from](bool ok, const std::string& error) {
      auto t = tasks_.find(id);
      Release(from, oid);
      if (t == tasks_.end()) return;
      if (ok) {
        StoredObject* obj = store_->Find(oid);
        rpc::ObjectInfo local = obj != nullptr && obj->ready ? obj->info : rpc::ObjectInfo();
        FinishTask(id, std::move(local));
      } else {
        FailTask(id, Describe(t->second) + " ran on another node, but its result could not be "
                                           "fetched: " + error);
      }
    });
  }
}

void Scheduler::OnNodeDead(uint32_t node_index, const std::string& reason) {
  std::string name = "node " + std::to_string(node_index);
  for (const RemoteNode& r : remote_) {
    if (r.index == node_index) name += " (" + r.id.Short() + ")";
  }
  remote_.erase(std::remove_if(remote_.begin(), remote_.end(),
                               [&](const RemoteNode& r) { return r.index == node_index; }),
                remote_.end());
  const std::string death = name + " died: " + reason;
  std::vector<TaskId> requeue, failed, calls;
  for (auto& [id, t] : tasks_) {
    if (t.state != TaskState::kForwarded || t.forwarded_to != node_index) continue;
    const auto kind = static_cast<TaskKind>(t.spec.kind);
    if (kind == TaskKind::kActorCall) {
      calls.push_back(id);  // ran in an actor that is gone (actor restarts below)
    } else if (kind != TaskKind::kActorCreation) {
      (t.attempts <= t.spec.max_retries ? requeue : failed).push_back(id);
    }
  }
  for (const TaskId& id : calls) {
    FailTask(id, Describe(tasks_.at(id)) + " failed: its actor died: " + death);
  }
  std::vector<ActorId> lost_actors;
  for (auto& [id, a] : actors_) {
    if (a.remote && a.remote_index == node_index && a.state != ActorState::kDead) {
      lost_actors.push_back(id);
    }
  }
  for (const ActorId& id : lost_actors) {
    auto a = actors_.find(id);
    if (a != actors_.end()) RestartOrKill(a->second, death);
  }
  for (const TaskId& id : failed) {
    auto it = tasks_.find(id);
    FailTask(id, Describe(it->second) + " failed after " + std::to_string(it->second.attempts) +
                     " attempt(s) (max_retries=" + std::to_string(it->second.spec.max_retries) +
                     "): " + death);
  }
  if (!requeue.empty()) {
    spdlog::warn("node {} died ({}): running its {} task(s) again", node_index, reason,
                 requeue.size());
  }
  RequeueFront(requeue);
}

void Scheduler::FillNodeRecord(head::NodeRecord* r) const {
  r->total = options_.total;
  ResourceSet used = options_.total;
  used.Subtract(available_);
  // Committed but not yet leased: workers starting for a queue, and work
  // other nodes sent here. Reported as used so that senders, whose view of
  // this node is this report, do not send more than fits.
  for (const auto& [id, w] : workers_) {
    if (w.state == WorkerState::kStarting) used.Add(w.reserved);
  }
  for (const auto& [key, queue] : queues_) {
    if (!key.local_only) continue;
    for (size_t i = 0; i < queue.size(); ++i) used.Add(key.shape);
  }
  r->used = used;
  r->pending.clear();
  for (const auto& [key, queue] : queues_) {
    if (!queue.empty()) r->pending[key.shape] += static_cast<int64_t>(queue.size());
  }
  for (const ActorId& a : pending_actors_) {
    auto it = actors_.find(a);
    if (it != actors_.end()) r->pending[it->second.shape] += 1;
  }
  r->infeasible.clear();
  for (const auto& [shape, ids] : infeasible_) {
    if (!ids.empty()) r->infeasible[shape] = static_cast<int64_t>(ids.size());
  }
  head::WorkerStats ws;
  for (const auto& [id, w] : workers_) {
    if (w.state == WorkerState::kDead) continue;
    ++ws.total;
    if (w.state == WorkerState::kStarting) ++ws.starting;
    if (w.state == WorkerState::kIdle) ++ws.idle;
    if (w.state == WorkerState::kLeased) ++ws.busy;
    if (w.state == WorkerState::kActor) ++ws.actors;
    if (w.blocked) ++ws.blocked;
  }
  r->workers = ws;
  r->tasks_finished = tasks_finished_;
}

}  // namespace strata::node
