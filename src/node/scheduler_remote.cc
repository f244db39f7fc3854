// Work and objects across nodes: forwarding what this node cannot start,
// placement strategies (SPREAD, node affinity, data locality), which nodes can
// run a job's code, borrowed objects, results coming back, and node death.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "node/scheduler.h"
#include "strata/internal/runtime.h"

namespace strata::node {

using internal::TaskKind;
using rpc::ObjectState;

bool Scheduler::ForwardToArgumentHome(Task& t) {
  if (t.from_peer || !fetch_foreign_ || remote_.empty() ||
      t.spec.kind != TaskKind::kNormal ||
      t.spec.strategy != internal::Strategy::kDefault) {
    return false;
  }
  const NodeIndex here = internal::NodeIndexOfId(internal::ProcessIdPrefix());
  bool found = false;
  NodeIndex home = NodeIndex::kHead;
  for (const rpc::TaskArg& arg : t.spec.args) {
    if (!arg.by_ref) continue;
    const StoredObject* obj = store_->Find(arg.ref);
    if (obj != nullptr && obj->ready) continue;
    const NodeIndex h = internal::NodeIndexOfId(arg.ref.hi());
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

bool Scheduler::PlaceByStrategy(Task& t) {
  const auto strategy = t.spec.strategy;
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
    // Results that came back after the report was made: it still counts their
    // resources as used. Without this, a node running short tasks looks full
    // from one report to the next and sits idle in between.
    auto& back = returned_since_report_[r.index];
    while (!back.empty() && back.front().seq <= r.returned_to_me) back.pop_front();
    for (const Returned& b : back) r.available.Add(b.shape);
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
  const NodeIndex here = internal::NodeIndexOfId(internal::ProcessIdPrefix());
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

void Scheduler::OnForwardedResults(rpc::ConnId from, std::optional<NodeIndex> from_node,
                                   std::vector<rpc::ObjectInfo>&& results) {
  for (rpc::ObjectInfo& info : results) {
    const TaskId id = TaskOfReturn(info.id);
    auto it = tasks_.find(id);
    const auto state = info.state;
    const bool final_result = state != ObjectState::kInfeasible;
    if (it == tasks_.end() || it->second.state != TaskState::kForwarded) {
      if (final_result) NoteReturned(from_node, ResourceSet());
      Release(from, info.id);
      continue;
    }
    // Sealing the result here pins what it contains, until it is freed.
    BorrowContained(from, info);
    if (!final_result) continue;  // the other node keeps it queued
    NoteReturned(from_node, it->second.shape);
    if (it->second.spec.kind == TaskKind::kActorCreation) {
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

void Scheduler::NoteReturned(std::optional<NodeIndex> node, const ResourceSet& shape) {
  if (!node) return;
  const int64_t seq = ++results_from_[*node];
  auto r = std::find_if(remote_.begin(), remote_.end(),
                        [&](const RemoteNode& n) { return n.index == *node; });
  if (r != remote_.end() && seq <= r->returned_to_me) return;  // its last report already counted it free
  // The slot it used there is free again; the next report would say so late.
  returned_since_report_[*node].push_back(Returned{seq, shape});
  if (r != remote_.end()) r->available.Add(shape);
}

void Scheduler::OnNodeDead(NodeIndex node_index, const std::string& reason) {
  std::string name = "node " + std::to_string(IndexNumber(node_index));
  for (const RemoteNode& r : remote_) {
    if (r.index == node_index) name += " (" + r.id.Short() + ")";
  }
  remote_.erase(std::remove_if(remote_.begin(), remote_.end(),
                               [&](const RemoteNode& r) { return r.index == node_index; }),
                remote_.end());
  in_flight_.erase(node_index);
  results_from_.erase(node_index);
  returned_since_report_.erase(node_index);
  const std::string death = name + " died: " + reason;
  std::vector<TaskId> requeue, failed, calls;
  for (auto& [id, t] : tasks_) {
    if (t.state != TaskState::kForwarded || t.forwarded_to != node_index) continue;
    const auto kind = t.spec.kind;
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

}  // namespace strata::node
