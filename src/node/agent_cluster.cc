// The node agent's part in a cluster of several nodes: joining the head,
// heartbeats and the cluster view, connections to other nodes, tasks they
// forward here, and the objects and results that move between nodes.
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/binary_files.h"
#include "node/agent.h"
#include "rpc/handshake.h"
#include "rpc/socket.h"

namespace strata::node {

using rpc::MsgType;
using rpc::ObjectState;

Status Agent::JoinHead() {
  const Result<int> connected = rpc::ConnectTo(options_.head_address, 10000);
  if (!connected.ok()) return connected.status().WithContext("cannot reach the head: ");
  const int fd = *connected;
  rpc::Hello hello;
  hello.role = rpc::Role::kNode;
  hello.pid = getpid();
  hello.token = options_.token;
  hello.node_address = tcp_address_;
  const Result<rpc::Welcome> welcome = rpc::Handshake(fd, hello, 10000);
  if (!welcome.ok()) {
    close(fd);
    return welcome.status().WithContext("the head at " + options_.head_address + " did not accept this node: ");
  }
  node_index_ = welcome->node_index;
  // This process now makes ids for its node (its own, and nothing else).
  internal::SetIdNodeIndex(node_index_);
  head_conn_ = loop_->Adopt(fd);
  Heartbeat();  // the head learns resources and identity at once
  spdlog::info("joined the head at {} as node index {}", options_.head_address, node_index_);
  return OkStatus();
}

void Agent::Heartbeat() {
  last_heartbeat_ = std::chrono::steady_clock::now();
  if (head_conn_ != rpc::ConnId::kNone) {
    loop_->Send(head_conn_, MsgType::kNodeReport, SelfRecord());
    return;
  }
  if (!head_) return;
  const rpc::NodeRecord self = SelfRecord();
  head_->Heartbeat(self, last_heartbeat_);  // the view goes out; ours updates
  if (options_.on_head_status) options_.on_head_status(head_->Status(self));
}

void Agent::UpdateRemoteNodes() {
  std::vector<RemoteNode> alive;
  for (const rpc::NodeRecord& n : cluster_->Nodes()) {
    if (n.id == node_id_) continue;
    if (n.state == rpc::NodeState::kAlive) {
      ResourceSet available = n.total;
      available.Subtract(n.used);
      available.Subtract(n.committed);
      auto received = n.received_from.find(node_index_);
      auto returned = n.returned_to.find(node_index_);
      alive.push_back(RemoteNode{n.index, n.id, n.arch, n.total, available,
                                 received == n.received_from.end() ? 0 : received->second,
                                 returned == n.returned_to.end() ? 0 : returned->second});
    } else if (n.state == rpc::NodeState::kDraining) {
      continue;  // finishing what it has: no new work, but nothing to run again either
    } else if (known_dead_.insert(n.index).second) {
      scheduler_->OnNodeDead(n.index, "the head declared it dead");
    }
  }
  scheduler_->SetRemoteNodes(std::move(alive));
}

rpc::ConnId Agent::PeerConn(NodeIndex index) {
  if (auto it = peer_out_.find(index); it != peer_out_.end()) return it->second;
  std::string address;
  for (const rpc::NodeRecord& n : cluster_->Nodes()) {
    if (n.index == index && n.state == rpc::NodeState::kAlive && n.id != node_id_) address = n.address;
  }
  if (address.empty() && index == NodeIndex::kHead && !options_.head_address.empty()) {
    // The head is node 0; a node that joined a moment ago may not have its
    // first view of the cluster yet, but it knows where the head is.
    address = options_.head_address;
  }
  if (address.empty()) {
    spdlog::warn("no alive node has index {} in this node's view of the cluster", index);
    return rpc::ConnId::kNone;
  }
  // One attempt, and no waiting for the Welcome: this runs on the event loop,
  // and two nodes opening connections to each other at once would otherwise
  // each wait for the other. The Welcome arrives later as an ordinary frame;
  // a refusal arrives as an Error and a closed connection.
  const Result<int> fd = rpc::ConnectTo(address, 0);
  if (!fd.ok()) {
    spdlog::error("cannot reach node {} at {}: {}", index, address, fd.status().message());
    return rpc::ConnId::kNone;
  }
  const rpc::ConnId conn = loop_->Adopt(*fd);
  rpc::Hello hello;
  hello.role = rpc::Role::kPeer;
  hello.pid = getpid();
  hello.token = options_.token;
  hello.node_address = tcp_address_;
  hello.node_index = node_index_;
  loop_->Send(conn, MsgType::kHello, hello);
  peer_out_[index] = conn;
  peer_out_index_[conn] = index;
  return conn;
}

void Agent::HandleForwardedTasks(rpc::ConnId from, std::vector<rpc::ForwardedTask>&& tasks) {
  auto peer = peers_.find(from);
  const NodeIndex from_node = peer == peers_.end() ? NodeIndex::kHead : peer->second.node_index;
  if (peer != peers_.end()) received_from_[from_node] += static_cast<int64_t>(tasks.size());
  for (rpc::ForwardedTask& f : tasks) {
    if (!scheduler_->HasJob(f.job)) PrepareForwardedJob(from, f);
    std::vector<ObjectId> to_pull, handed_over;
    for (rpc::ObjectInfo& arg : f.args) {
      StoredObject* have = store_->Find(arg.id);
      if (have != nullptr && have->ready) continue;
      const auto state = arg.state;
      if (state == ObjectState::kInline || state == ObjectState::kError) {
        // Held across the hand-off: sealing tells waiters (none yet) and
        // would free what nothing holds before the task pins it.
        store_->Expect(arg.id);
        store_->Pin(arg.id);
        handed_over.push_back(arg.id);
        store_->Seal(std::move(arg));
      } else {
        to_pull.push_back(arg.id);
      }
    }
    scheduler_->Submit(from, f.job, std::move(f.spec), /*from_peer=*/true, from_node);
    for (const ObjectId& id : handed_over) store_->Unpin(id);  // the task pins them now
    for (const ObjectId& id : to_pull) {
      transfer_->Pull(id, from, [this, id](bool ok, const std::string& error) {
        if (!ok) SealError(id, "argument " + id.Hex() + " could not be fetched: " + error);
      });
    }
  }
}

void Agent::PrepareForwardedJob(rpc::ConnId from, const rpc::ForwardedTask& first) {
  JobLaunchSpec launch;
  launch.argv = first.argv;
  launch.env = first.env;
  // The driver's directory exists on the driver's machine; here, if it does
  // not, workers start in the session directory.
  launch.cwd = access(first.cwd.c_str(), X_OK) == 0 ? first.cwd : options_.session_dir;
  launch.binaries = first.binaries;
  const rpc::JobBinary* mine = nullptr;
  std::string have;
  for (const rpc::JobBinary& b : first.binaries) {
    if (b.arch == machine_.arch) mine = &b;
    have += (have.empty() ? "" : ", ") + b.arch;
  }
  const JobId job = first.job;
  const rpc::JobBinary wanted = mine != nullptr ? *mine : rpc::JobBinary();
  scheduler_->AddJob(job, rpc::ConnId::kNone, std::move(launch));
  scheduler_->SetJobOutputPeer(job, from);
  if (mine == nullptr) {
    scheduler_->FailJobStart(
        job, "node " + node_id_.Short() + " is " + machine_.arch + " and job " + job.Short() +
                 " has no executable for it (it has: " + (have.empty() ? "none" : have) +
                 "). Give one per architecture: InitOptions::binaries, or `strata job submit "
                 "--binary ARCH=PATH`");
    return;
  }
  binaries_->Fetch(wanted.sha256, wanted.size, from,
                   [this, job, wanted](bool ok, const std::string& result) {
                     std::string error = ok ? "" : result;
                     if (ok) {
                       const Result<std::string> arch = ElfArchOf(result);
                       if (!arch.ok() || *arch != machine_.arch) {
                         error = "its " + wanted.arch + " executable is built for " +
                                 (arch.ok() ? *arch : arch.status().message());
                       }
                     }
                     if (!error.empty()) {
                       scheduler_->FailJobStart(job, "node " + node_id_.Short() +
                                                         " cannot run job " + job.Short() + ": " +
                                                         error);
                       return;
                     }
                     scheduler_->SetJobExecutable(job, result);
                   });
}

void Agent::HandlePeerFrame(rpc::ConnId id, MsgType type, const char* body, size_t size) {
  switch (type) {
    case MsgType::kForwardTasks: {
      std::vector<rpc::ForwardedTask> tasks;
      if (loop_->DecodeOrRefuse(id, type, body, size, &tasks)) HandleForwardedTasks(id, std::move(tasks));
      return;
    }
    case MsgType::kObjectsReady: {
      std::vector<rpc::ObjectInfo> results;
      if (loop_->DecodeOrRefuse(id, type, body, size, &results)) {
        auto index = peer_out_index_.find(id);
        scheduler_->OnForwardedResults(
            id, index == peer_out_index_.end() ? std::nullopt : std::optional<NodeIndex>(index->second),
            std::move(results));
      }
      return;
    }
    case MsgType::kPullChunk: {
      rpc::ChunkRequest request;
      if (loop_->DecodeOrRefuse(id, type, body, size, &request)) transfer_->OnChunkRequest(id, request);
      return;
    }
    case MsgType::kObjectChunk: {
      ObjectTransfer::ChunkView chunk;
      if (Status s = ObjectTransfer::DecodeChunk(body, size, &chunk); !s.ok()) {
        loop_->Refuse(id, "malformed ObjectChunk message: " + s.message());
        return;
      }
      transfer_->OnChunk(id, chunk);
      return;
    }
    case MsgType::kRefDeltas:
      ApplyRefDeltas(id, body, size);
      return;
    case MsgType::kKillActor:
      HandleKillActor(id, body, size);
      return;
    case MsgType::kFetchBinary: {
      rpc::BinaryRequest request;
      if (loop_->DecodeOrRefuse(id, type, body, size, &request)) binaries_->OnRequest(id, request);
      return;
    }
    case MsgType::kBinaryChunk: {
      rpc::BinaryChunk chunk;
      if (!loop_->DecodeOrRefuse(id, type, body, size, &chunk)) return;
      if (Status s = binaries_->OnChunk(id, std::move(chunk), /*allow_upload=*/false); !s.ok()) {
        loop_->Refuse(id, s.message());
      }
      return;
    }
    case MsgType::kLogLines: {
      // What a job's workers on that node printed: to the job's driver (or
      // on towards it, for work that travelled through this node).
      rpc::LogLines msg;
      if (!loop_->DecodeOrRefuse(id, type, body, size, &msg)) return;
      const rpc::ConnId to = scheduler_->OutputConnOf(msg.job);
      if (to != rpc::ConnId::kNone && to != id && loop_->IsOpen(to)) loop_->Send(to, MsgType::kLogLines, msg);
      return;
    }
    case MsgType::kTakeObjects: {
      std::vector<ObjectId> ids;
      if (loop_->DecodeOrRefuse(id, type, body, size, &ids)) TakeObjects(id, ids);
      return;
    }
    case MsgType::kWelcome:
      return;  // the answer to our Hello on a connection we opened
    case MsgType::kEndJob: {
      JobId job;
      if (!loop_->DecodeOrRefuse(id, type, body, size, &job)) return;
      if (scheduler_->HasJob(job)) {
        spdlog::info("job {} ended on the node that runs its driver", job.Short());
        scheduler_->RemoveJob(job);
      }
      return;
    }
    case MsgType::kError:
      spdlog::error("a peer node closed connection {}: {}", id, rpc::ErrorReason(body, size));
      return;
    default:
      loop_->Refuse(id, std::string("a peer node may not send ") + rpc::MsgTypeName(type));
  }
}

// strata::Kill, from a driver or worker here or from the node that holds
// the actor's handle.
void Agent::HandleKillActor(rpc::ConnId id, const char* body, size_t size) {
  std::vector<ObjectId> actors;
  if (!loop_->DecodeOrRefuse(id, MsgType::kKillActor, body, size, &actors)) return;
  for (const ObjectId& a : actors) scheduler_->OnKillActor(ActorId(a.hi(), a.lo()));
}

void Agent::HandOverObjects() {
  // Other nodes hold references to objects made here (returned inside values):
  // they copy them before this node leaves, then let go of them here.
  for (const auto& [conn, peer] : peers_) {
    if (peer.role != rpc::Role::kPeer) continue;
    std::vector<ObjectId> held = store_->HeldBy(conn);
    std::erase_if(held, [&](const ObjectId& id) { return !handed_over_.insert(id).second; });
    if (!held.empty()) {
      spdlog::info("drain: handing {} object(s) to the node on connection {}", held.size(), conn);
      loop_->Send(conn, MsgType::kTakeObjects, held);
    }
  }
}

void Agent::TakeObjects(rpc::ConnId from, const std::vector<ObjectId>& ids) {
  for (const ObjectId& id : ids) {
    StoredObject* obj = store_->Find(id);
    if (obj == nullptr) continue;  // not needed here any more
    if (obj->ready) {
      scheduler_->ForgetBorrow(id);  // already copied here
      continue;
    }
    transfer_->Pull(id, from, [this, id](bool ok, const std::string& error) {
      if (!ok) {
        SealError(id, "object " + id.Hex() + " was lost when the node that made it left: " + error);
        return;
      }
      scheduler_->ForgetBorrow(id);  // a copy lives here now
    });
  }
}

void Agent::CheckDrained() {
  // Done when nothing runs or waits here and every result was fetched by
  // its owner (which releases it): nothing would be lost by leaving.
  HandOverObjects();
  const bool idle = scheduler_->NumTasks() == 0 && store_->Stats().num_objects == 0;
  const bool late = std::chrono::steady_clock::now() > drain_deadline_;
  if (!idle && !late) return;
  spdlog::info("drain {}: leaving the cluster", idle ? "complete" : "deadline passed");
  loop_->Stop();
}

void Agent::HandleFromHead(MsgType type, const char* body, size_t size) {
  if (type == MsgType::kDrainNode) {
    rpc::DrainRequest request;
    if (Status s = rpc::DecodeBody(body, size, &request); !s.ok()) {
      spdlog::error("malformed DrainNode from the head: {}", s.message());
      return;
    }
    draining_ = true;
    drain_deadline_ = std::chrono::steady_clock::now() +
                      std::chrono::milliseconds(static_cast<int64_t>(request.deadline_s * 1000));
    spdlog::info("draining: no new work; leaving once idle or in {} s", request.deadline_s);
    Heartbeat();
    return;
  }
  if (type == MsgType::kClusterView) {
    std::vector<rpc::NodeRecord> view;
    if (Status s = rpc::DecodeBody(body, size, &view); !s.ok()) {
      spdlog::error("malformed ClusterView from the head: {}", s.message());
      return;
    }
    for (const auto& n : view) {
      if (n.id != node_id_) cluster_->UpsertNode(n);
    }
    UpdateRemoteNodes();
  } else if (type == MsgType::kError) {
    spdlog::error("the head closed this node's connection: {}", rpc::ErrorReason(body, size));
  }
}

}  // namespace strata::node
