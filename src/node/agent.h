// The node agent: one per machine. Accepts drivers, workers and CLI
// connections; owns the object store, the scheduler and the worker pool.
// On the head machine it also holds the head's cluster state.
//
// Thread-safety: Start() and Run() from one thread; Stop() from any thread
// (including a signal handler: it only writes to an eventfd).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/machine_badges.h"
#include "head/cluster_state.h"
#include "head/head_service.h"
#include "process/binary_store.h"
#include "node/object_store.h"
#include "node/object_transfer.h"
#include "node/scheduler.h"
#include "rpc/event_loop.h"

namespace strata::node {

struct AgentOptions {
  std::string session_dir;                  // required; logs/ and spill/ live here
  std::string tcp_address = "127.0.0.1:0";  // Default: loopback, any free port
  std::string node_type = "head";
  int num_cpus = -1;                        // Default (-1): all cores; 0 means none
  std::map<std::string, double> resources;  // custom resources, override detected ones
  int64_t object_store_memory = 0;          // Default: 30% of RAM
  std::string spill_dir;                    // Default: <session_dir>/spill
  bool prestart_workers = true;
  std::chrono::milliseconds idle_worker_timeout{10000};  // see SchedulerOptions
  std::string token;                        // Default: a new random token
  // Empty: this agent is the head. Otherwise the head to join (host:port).
  std::string head_address;
  // Head only: a node silent this long is declared dead. Default: 10 s.
  std::chrono::milliseconds node_timeout{10000};
  // Head only: dead and drained nodes leave the status after this. Default: 10 min.
  std::chrono::milliseconds dead_node_retention{600000};
  // Testing only: report this architecture instead of the machine's, to try
  // mixed-architecture clusters on one machine ($STRATA_NODE_ARCH).
  std::string arch_override;
  // Testing only: report this CPU vendor ("none": no vendor badge), so tests
  // give the same result on Intel, AMD and ARM hosts ($STRATA_NODE_VENDOR).
  std::string vendor_override;
  InstanceId instance_id;  // set by the provider that started this machine
  // Head only: called on the agent's loop each heartbeat with the cluster
  // status (what the dashboard shows). Keep it quick.
  std::function<void(rpc::ClusterStatus)> on_head_status;
};

class Agent : public rpc::EventLoop::Handler {
 public:
  explicit Agent(AgentOptions options);
  ~Agent() override;

  // Binds the sockets (errors: a bad address, a port in use, no head).
  Status Start();
  // Serves until Stop(); then ends all workers and deletes this node's objects.
  void Run();
  void Stop();

  const std::string& tcp_address() const { return tcp_address_; }
  const std::string& unix_address() const { return unix_address_; }
  const NodeId& node_id() const { return node_id_; }
  // Every connection must present this in its Hello.
  const std::string& token() const { return options_.token; }

  void OnFrame(rpc::ConnId id, rpc::MsgType type, const char* body, size_t size) override;
  void OnDisconnect(rpc::ConnId id, const std::string& reason) override;
  void OnRound() override;

 private:
  struct Peer {
    rpc::Role role{};
    bool greeted = false;
    JobId job;
    int pid = 0;
    NodeIndex node_index = NodeIndex::kHead;  // peers: the node on the other end
    // Drivers: the last report of a pipeline still running (marked lost if
    // the driver leaves first).
    std::optional<rpc::PipelineRecord> running_pipeline;
  };

