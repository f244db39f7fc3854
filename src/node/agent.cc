#include "node/agent.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/binary_files.h"
#include "common/machine_badges.h"
#include "common/session.h"
#include "common/system_info.h"
#include "rpc/handshake.h"
#include "rpc/socket.h"

namespace strata::node {

using rpc::MsgType;
using rpc::ObjectState;

namespace {
constexpr double kDefaultStoreFraction = 0.3;
constexpr double kDefaultMemoryFraction = 0.7;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Agent::Agent(AgentOptions options) : options_(std::move(options)), node_id_(NodeId::Generate()) {}

Agent::~Agent() = default;

Status Agent::Start() {
  namespace fs = std::filesystem;
  if (options_.num_cpus < 0) options_.num_cpus = NumCpus();
  if (options_.token.empty()) options_.token = NewClusterToken();
  const int64_t ram = TotalMemoryBytes();
  if (options_.object_store_memory <= 0) {
    options_.object_store_memory = static_cast<int64_t>(ram * kDefaultStoreFraction);
  }
  if (options_.spill_dir.empty()) options_.spill_dir = options_.session_dir + "/spill";
  std::error_code ec;
  fs::create_directories(options_.spill_dir, ec);
  if (ec) return Unavailable("cannot create spill directory " + options_.spill_dir + ": " + ec.message());
  fs::create_directories(options_.session_dir + "/logs", ec);

  total_.Set("CPU", options_.num_cpus);
  total_.Set("memory", std::floor(static_cast<double>(ram) * kDefaultMemoryFraction));
  total_.Set("object_store_memory", static_cast<double>(options_.object_store_memory));
  machine_ = DetectMachineFacts();
  if (!options_.arch_override.empty()) machine_.arch = options_.arch_override;
  if (!options_.vendor_override.empty()) {
    machine_.vendor = options_.vendor_override == "none" ? "" : options_.vendor_override;
  }
  for (const auto& [name, amount] : BadgeResources(machine_)) total_.Set(name, amount);
  // Declared resources add to what was detected, or override it (0 removes).
  for (const auto& [name, amount] : options_.resources) total_.Set(name, amount);

  loop_ = std::make_unique<rpc::EventLoop>(this);
  STRATA_ASSIGN_OR_RETURN(const int tcp_fd, rpc::ListenOn(options_.tcp_address, &tcp_address_));
  loop_->AddListener(tcp_fd);
  // Abstract: a session directory can be arbitrarily deep, a socket path
  // cannot (108 bytes). Connections still need the cluster token.
  const std::string sock = "@strata-" + std::to_string(getpid()) + "-" + node_id_.Hex();
  STRATA_ASSIGN_OR_RETURN(const int unix_fd, rpc::ListenOn("unix:" + sock, &unix_address_));
  loop_->AddListener(unix_fd);

  if (const uint64_t freed = CleanStaleShmFiles(); freed > 0) {
    spdlog::warn("deleted {} bytes of objects left in /dev/shm by agents that crashed", freed);
  }
  StoreOptions so;
  so.shm_prefix = ShmPrefixFor(node_id_.Short());
  so.spill_dir = options_.spill_dir;
  so.pool_dir = so.shm_prefix + "pool";
  so.capacity_bytes = static_cast<uint64_t>(options_.object_store_memory);
  store_ = std::make_unique<ObjectStore>(so);

  SchedulerOptions sched;
  sched.node = node_id_;
  sched.total = total_;
  sched.log_dir = options_.session_dir + "/logs";
  sched.worker_address = unix_address_;
  sched.token = options_.token;
  sched.num_cpus = options_.num_cpus;
  sched.prestart_workers = options_.prestart_workers;
  sched.idle_worker_timeout = options_.idle_worker_timeout;
  scheduler_ = std::make_unique<Scheduler>(sched, loop_.get(), store_.get());
  store_->set_on_free([this](const ObjectId& id) { scheduler_->OnObjectFreed(id); });
  loop_->Watch(store_->spill_notify_fd(), [this] { store_->OnSpillsDone(); });
  transfer_ = std::make_unique<ObjectTransfer>(loop_.get(), store_.get());
  binaries_ = std::make_unique<process::BinaryStore>(loop_.get());
  scheduler_->set_describe_binaries([this](JobLaunchSpec& launch) {
    return DescribeBinaries(launch);
  });
  scheduler_->set_on_ready([this](const ObjectId& id) { transfer_->OnObjectReady(id); });
  scheduler_->SetTransport(
      [this](NodeIndex index, std::vector<rpc::ForwardedTask> tasks) {
        const rpc::ConnId conn = PeerConn(index);
        if (conn == rpc::ConnId::kNone) {
          scheduler_->OnNodeDead(index, "cannot connect to it");
          return;
        }
        loop_->Send(conn, MsgType::kForwardTasks, tasks);
      },
      [this](const ObjectId& id, rpc::ConnId from,
             std::function<void(bool, const std::string&)> done) {
        transfer_->Pull(id, from, std::move(done));
      },
      [this](rpc::ConnId conn, const ObjectId& id, int delta) {
        loop_->Send(conn, MsgType::kRefDeltas, std::vector<rpc::RefDelta>{{id, delta}});
      });
  scheduler_->set_fetch_foreign([this](const ObjectId& id) {
    FetchFromHome(rpc::ConnId::kNone, id, internal::NodeIndexOfId(id.hi()));
  });
  cluster_ = head::NewInMemoryClusterState();
  if (options_.head_address.empty()) {
    head_ = std::make_unique<head::HeadService>(
        head::HeadOptions{node_id_, options_.session_dir, tcp_address_, options_.token,
                          machine_.arch, options_.node_timeout, options_.dead_node_retention},
        loop_.get(), cluster_.get(), binaries_.get());
    head_->set_on_view_changed([this] { UpdateRemoteNodes(); });
  } else {
    STRATA_RETURN_IF_ERROR(JoinHead());
  }
  spdlog::info("node {} listening on {} and {}; resources {}; store {} bytes", node_id_.Hex(),
               tcp_address_, unix_address_, total_.ToString(), options_.object_store_memory);
  return OkStatus();
}

void Agent::Run() {
  last_tick_ = std::chrono::steady_clock::now();
  loop_->Run(/*tick_ms=*/20);
  head_.reset();  // drivers submitted to this head end with it
  scheduler_->KillAllWorkers();
  store_.reset();  // deletes this node's object files
  spdlog::info("node {} stopped", node_id_.Hex());
}

void Agent::Stop() {
  if (loop_) loop_->Stop();
}



void Agent::OnFrame(rpc::ConnId id, MsgType type, const char* body, size_t size) {
  if (id == head_conn_) {
    HandleFromHead(type, body, size);
    return;
  }
  if (peer_out_index_.count(id) != 0) {
    HandlePeerFrame(id, type, body, size);
    return;
  }
  Peer& peer = peers_[id];
  if (!peer.greeted) {
    if (type != MsgType::kHello) {
      loop_->Refuse(id, std::string("expected Hello, got ") + rpc::MsgTypeName(type));
      return;
    }
    HandleHello(id, body, size);
    return;
  }
  const bool worker = peer.role == rpc::Role::kWorker;
  if (peer.role == rpc::Role::kPeer) {
    HandlePeerFrame(id, type, body, size);
    return;
  }
  if (peer.role == rpc::Role::kNode) {
    head_->OnNodeFrame(id, type, body, size);  // only the head accepts nodes
    return;
  }
  if (peer.role == rpc::Role::kCli && head::HeadService::IsCliRequest(type)) {
    if (head_) {
      head_->OnCliFrame(id, type, body, size);
    } else {
      RefuseHeadRequest(id, type);
    }
    return;
  }
  // The CLI only reads status and the timeline; everything else needs a
  // driver or a worker.
  if (peer.role == rpc::Role::kCli && type != MsgType::kStatusRequest && type != MsgType::kTimelineRequest &&
      type != MsgType::kLogRequest) {
    loop_->Refuse(id, std::string("a CLI connection may not send ") + rpc::MsgTypeName(type));
    return;
  }
  switch (type) {
    case MsgType::kSubmitTasks: {
      std::vector<rpc::TaskSpec> specs;
      if (!loop_->DecodeOrRefuse(id, type, body, size, &specs)) return;
      for (auto& s : specs) scheduler_->Submit(id, peer.job, std::move(s));
      return;
    }
    case MsgType::kPutObjects: {
      std::vector<rpc::ObjectInfo> objects;
      if (!loop_->DecodeOrRefuse(id, type, body, size, &objects)) return;
      HandlePut(id, std::move(objects));
      return;
    }
    case MsgType::kRefDeltas:
      ApplyRefDeltas(id, body, size);
      return;
    case MsgType::kGetObjects: {
      std::vector<ObjectId> ids;
      if (!loop_->DecodeOrRefuse(id, type, body, size, &ids)) return;
      HandleGet(id, ids);
      return;
    }
    case MsgType::kTaskResults: {
      std::vector<rpc::TaskResult> results;
      if (!worker) break;
      if (!loop_->DecodeOrRefuse(id, type, body, size, &results)) return;
      scheduler_->OnTaskResults(id, std::move(results));
      return;
    }
    case MsgType::kWorkerBlocked: {
      rpc::WorkerBlocked msg;
      if (!worker) break;
      if (!loop_->DecodeOrRefuse(id, type, body, size, &msg)) return;
      scheduler_->OnWorkerBlocked(id, msg);
      return;
    }
    case MsgType::kWorkerUnblocked:
      if (!worker) break;
      scheduler_->OnWorkerUnblocked(id);
      return;
    case MsgType::kStatusRequest:
      HandleStatus(id);
      return;
    case MsgType::kTimelineRequest:
      HandleTimelineRequest(id, body, size);
      return;
    case MsgType::kKillActor:
      HandleKillActor(id, body, size);
      return;
    case MsgType::kLogRequest:
      HandleLogRequest(id, body, size);
      return;
    case MsgType::kPipelineReport:
      if (peer.role != rpc::Role::kDriver) break;
      HandlePipelineReport(peer, id, body, size);
      return;
    default:
      break;
  }
  loop_->Refuse(id, std::string("unexpected ") + rpc::MsgTypeName(type) + " message");
}

void Agent::HandleHello(rpc::ConnId id, const char* body, size_t size) {
  rpc::Hello hello;
  if (!loop_->DecodeOrRefuse(id, MsgType::kHello, body, size, &hello)) return;
  if (hello.protocol_version != rpc::kProtocolVersion) {
    loop_->Refuse(id, "protocol version " + std::to_string(hello.protocol_version) +
                             " is not supported (this node speaks " +
                             std::to_string(rpc::kProtocolVersion) + ")");
    return;
  }
  if (!TokensEqual(hello.token, options_.token)) {
    const std::string why = hello.token.empty() ? "missing cluster token" : "wrong cluster token";
    spdlog::warn("refused a connection from pid {} (role {}): {}", hello.pid, static_cast<int>(hello.role), why);
    loop_->Refuse(id, why + " (set STRATA_TOKEN to the token `strata start` printed; it is "
                               "also in the session directory's `token` file)");
    return;
  }
  loop_->Trust(id);
  Peer& peer = peers_[id];
  peer.pid = hello.pid;
  rpc::Welcome welcome;
  welcome.node = node_id_;
  welcome.session_dir = options_.session_dir;
  welcome.shm_prefix = store_->options().shm_prefix;
  welcome.spill_dir = store_->options().spill_dir;
  welcome.pool_dir = store_->options().pool_dir;
  welcome.store_capacity = store_->options().capacity_bytes;
  switch (hello.role) {
    case rpc::Role::kDriver: {
      JobLaunchSpec launch{hello.executable, hello.argv, hello.cwd, hello.env, {}, {}};
      if (std::string why = DriverLaunch(hello, &launch); !why.empty()) {
        loop_->Refuse(id, why);
        return;
      }
      peer.role = rpc::Role::kDriver;
      peer.job = JobId::Generate();
      scheduler_->AddJob(peer.job, id, std::move(launch));
      head::JobRecord job;
      job.id = peer.job;
      job.driver_pid = hello.pid;
      job.executable = hello.executable;
      job.state = rpc::JobState::kRunning;
      job.start_time_ms = NowMs();
      cluster_->UpsertJob(job);
      spdlog::info("driver pid {} connected: job {}", hello.pid, peer.job.Short());
      break;
    }
    case rpc::Role::kWorker: {
      peer.role = rpc::Role::kWorker;
      if (!scheduler_->OnWorkerHello(id, hello.worker, &peer.job)) {
        loop_->Refuse(id, "unknown worker id " + hello.worker.Hex());
        return;
      }
      break;
    }
    case rpc::Role::kCli:
      peer.role = rpc::Role::kCli;
      break;
    case rpc::Role::kPeer:
      peer.role = rpc::Role::kPeer;
      peer.node_index = hello.node_index;
      break;
    case rpc::Role::kNode: {
      if (!head_) {
        loop_->Refuse(id, "this node is not the head; join " + options_.head_address);
        return;
      }
      Result<NodeIndex> index = head_->Join(id, hello.node_address);
      if (!index.ok()) {
        loop_->Refuse(id, index.status().message());
        return;
      }
      peer.role = rpc::Role::kNode;
      welcome.node_index = *index;
      break;
    }
    default:
      loop_->Refuse(id, "unknown role " + std::to_string(static_cast<int>(hello.role)));
      return;
  }
  peer.greeted = true;
  welcome.job = peer.job;
  if (peer.role != rpc::Role::kNode) welcome.node_index = node_index_;
  loop_->Send(id, MsgType::kWelcome, welcome);
}

std::string Agent::DriverLaunch(const rpc::Hello& hello, JobLaunchSpec* launch) {
  if (hello.boot_id != BootId()) {
    return "this driver runs on another machine than node " + node_id_.Short() + " (" +
           tcp_address_ + "), which could not start its workers from " + hello.executable +
           ". Run it on the cluster with `strata job submit --address " + tcp_address_ +
           " -- PROGRAM ARGS`, which uploads the program";
  }
  const Result<std::string> own = ElfArchOf(hello.executable);
  if (!own.ok()) return "cannot start workers for this driver: " + own.status().message();
  const std::string& own_arch = *own;
  launch->binaries.push_back(rpc::JobBinary{own_arch, "", 0});
  launch->binary_paths.push_back(hello.executable);
  for (const auto& [arch, path] : hello.binaries) {
    const Result<std::string> actual = ElfArchOf(path);
    if (!actual.ok() || *actual != arch) {
      return "the " + arch + " executable given for this job, " + path + ", " +
             (!actual.ok() ? "cannot be used: " + actual.status().message() : "is built for " + *actual);
    }
    if (arch == own_arch) continue;  // the driver's own binary serves that architecture
    launch->binaries.push_back(rpc::JobBinary{arch, "", 0});
    launch->binary_paths.push_back(path);
  }
  return "";
}

std::string Agent::DescribeBinaries(JobLaunchSpec& launch) {
  for (size_t i = 0; i < launch.binaries.size() && i < launch.binary_paths.size(); ++i) {
    rpc::JobBinary& b = launch.binaries[i];
    if (!b.sha256.empty()) continue;
    const Result<std::string> sha = binaries_->Describe(launch.binary_paths[i], &b.size);
    if (!sha.ok()) return "cannot hash the job's " + b.arch + " executable: " + sha.status().message();
    b.sha256 = *sha;
  }
  return "";
}

void Agent::RefuseHeadRequest(rpc::ConnId id, MsgType type) {
  if (type == MsgType::kDrainNode) {
    // Answered, not refused: `strata drain` prints it.
    loop_->Send(id, MsgType::kDrainReply,
                "error: drain requests go to the head (" + options_.head_address + ")");
    return;
  }
  loop_->Refuse(id, std::string(rpc::MsgTypeName(type)) + " requests go to the head (" +
                           options_.head_address + ")");
}

void Agent::HandlePut(rpc::ConnId id, std::vector<rpc::ObjectInfo>&& objects) {
  for (rpc::ObjectInfo& info : objects) {
    const ObjectId oid = info.id;
    const Status valid =
        info.state == ObjectState::kError ? InvalidArgument("a put cannot be an error") : store_->ValidateIncoming(info);
    if (!valid.ok()) {
      loop_->Refuse(id, "bad PutObjects: " + valid.message());
      return;
    }
    store_->Expect(oid);
    store_->AddHolder(id, oid, 1);  // the putter's adopted reference
    store_->Seal(std::move(info));
  }
}

void Agent::FetchFromHome(rpc::ConnId waiter, const ObjectId& oid, NodeIndex home) {
  StoredObject& obj = store_->Expect(oid);
  if (waiter != rpc::ConnId::kNone) obj.waiters.push_back(waiter);
  PullFromHome(oid, home);
}

void Agent::PullFromHome(const ObjectId& oid, NodeIndex home) {
  const std::string lost =
      "object " + oid.Hex() + " could not be fetched from the node that made it: ";
  if (home == node_index_) {
    SealError(oid, lost + "it is not in this node's store (freed, or lost)");
    return;
  }
  const rpc::ConnId conn = PeerConn(home);
  if (conn == rpc::ConnId::kNone) {
    bool known = false;
    for (const rpc::NodeRecord& n : cluster_->Nodes()) known |= n.index == home;
    if (!known) {
      // Two heartbeats' time for the cluster view to name the node.
      unknown_home_fetches_.push_back({oid, home, std::chrono::steady_clock::now() + std::chrono::seconds(2)});
      return;
    }
    SealError(oid, lost + "node " + std::to_string(IndexNumber(home)) + " is not reachable");
    return;
  }
  transfer_->Pull(oid, conn, [this, oid, lost](bool ok, const std::string& error) {
    if (!ok) {
      SealError(oid, lost + error);
    }
    // Otherwise the transfer sealed it, and the store told the scheduler.
  });
}

void Agent::RetryUnknownHomes() {
  if (unknown_home_fetches_.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  std::vector<UnknownHomeFetch> waiting;
  waiting.swap(unknown_home_fetches_);
  for (const UnknownHomeFetch& f : waiting) {
    bool known = false;
    for (const rpc::NodeRecord& n : cluster_->Nodes()) known |= n.index == f.home;
    if (known) {
      PullFromHome(f.oid, f.home);
    } else if (now > f.deadline) {
      SealError(f.oid, "object " + f.oid.Hex() + " could not be fetched from the node that made it: node " +
                           std::to_string(IndexNumber(f.home)) + " is not in the cluster");
    } else {
      unknown_home_fetches_.push_back(f);
    }
  }
}

void Agent::SealError(const ObjectId& id, std::string message) {
  store_->Seal(rpc::ErrorObject(id, std::move(message)));
}

void Agent::ApplyRefDeltas(rpc::ConnId id, const char* body, size_t size) {
  std::vector<rpc::RefDelta> deltas;
  if (!loop_->DecodeOrRefuse(id, MsgType::kRefDeltas, body, size, &deltas)) return;
  for (const auto& d : deltas) store_->AddHolder(id, d.id, d.delta);
}

void Agent::HandleGet(rpc::ConnId id, const std::vector<ObjectId>& ids) {
  std::vector<rpc::ObjectInfo> now;
  for (const ObjectId& oid : ids) {
    StoredObject* obj = store_->Find(oid);
    const NodeIndex home = internal::NodeIndexOfId(oid.hi());
    if ((obj == nullptr || !obj->ready) && home != node_index_) {
      // Made on another node (a ref that travelled here inside a value):
      // fetch it from there. Its id says which node.
      FetchFromHome(id, oid, home);
      continue;
    }
    if (obj == nullptr) {
      now.push_back(rpc::ErrorObject(oid, "object " + oid.Hex() + " does not exist on node " +
                                              node_id_.Short() +
                                              " (it was freed: no reference to it remained)"));
    } else if (obj->ready) {
      now.push_back(store_->ReaderInfo(*obj));
    } else {
      obj->waiters.push_back(id);
    }
  }
  if (!now.empty()) loop_->Send(id, MsgType::kObjectsReady, now);
}

rpc::NodeRecord Agent::SelfRecord() const {
  rpc::NodeRecord r;
  r.id = node_id_;
  r.index = node_index_;
  r.node_type = options_.node_type;
  r.state = draining_ ? rpc::NodeState::kDraining : rpc::NodeState::kAlive;
  r.address = tcp_address_;
  r.hostname = HostName();
  r.spill_dir = options_.spill_dir;
  r.arch = machine_.arch;
  r.instance_id = options_.instance_id;
  r.received_from = received_from_;
  scheduler_->FillNodeRecord(&r);
  r.store = store_->Stats();
  r.transfers = transfer_->stats();
  return r;
}


void Agent::OnDisconnect(rpc::ConnId id, const std::string& reason) {
  if (id == head_conn_) {
    // Without the head this node cannot be scheduled or seen: stop, rather
    // than run on unseen (as a Ray node does when its GCS is gone).
    spdlog::error("lost the connection to the head ({}): stopping this node", reason);
    head_conn_ = rpc::ConnId::kNone;
    loop_->Stop();
    return;
  }
  if (head_ && head_->OnDisconnect(id, reason)) {
    peers_.erase(id);
    return;
  }
  transfer_->OnPeerClosed(id);
  binaries_->OnPeerClosed(id);
  if (auto out = peer_out_index_.find(id); out != peer_out_index_.end()) {
    const NodeIndex index = out->second;
    peer_out_index_.erase(out);
    peer_out_.erase(index);
    scheduler_->OnNodeDead(index, "its connection closed (" + reason + ")");
    store_->DropConnection(id);
    return;
  }
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  Peer peer = it->second;
  peers_.erase(it);
  if (peer.role == rpc::Role::kDriver && peer.greeted) {
    spdlog::info("driver pid {} disconnected ({}): ending job {}", peer.pid, reason,
                 peer.job.Short());
    scheduler_->RemoveJob(peer.job);
    if (peer.running_pipeline) {
      peer.running_pipeline->state = rpc::PipelineState::kLost;
      peer.running_pipeline->error = "the driver left (" + reason + ") before the run ended";
      RoutePipelineReport(std::move(*peer.running_pipeline));
    }
    // Nodes that ran tasks of this job stop its workers too.
    for (const auto& [index, conn] : peer_out_) loop_->Send(conn, MsgType::kEndJob, peer.job);
    for (head::JobRecord job : cluster_->Jobs()) {
      if (job.id != peer.job) continue;
      job.state = rpc::JobState::kFinished;
      job.end_time_ms = NowMs();
      cluster_->UpsertJob(job);
    }
  } else if (peer.role == rpc::Role::kWorker) {
    scheduler_->OnWorkerDisconnect(id, reason);
  }
  store_->DropConnection(id);
}

void Agent::OnRound() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_tick_ > std::chrono::milliseconds(100)) {
    last_tick_ = now;
    scheduler_->Tick();
    if (head_) head_->Tick();
    RetryUnknownHomes();
  }
  if (now - last_heartbeat_ > std::chrono::milliseconds(500)) Heartbeat();
  if (draining_) CheckDrained();
  scheduler_->Dispatch();
}

}  // namespace strata::node
