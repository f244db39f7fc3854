// Workers: start, hello, results, blocking in Get(), death and retries.
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "node/scheduler.h"
#include "strata/internal/runtime.h"

namespace strata::node {

using internal::TaskKind;

namespace {
// A worker that has not connected by then is stuck (a hang in user code
// before Init(), say) and is counted as a failed start.
constexpr auto kWorkerStartTimeout = std::chrono::seconds(60);
}  // namespace

Scheduler::Worker* Scheduler::SpawnWorkerFor(const JobId& job_id, const ResourceSet& reserve) {
  auto j = jobs_.find(job_id);
  if (j == jobs_.end()) return nullptr;
  Job& job = j->second;
  // No executable yet: it is on its way from another node.
  if (job.start_failures >= kMaxStartFailures || job.launch.executable.empty()) return nullptr;
  const WorkerId id = WorkerId::Generate();
  const std::string log = options_.log_dir + "/worker-" + id.Short() + ".log";
  int output_fd = -1;
  const Result<pid_t> spawned = SpawnWorker(job.launch, options_.worker_address, options_.token, id, &output_fd);
  if (!spawned.ok()) {
    const std::string& error = spawned.status().message();
    ++job.start_failures;
    job.last_start_error = error;
    spdlog::error("{}", error);
    if (job.start_failures >= kMaxStartFailures) FailJobQueue(job_id, error);
    return nullptr;
  }
  const pid_t pid = *spawned;
  if (job.driver == rpc::ConnId::kNone && job.output_peer != rpc::ConnId::kNone) {
    // No driver here: the lines go to the node that sent the job, tagged.
    const rpc::ConnId peer = job.output_peer;
    const std::string node = options_.node.Short();
    outputs_.Add(
        output_fd, log, pid,
        [this, peer, job_id, node](const rpc::LogLines& msg) {
          if (!loop_->IsOpen(peer)) return;
          rpc::LogLines tagged = msg;
          tagged.job = job_id;
          tagged.node = node;
          loop_->Send(peer, rpc::MsgType::kLogLines, tagged);
        },
        nullptr);
  } else {
    outputs_.Add(output_fd, log, pid, job.driver);
  }
  Worker& w = workers_[id];
  w.id = id;
  w.pid = pid;
  w.job = job_id;
  w.reserved = reserve;
  w.log_path = log;
  w.started = std::chrono::steady_clock::now();
  spdlog::info("started worker {} (pid {}) for job {}", id.Short(), pid, job_id.Short());
  return &w;
}

bool Scheduler::OnWorkerHello(rpc::ConnId conn, const WorkerId& id, JobId* job) {
  auto it = workers_.find(id);
  if (it == workers_.end() || it->second.state != WorkerState::kStarting) return false;
  Worker& w = it->second;
  w.conn = conn;
  w.state = WorkerState::kIdle;
  w.idle_since = std::chrono::steady_clock::now();
  w.reserved = ResourceSet();
  worker_by_conn_[conn] = id;
  *job = w.job;
  auto j = jobs_.find(w.job);
  if (j != jobs_.end()) j->second.start_failures = 0;
  return true;
}

Scheduler::Worker* Scheduler::WorkerByConn(rpc::ConnId conn) {
  auto it = worker_by_conn_.find(conn);
  if (it == worker_by_conn_.end()) return nullptr;
  auto w = workers_.find(it->second);
  return w == workers_.end() ? nullptr : &w->second;
}

void Scheduler::OnTaskResults(rpc::ConnId conn, std::vector<rpc::TaskResult>&& results) {
  for (rpc::TaskResult& r : results) {
    // Looked up each time: a failed actor constructor ends the worker.
    Worker* w = WorkerByConn(conn);
    if (w == nullptr) return;
    auto pos = std::find(w->assigned.begin(), w->assigned.end(), r.id);
    if (pos == w->assigned.end()) {
      spdlog::warn("worker {} sent a result for task {} it was not running", w->id.Short(),
                   r.id.Hex());
      continue;
    }
    w->assigned.erase(pos);
    auto it = tasks_.find(r.id);
    if (it == tasks_.end()) continue;
    FunctionStats& fs = function_stats_[it->second.spec.function];
    const double ns = static_cast<double>(r.exec_ns);
    fs.ewma_ns = fs.known ? 0.8 * fs.ewma_ns + 0.2 * ns : ns;
    fs.known = true;
    if (const Status valid = store_->ValidateIncoming(r.value); !valid.ok()) {
      const std::string& invalid = valid.message();
      // The task ran but its result cannot be trusted: report, do not crash.
      spdlog::error("worker {} sent a bad result for task {}: {}", w->id.Short(), r.id.Hex(),
                    invalid);
      r.value = rpc::ErrorObject(ReturnObjectOf(r.id),
                                 Describe(it->second) + " produced an unusable result: " + invalid);
    }
    uint64_t args_bytes = 0;
    for (const rpc::TaskArg& arg : it->second.spec.args) args_bytes += arg.data.size();
    events_.RecordExecution(it->second.spec.function, it->second.job, w->pid, r.exec_ns, args_bytes,
                            r.value.state == rpc::ObjectState::kError ? &r.value.data : nullptr);
    if (it->second.spec.kind == TaskKind::kActorCreation) {
      auto a = actors_.find(w->actor);
      if (a != actors_.end()) OnActorCreated(a->second, r.value);
    }
    FinishTask(r.id, std::move(r.value));
  }
  Worker* w = WorkerByConn(conn);
  if (w != nullptr && !w->actor.IsNil()) {
    auto a = actors_.find(w->actor);
    if (a != actors_.end() && a->second.released && a->second.calls.empty() &&
        w->assigned.empty()) {
      KillActor(a->second, "its last handle was released");
    }
  }
}

void Scheduler::RequeueFront(const std::vector<TaskId>& ids) {
  // Walk backwards so that push_front keeps the original order.
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    auto t = tasks_.find(*it);
    if (t == tasks_.end()) continue;
    Task& task = t->second;
    if (task.spec.kind == TaskKind::kActorCall) {
      task.state = TaskState::kActorQueued;
      auto a = actors_.find(task.spec.actor);
      if (a != actors_.end()) a->second.calls.push_front(*it);
    } else if (task.spec.kind == TaskKind::kActorCreation) {
      task.state = TaskState::kQueued;
      pending_actors_.push_front(ActorId(it->hi(), it->lo()));
    } else {
      task.state = TaskState::kQueued;
      queues_[QueueKey{task.job, task.shape, task.from_peer}].push_front(*it);
    }
  }
}

