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
    : options_(std::move(options)), loop_(loop), store_(store), available_(options_.total) {
  store_->set_ready_listener(this);
}

Scheduler::~Scheduler() {
  store_->set_ready_listener(nullptr);
  KillAllWorkers();
}

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
  if (j == jobs_.end()) return rpc::ConnId::kNone;
  return j->second.driver != rpc::ConnId::kNone ? j->second.driver : j->second.output_peer;
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

void Scheduler::Submit(rpc::ConnId owner, const JobId& job, rpc::TaskSpec spec, bool from_peer,
                       NodeIndex from_node) {
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
  t.from_node = from_node;
  t.accepted = std::chrono::steady_clock::now();
  t.shape = ResourceSet::FromEntries(t.spec.resources);
  // The submitter holds the one reference its ObjectRef adopted.
  store_->Expect(ReturnObjectOf(id));
  store_->AddHolder(owner, ReturnObjectOf(id), 1);
  for (const ObjectId& c : t.spec.contained) store_->Pin(c);

  const auto kind = t.spec.kind;
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
    } else if (obj->info.state == ObjectState::kError) {
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
  if (obj != nullptr && obj->ready && obj->info.state == ObjectState::kError) {
    FailTask(task_id, obj->info.data);
    return;
  }
  if (--it->second.unresolved == 0) MakeRunnable(it->second);
}

void Scheduler::MakeRunnable(Task& t) {
  const auto kind = t.spec.kind;
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
    notice.state = ObjectState::kInfeasible;
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

size_t Scheduler::PipelineDepth(const std::string& function) const {
  auto it = function_stats_.find(function);
  if (it == function_stats_.end() || !it->second.known) return 1;
  const double depth = kPipelineBudgetNs / std::max(it->second.ewma_ns, 500.0);
  return std::clamp<size_t>(static_cast<size_t>(depth), 1, kMaxPipelineDepth);
}

void Scheduler::AssignTask(Worker& w, Task& t) {
  t.state = TaskState::kAssigned;
  if (++t.attempts == 1) {
    events_.RecordSchedulingDelay(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t.accepted).count()));
  }
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

void Scheduler::OnObjectReady(StoredObject& obj, rpc::ConnId owner) {
  const ObjectId id = obj.id;
  const rpc::ObjectInfo info = store_->ReaderInfo(obj);
  if (owner != rpc::ConnId::kNone && loop_->IsOpen(owner)) ready_outbox_[owner].push_back(info);
  for (rpc::ConnId w : obj.waiters) {
    if (w != owner && loop_->IsOpen(w)) ready_outbox_[w].push_back(info);
  }
  obj.waiters.clear();
  for (const TaskId& t : obj.dependents) resolved_.emplace_back(t, id);
  obj.dependents.clear();
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
  if (t.from_peer) ++returned_to_[t.from_node];
  value.id = ReturnObjectOf(id);
  // A task another node ran counts there, not again here where its result
  // arrived.
  if (t.state != TaskState::kForwarded) ++tasks_finished_;
  tasks_.erase(it);
  store_->Seal(std::move(value), owner);
}

void Scheduler::FailTask(TaskId id, const std::string& message) {
  if (auto it = tasks_.find(id); it != tasks_.end()) events_.RecordFailure(it->second.spec.function, message);
  FinishTask(id, rpc::ErrorObject(ReturnObjectOf(id), message));
}

void Scheduler::FillNodeRecord(rpc::NodeRecord* r) const {
  r->total = options_.total;
  ResourceSet used = options_.total;
  used.Subtract(available_);
  r->used = used;
  // Committed but not yet leased: workers starting for a queue, and work
  // other nodes sent here. Senders, whose view of this node is this report,
  // count it as taken so that they do not send more than fits.
  ResourceSet committed;
  for (const auto& [id, w] : workers_) {
    if (w.state == WorkerState::kStarting) committed.Add(w.reserved);
  }
  for (const auto& [key, queue] : queues_) {
    if (!key.local_only) continue;
    for (size_t i = 0; i < queue.size(); ++i) committed.Add(key.shape);
  }
  r->committed = committed;
  r->returned_to = returned_to_;
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
  rpc::WorkerStats ws;
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
  r->functions = events_.Counts();
  r->scheduling_latency = events_.scheduling_latency();
  r->failures = events_.Failures();
}

}  // namespace strata::node