  void HandleHello(rpc::ConnId id, const char* body, size_t size);
  // What the CLI and the dashboard ask of this node (agent_observers.cc).
  void HandleTimelineRequest(rpc::ConnId id, const char* body, size_t size);
  void HandleLogRequest(rpc::ConnId id, const char* body, size_t size);
  // A driver's pipeline progress, to the head (here, or over the head connection).
  void HandlePipelineReport(Peer& peer, rpc::ConnId id, const char* body, size_t size);
  void RoutePipelineReport(rpc::PipelineRecord record);
  void HandlePut(rpc::ConnId id, std::vector<rpc::ObjectInfo>&& objects);
  void HandleGet(rpc::ConnId id, const std::vector<ObjectId>& ids);
  // A peer (process or node) takes or gives up references to objects here.
  void ApplyRefDeltas(rpc::ConnId id, const char* body, size_t size);
  // Pulls an object made on node `home` and answers `waiter` when it is here.
  void FetchFromHome(rpc::ConnId waiter, const ObjectId& oid, NodeIndex home);
  void PullFromHome(const ObjectId& oid, NodeIndex home);
  void RetryUnknownHomes();
  // Makes an expected object an error and tells whoever waits for it.
  void SealError(const ObjectId& id, std::string message);
  void HandleStatus(rpc::ConnId id);
  // Checks a driver's executables and describes them in `launch`; returns
  // why the driver is refused, or "".
  std::string DriverLaunch(const rpc::Hello& hello, JobLaunchSpec* launch);
  std::string DescribeBinaries(JobLaunchSpec& launch);
  // A job whose work another node sent: its executable for this node's
  // architecture comes from the cache or is fetched from the sender.
  void PrepareForwardedJob(rpc::ConnId from, const rpc::ForwardedTask& first);
  Status JoinHead();
  rpc::ConnId PeerConn(NodeIndex index);
  void HandlePeerFrame(rpc::ConnId id, rpc::MsgType type, const char* body, size_t size);
  void HandleForwardedTasks(rpc::ConnId from, std::vector<rpc::ForwardedTask>&& tasks);
  void UpdateRemoteNodes();
  void HandleFromHead(rpc::MsgType type, const char* body, size_t size);
  void Heartbeat();
  rpc::NodeRecord SelfRecord() const;

  AgentOptions options_;
  NodeId node_id_;
  std::string tcp_address_;
  std::string unix_address_;
  ResourceSet total_;
  MachineFacts machine_;
  std::unique_ptr<rpc::EventLoop> loop_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
  // This node's view of the cluster: the head's table on the head, the
  // head's last broadcast elsewhere.
  std::unique_ptr<head::ClusterState> cluster_;
  std::unique_ptr<ObjectTransfer> transfer_;
  std::unique_ptr<process::BinaryStore> binaries_;
  std::unique_ptr<head::HeadService> head_;  // on the head's node only
  std::unordered_map<NodeIndex, rpc::ConnId> peer_out_;        // node index -> our connection
  std::unordered_map<rpc::ConnId, NodeIndex> peer_out_index_;  // and back
  std::unordered_set<NodeIndex> known_dead_;
  rpc::ConnId head_conn_ = rpc::ConnId::kNone;               // joined nodes: the link to the head
  NodeIndex node_index_ = NodeIndex::kHead;
  std::chrono::steady_clock::time_point last_heartbeat_;
  // Fetches from a node this node has not heard of yet (it joined after the
  // last cluster view): tried again until the view names it, or a deadline.
  struct UnknownHomeFetch {
    ObjectId oid;
    NodeIndex home = NodeIndex::kHead;
    std::chrono::steady_clock::time_point deadline;
  };
  std::vector<UnknownHomeFetch> unknown_home_fetches_;
  bool draining_ = false;
  std::chrono::steady_clock::time_point drain_deadline_;
  void HandleKillActor(rpc::ConnId id, const char* body, size_t size);
  // What a CLI asks of the head, sent to a node that is not the head.
  void RefuseHeadRequest(rpc::ConnId id, rpc::MsgType type);
  void CheckDrained();
  // Draining: nodes that hold objects made here are told to copy them.
  void HandOverObjects();
  void TakeObjects(rpc::ConnId from, const std::vector<ObjectId>& ids);
  std::unordered_set<ObjectId> handed_over_;
  std::map<NodeIndex, int64_t> received_from_;  // forwarded tasks received, by sender
  std::unordered_map<rpc::ConnId, Peer> peers_;
  std::chrono::steady_clock::time_point last_tick_;
};

}  // namespace strata::node