void Scheduler::OnWorkerBlocked(rpc::ConnId conn, const rpc::WorkerBlocked& msg) {
  Worker* w = WorkerByConn(conn);
  if (w == nullptr) return;
  std::vector<TaskId> returned;
  for (const TaskId& id : msg.returned) {
    auto pos = std::find(w->assigned.begin(), w->assigned.end(), id);
    if (pos == w->assigned.end()) continue;
    w->assigned.erase(pos);
    auto t = tasks_.find(id);
    if (t != tasks_.end()) --t->second.attempts;  // it never started
    returned.push_back(id);
  }
  RequeueFront(returned);
  // A task waiting for other tasks lends its resources out, or nested tasks
  // would deadlock once every CPU waits on a child.
  // A second message while blocked only returns tasks that arrived late.
  if (!w->blocked) {
    w->blocked = true;
    available_.Add(w->lease);
  }
}

void Scheduler::OnWorkerUnblocked(rpc::ConnId conn) {
  Worker* w = WorkerByConn(conn);
  if (w == nullptr || !w->blocked) return;
  w->blocked = false;
  available_.Subtract(w->lease);  // may go below zero for a moment; dispatch waits
  if (!w->actor.IsNil()) {
    auto a = actors_.find(w->actor);
    if (a != actors_.end()) SendActorCalls(a->second);
  }
}

