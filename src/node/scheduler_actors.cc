// Actors: a dedicated worker per actor, calls sent in submission order,
// restarts, and the end of an actor when its last handle is gone.
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "node/scheduler.h"
#include "strata/internal/runtime.h"

namespace strata::node {

using rpc::ObjectState;

void Scheduler::SubmitActorCreation(Task& t) {
  const ActorId id(t.spec.id.hi(), t.spec.id.lo());
  Actor& a = actors_[id];
  a.id = id;
  a.job = t.job;
  a.creation = t.spec.id;
  a.creation_spec = t.spec;
  a.owner = t.owner;
  a.shape = t.shape;
  a.restarts_left = t.spec.max_restarts;
  a.from_peer = t.from_peer;
  // A restart runs the factory again with the same arguments, so they stay
  // pinned for the actor's whole life.
  for (const rpc::TaskArg& arg : t.spec.args) {
    if (arg.by_ref) store_->Pin(arg.ref);
  }
}

void Scheduler::DispatchActors() {
  std::deque<ActorId> waiting;
  while (!pending_actors_.empty()) {
    const ActorId id = pending_actors_.front();
    pending_actors_.pop_front();
    auto a_it = actors_.find(id);
    auto t_it = tasks_.find(TaskOfReturn(ObjectId(id.hi(), id.lo())));
    if (a_it == actors_.end() || t_it == tasks_.end()) continue;
    Actor& a = a_it->second;
    Worker* w = nullptr;
    bool starting = false;
    for (auto& [wid, cand] : workers_) {
      if (cand.actor != id) continue;
      if (cand.state == WorkerState::kIdle) w = &cand;
      if (cand.state == WorkerState::kStarting) starting = true;
    }
    if (!a.from_peer && !starting && !a.shape.FitsIn(available_)) {
      if (RemoteNode* r = RoomForActor(a)) {
        a.state = ActorState::kCreating;
        a.remote = true;
        a.remote_index = r->index;
        spdlog::info("actor {} goes to node {}", a.id.Short(), r->index);
        ForwardTask(t_it->second, *r);
        continue;
      }
    }
    if (w == nullptr && !starting && a.shape.FitsIn(available_)) w = TakeIdleWorker(a.job);
    if (w == nullptr) {
      if (!starting && a.shape.FitsIn(available_)) {
        Worker* fresh = SpawnWorkerFor(a.job, a.shape);
        if (fresh != nullptr) fresh->actor = id;
      }
      waiting.push_back(id);
      continue;
    }
    if (!a.shape.FitsIn(available_)) {
      waiting.push_back(id);
      continue;
    }
    available_.Subtract(a.shape);
    w->state = WorkerState::kActor;
    w->actor = id;
    w->lease = a.shape;
    a.worker = w->id;
    a.state = ActorState::kCreating;
    AssignTask(*w, t_it->second);
  }
  pending_actors_.swap(waiting);
}

RemoteNode* Scheduler::RoomForActor(const Actor& a) {
  auto job = jobs_.find(a.job);
  if (job == jobs_.end()) return nullptr;
  for (RemoteNode& r : remote_) {
    if (a.shape.FitsIn(r.available) && CanRunJobOn(job->second, r)) return &r;
  }
  return nullptr;
}

void Scheduler::OnRemoteActorCreated(Actor& a, rpc::ConnId from, const rpc::ObjectInfo& value) {
  if (value.state == ObjectState::kError) {
    KillActor(a, "its constructor failed on node " + std::to_string(IndexNumber(a.remote_index)) + ": " +
                     value.data);
    return;
  }
  a.state = ActorState::kAlive;
  a.remote_conn = from;
  if (a.kill_when_alive) {
    SendKill(from, a.id);
    KillActor(a, "killed by strata::Kill");
    return;
  }
  spdlog::info("actor {} is alive on node {}", a.id.Short(), a.remote_index);
  SendActorCalls(a);
}

void Scheduler::SendActorCalls(Actor& a) {
  if (a.state != ActorState::kAlive) return;
  if (a.remote) {
    // One connection carries them all, so the other node receives (and
    // queues) them in submission order.
    auto r = std::find_if(remote_.begin(), remote_.end(),
                          [&](const RemoteNode& n) { return n.index == a.remote_index; });
    if (r == remote_.end()) return;  // OnNodeDead restarts it
    while (!a.calls.empty()) {
      auto it = tasks_.find(a.calls.front());
      if (it == tasks_.end()) {
        a.calls.pop_front();
        continue;
      }
      if (it->second.state != TaskState::kActorQueued) break;
      a.calls.pop_front();
      ForwardTask(it->second, *r);
    }
    return;
  }
  auto w_it = workers_.find(a.worker);
  if (w_it == workers_.end() || w_it->second.blocked) return;
  Worker& w = w_it->second;
  while (!a.calls.empty()) {
    auto it = tasks_.find(a.calls.front());
    if (it == tasks_.end()) {
      a.calls.pop_front();
      continue;
    }
    if (it->second.state != TaskState::kActorQueued) break;  // keeps calls in order
    a.calls.pop_front();
    AssignTask(w, it->second);
  }
}

void Scheduler::OnActorCreated(Actor& a, const rpc::ObjectInfo& value) {
  if (value.state == ObjectState::kError) {
    KillActor(a, "its constructor failed: " + value.data);
    return;
  }
  a.state = ActorState::kAlive;
  spdlog::info("actor {} is alive on worker {}", a.id.Short(), a.worker.Short());
  SendActorCalls(a);
}

void Scheduler::OnActorWorkerDied(Actor& a, Worker& w, const std::string& reason) {
  for (const TaskId& id : w.assigned) {
    if (id == a.creation) continue;
    auto it = tasks_.find(id);
    if (it != tasks_.end()) {
      FailTask(id, Describe(it->second) + " failed: its actor died: " + reason);
    }
  }
  w.assigned.clear();
  RestartOrKill(a, reason);
}

void Scheduler::RestartOrKill(Actor& a, const std::string& reason) {
  if (a.restarts_left <= 0 || a.released) {
    KillActor(a, reason);
    return;
  }
  --a.restarts_left;
  spdlog::warn("restarting actor {} ({} restarts left): {}", a.id.Short(), a.restarts_left,
               reason);
  a.state = ActorState::kPending;
  a.worker = WorkerId();
  a.remote = false;
  a.remote_conn = rpc::ConnId::kNone;
  const bool still_pinned = tasks_.count(a.creation) != 0;  // it never finished
  Task& t = tasks_[a.creation];
  t.spec = a.creation_spec;
  t.owner = a.owner;
  t.job = a.job;
  t.shape = a.shape;
  t.state = TaskState::kQueued;
  if (!still_pinned) {
    // FinishTask of the first creation unpinned these; the restart pins again.
    for (const rpc::TaskArg& arg : t.spec.args) {
      if (arg.by_ref) store_->Pin(arg.ref);
    }
    for (const ObjectId& c : t.spec.contained) store_->Pin(c);
  }
  pending_actors_.push_back(a.id);
}

void Scheduler::SendKill(rpc::ConnId conn, const ActorId& id) {
  loop_->Send(conn, rpc::MsgType::kKillActor, std::vector<ObjectId>{ObjectId(id.hi(), id.lo())});
}

void Scheduler::OnKillActor(const ActorId& id) {
  auto it = actors_.find(id);
  if (it == actors_.end() || it->second.state == ActorState::kDead) return;
  Actor& a = it->second;
  a.restarts_left = 0;
  if (a.remote && a.remote_conn == rpc::ConnId::kNone) {
    a.kill_when_alive = true;  // its constructor runs there now; its calls wait here
    return;
  }
  if (a.remote) {
    SendKill(a.remote_conn, id);
  }
  spdlog::info("actor {} killed by strata::Kill", id.Short());
  KillActor(a, "killed by strata::Kill", /*graceful=*/true);
}

void Scheduler::KillActor(Actor& a, const std::string& reason, bool graceful) {
  a.state = ActorState::kDead;
  a.death = reason;
  std::deque<TaskId> calls;
  calls.swap(a.calls);
  for (const TaskId& id : calls) {
    auto it = tasks_.find(id);
    if (it != tasks_.end()) FailTask(id, Describe(it->second) + " failed: actor is dead: " + reason);
  }
  if (tasks_.count(a.creation) != 0) FailTask(a.creation, "actor could not be created: " + reason);
  auto w_it = a.remote ? workers_.end() : workers_.find(a.worker);
  if (w_it != workers_.end()) {
    Worker& w = w_it->second;
    std::deque<TaskId> running;
    running.swap(w.assigned);
    for (const TaskId& id : running) {
      auto it = tasks_.find(id);
      if (id != a.creation && it != tasks_.end()) {
        FailTask(id, Describe(it->second) + " failed: actor is dead: " + reason);
      }
    }
    if (!w.blocked) available_.Add(w.lease);
    EndWorker(w, graceful, "actor ended");
    workers_.erase(w_it);
  }
  for (const rpc::TaskArg& arg : a.creation_spec.args) {
    if (arg.by_ref) store_->Unpin(arg.ref);
  }
  if (a.remote && a.remote_conn != rpc::ConnId::kNone) {
    // The other node keeps the actor while this node holds its handle.
    Release(a.remote_conn, ObjectId(a.id.hi(), a.id.lo()));
    a.remote_conn = rpc::ConnId::kNone;
  }
  if (a.released) {
    actors_.erase(a.id);  // nothing can refer to it any more
  }
}

void Scheduler::ForgetBorrow(const ObjectId& id) {
  if (auto b = borrowed_.find(id); b != borrowed_.end()) {
    Release(b->second, id);
    borrowed_.erase(b);
  }
}

void Scheduler::OnObjectFreed(const ObjectId& id) {
  ForgetBorrow(id);
  auto it = actors_.find(ActorId(id.hi(), id.lo()));
  if (it == actors_.end()) return;
  Actor& a = it->second;
  a.released = true;
  if (a.state == ActorState::kDead) {
    actors_.erase(it);
    return;
  }
  if (a.remote) {
    // Its calls run there; that node ends it once they are done.
    if (a.calls.empty() && a.state == ActorState::kAlive) {
      KillActor(a, "its last handle was released", /*graceful=*/true);
    }
    return;
  }
  auto w = workers_.find(a.worker);
  const bool idle = w == workers_.end() || w->second.assigned.empty();
  if (a.calls.empty() && idle && a.state == ActorState::kAlive) {
    KillActor(a, "its last handle was released", /*graceful=*/true);
  }
}

}  // namespace strata::node