void Scheduler::OnWorkerDisconnect(rpc::ConnId conn, const std::string& reason) {
  Worker* w = WorkerByConn(conn);
  worker_by_conn_.erase(conn);
  if (w == nullptr) return;
  // The socket closes as the process exits, so its status is normally there
  // at once; the short wait covers the rest, then the agent makes sure.
  process::ExitInfo e = process::ReapWithin(w->pid, 200);
  HandleWorkerDeath(*w, "worker " + w->id.Short() + " (pid " + std::to_string(w->pid) +
                            ") died: " + e.description + " [" + reason + "]; log: " + w->log_path);
}

void Scheduler::HandleWorkerDeath(Worker& w, const std::string& reason) {
  spdlog::warn("{}", reason);
  if (!w.blocked) available_.Add(w.lease);
  w.lease = ResourceSet();
  w.state = WorkerState::kDead;
  if (!w.actor.IsNil()) {
    const WorkerId wid = w.id;
    auto a = actors_.find(w.actor);
    if (a != actors_.end()) {
      a->second.worker = WorkerId();  // this process is already gone
      OnActorWorkerDied(a->second, w, reason);
    }
    workers_.erase(wid);
    return;
  }
  // Results come back in execution order, so the first task without one was
  // the one running: only it is charged a retry. The rest never started.
  std::vector<TaskId> requeue;
  bool first = true;
  for (const TaskId& id : w.assigned) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) continue;
    Task& t = it->second;
    if (!first) {
      --t.attempts;
      requeue.push_back(id);
      continue;
    }
    first = false;
    if (t.attempts <= t.spec.max_retries) {
      spdlog::info("retrying {} (attempt {} of {})", Describe(t), t.attempts + 1,
                   t.spec.max_retries + 1);
      requeue.push_back(id);
    } else {
      FailTask(id, Describe(t) + " failed after " + std::to_string(t.attempts) +
                       " attempt(s) (max_retries=" + std::to_string(t.spec.max_retries) +
                       "): " + reason);
    }
  }
  workers_.erase(w.id);
  RequeueFront(requeue);
}

void Scheduler::FailJobQueue(const JobId& job, const std::string& message) {
  for (auto& [key, queue] : queues_) {
    if (key.job != job) continue;
    std::deque<TaskId> ids;
    ids.swap(queue);
    for (const TaskId& id : ids) FailTask(id, message);
  }
  std::deque<ActorId> keep;
  for (const ActorId& a : pending_actors_) {
    auto it = actors_.find(a);
    if (it != actors_.end() && it->second.job == job) {
      KillActor(it->second, message);
    } else {
      keep.push_back(a);
    }
  }
  pending_actors_.swap(keep);
}

void Scheduler::ReapIdleWorkers() {
  const auto now = std::chrono::steady_clock::now();
  std::unordered_map<JobId, int> pool_size;
  for (const auto& [id, w] : workers_) {
    if (w.actor.IsNil() && w.state != WorkerState::kDead) ++pool_size[w.job];
  }
  std::vector<WorkerId> stop;
  for (const auto& [id, w] : workers_) {
    if (w.state != WorkerState::kIdle || !w.actor.IsNil()) continue;
    if (now - w.idle_since < options_.idle_worker_timeout) continue;
    int& size = pool_size[w.job];
    if (size <= options_.num_cpus) continue;
    --size;
    stop.push_back(id);
  }
  for (const WorkerId& id : stop) {
    Worker& w = workers_.at(id);
    spdlog::info("stopping idle worker {} (pid {}): more workers than cores", id.Short(), w.pid);
    kill(w.pid, SIGKILL);
    process::ReapWithin(w.pid, 1000);
    if (w.conn != rpc::ConnId::kNone) {
      worker_by_conn_.erase(w.conn);
      loop_->Close(w.conn, "idle worker stopped");
    }
    workers_.erase(id);
  }
}

void Scheduler::Tick() {
  ReapIdleWorkers();
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(retiring_, [&](const Retiring& r) {
    if (process::PollExit(r.pid).exited) return true;
    if (now < r.kill_at) return false;
    spdlog::warn("worker pid {} did not exit within {} s of its actor ending; killing it", r.pid,
                 std::chrono::duration_cast<std::chrono::seconds>(kActorExitGrace).count());
    kill(r.pid, SIGKILL);
    process::ReapWithin(r.pid, 1000);
    return true;
  });
  std::vector<WorkerId> failed;
  for (auto& [id, w] : workers_) {
    if (w.state != WorkerState::kStarting) continue;
    process::ExitInfo e = process::PollExit(w.pid);
    if (!e.exited && now - w.started > kWorkerStartTimeout) {
      kill(w.pid, SIGKILL);
      e = process::ReapWithin(w.pid, 1000);
      e.description = "did not connect within 60 s";
    }
    if (!e.exited) continue;
    failed.push_back(id);
    auto j = jobs_.find(w.job);
    if (j == jobs_.end()) continue;
    ++j->second.start_failures;
    j->second.last_start_error = "a worker process exited before connecting to the node agent (" +
                                 e.description + "); its output is in " + w.log_path;
    spdlog::error("{}", j->second.last_start_error);
  }
  for (const WorkerId& id : failed) {
    Worker& w = workers_.at(id);
    const JobId job = w.job;
    const ActorId actor = w.actor;
    workers_.erase(id);
    auto j = jobs_.find(job);
    if (j == jobs_.end()) continue;
    if (!actor.IsNil()) {
      auto a = actors_.find(actor);
      if (a != actors_.end() && a->second.state == ActorState::kPending) a->second.worker = WorkerId();
    }
    if (j->second.start_failures >= kMaxStartFailures) {
      FailJobQueue(job, "workers for this job cannot start: " + j->second.last_start_error);
    }
  }
}

void Scheduler::EndWorker(Worker& w, bool graceful, const char* why) {
  // Retired: its connection closes, it runs its actor's destructor and
  // exits; Tick reaps it (SIGKILL past the grace). Else killed now.
  const bool retire = graceful && w.conn != rpc::ConnId::kNone;
  if (retire) {
    retiring_.push_back({w.pid, std::chrono::steady_clock::now() + kActorExitGrace});
  } else {
    kill(w.pid, SIGKILL);
    process::ReapWithin(w.pid, 1000);
  }
  if (w.conn != rpc::ConnId::kNone) {
    worker_by_conn_.erase(w.conn);
    loop_->Close(w.conn, why);
    w.conn = rpc::ConnId::kNone;
  }
}

void Scheduler::RemoveJob(const JobId& job) {
  std::vector<WorkerId> dead;
  for (auto& [id, w] : workers_) {
    if (w.job != job) continue;
    EndWorker(w, /*graceful=*/w.state == WorkerState::kActor, "job ended");  // an actor's destructor runs
    if (!w.blocked) available_.Add(w.lease);
    dead.push_back(id);
  }
  for (const WorkerId& id : dead) workers_.erase(id);
  std::vector<TaskId> drop;
  for (const auto& [id, t] : tasks_) {
    if (t.job == job) drop.push_back(id);
  }
  for (const TaskId& id : drop) FailTask(id, "the job ended");
  for (auto it = queues_.begin(); it != queues_.end();) {
    it = it->first.job == job ? queues_.erase(it) : std::next(it);
  }
  for (auto& [shape, ids] : infeasible_) {
    ids.erase(std::remove_if(ids.begin(), ids.end(),
                             [&](const TaskId& id) { return tasks_.count(id) == 0; }),
              ids.end());
  }
  for (auto it = actors_.begin(); it != actors_.end();) {
    it = it->second.job == job ? actors_.erase(it) : std::next(it);
  }
  std::deque<ActorId> keep;
  for (const ActorId& a : pending_actors_) {
    if (actors_.count(a) != 0) keep.push_back(a);
  }
  pending_actors_.swap(keep);
  jobs_.erase(job);
}

void Scheduler::KillAllWorkers() {
  for (auto& [id, w] : workers_) {
    EndWorker(w, /*graceful=*/w.state == WorkerState::kActor, "node shutting down");
  }
  loop_->FlushAndClose();  // the loop has stopped: close their connections now
  // Actors' destructors: a shared, shorter grace, since the node is going away.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (const Retiring& r : retiring_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    process::ReapWithin(r.pid, static_cast<int>(std::max<int64_t>(left.count(), 1)));
  }
  retiring_.clear();
  workers_.clear();
  worker_by_conn_.clear();
}

}  // namespace strata::node
