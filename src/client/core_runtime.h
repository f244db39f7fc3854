// The runtime inside every driver and worker process: one connection to the
// node agent, a local table of objects this process can read, reference
// counts, and (in workers) the queue of tasks to execute.
//
// Everything a caller submits is queued and sent by the channel's writer
// thread in batches; Submit() never waits for the network.
//
// Thread-safety: thread-safe; mu_ guards all mutable state below it.
#pragma once

#include <condition_variable>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "rpc/channel.h"
#include "rpc/cluster_messages.h"
#include "rpc/messages.h"
#include "strata/internal/runtime.h"

namespace strata::client {

class CoreRuntime {
 public:
  // Connects and says hello. Throws StrataError naming the address on failure.
  // `binaries`: a driver's executables for other architectures (arch, path).
  CoreRuntime(const std::string& address, const std::string& token, rpc::Role role,
              const WorkerId& worker,
              std::vector<std::pair<std::string, std::string>> binaries = {});
  ~CoreRuntime();

  ObjectId Submit(internal::TaskKind kind, const std::string& function,
                  std::vector<internal::TaskArgument>&& args, std::vector<ObjectId>&& contained,
                  const internal::TaskOptions& options, const ActorId& actor);
  void Put(internal::EncodedObject&& object);
  std::vector<internal::ObjectBytes> Get(const std::vector<ObjectId>& ids, int64_t timeout_ms);
  std::vector<bool> Wait(const std::vector<ObjectId>& ids, size_t num_returns, int64_t timeout_ms);
  void AddRef(const ObjectId& id);
  void RemoveRef(const ObjectId& id);
  std::unique_ptr<internal::LargeObjectWriter> CreateLarge(const ObjectId& id, uint64_t size);
  // The message form of an encoded value (inline bytes or a store file).
  rpc::ObjectInfo ToInfo(internal::EncodedObject&& object) const;
  // Maps a resolved argument; false if its file moved (spilled) meanwhile.
  bool Materialize(const rpc::ObjectInfo& info, internal::ObjectBytes* out) const;

  // Workers: the next task (blocks); false once the agent is gone.
  bool PopTask(rpc::ExecuteTask* out);
  // Workers: references released from now until the next PushResult are
  // sent after that result (see PushResult).
  void DeferReleases();
  void PushResult(rpc::TaskResult&& result);

  // Ends an actor (strata::Kill): see strata.h.
  void KillActor(const ActorId& actor);

  // The cluster status (the head's, or this node's own on a joined node).
  rpc::ClusterStatus Status(int64_t timeout_ms);
  // A pipeline run's progress, for the head (sent with the next batch; no reply).
  void ReportPipeline(rpc::PipelineRecord record);

  const rpc::Welcome& welcome() const { return welcome_; }
  const WorkerId& worker_id() const { return worker_id_; }
  bool is_worker() const { return role_ == rpc::Role::kWorker; }
  // Flushes queued messages and closes the connection.
  void Close();

 private:
  struct Outgoing {
    rpc::MsgType type;
    std::vector<rpc::TaskSpec> tasks;
    std::vector<rpc::ObjectInfo> objects;
    std::vector<rpc::RefDelta> deltas;
    std::vector<ObjectId> ids;
    std::vector<rpc::TaskResult> results;
    rpc::WorkerBlocked blocked;
    std::shared_ptr<const rpc::PipelineRecord> pipeline;
  };

  Outgoing& Tail(rpc::MsgType type);  // requires mu_
  void OnFrame(rpc::MsgType type, const char* body, size_t size);
  void Drain(std::string* frames);
  void OnClose(const std::string& reason);
  void RequestLocked(const std::vector<ObjectId>& ids);
  bool AnsweredLocked(const ObjectId& id) const;
  // Waits on objects_cv_ until `ready`, the connection closes or the deadline
  // passes (timeout_ms < 0: no deadline), telling the agent this worker is
  // blocked meanwhile. Requires mu_ (held by `lock`).
  void WaitLocked(std::unique_lock<std::mutex>& lock, int64_t timeout_ms,
                  std::chrono::steady_clock::time_point deadline,
                  const std::function<bool()>& ready);
  void BlockLocked();
  void UnblockLocked();

  rpc::Role role_;
  bool quiet_workers_ = false;  // STRATA_LOG_TO_DRIVER=0: do not echo worker output
  WorkerId worker_id_;
  rpc::Welcome welcome_;
  rpc::Channel channel_;

  // Pooled files claimed by CreateLarge, reported with the object (ToInfo).
  mutable std::mutex claimed_mu_;
  mutable std::unordered_map<ObjectId, std::string> claimed_;

  std::mutex mu_;
  std::condition_variable objects_cv_;
  std::condition_variable tasks_cv_;
  std::vector<Outgoing> out_;
  std::unordered_map<ObjectId, std::shared_ptr<const rpc::ObjectInfo>> objects_;
  std::unordered_map<ObjectId, int64_t> local_refs_;
  std::unordered_set<ObjectId> owned_pending_;  // our task returns, pushed to us when done
  std::unordered_set<ObjectId> requested_;
  std::unordered_set<ObjectId> warned_infeasible_;
  std::deque<rpc::ExecuteTask> tasks_;
  int blocked_depth_ = 0;
  uint64_t status_replies_ = 0;
  rpc::ClusterStatus last_status_;
  bool closed_ = false;
  std::string close_reason_;
  bool defer_releases_ = false;                 // guarded by mu_
  std::vector<ObjectId> deferred_releases_;     // guarded by mu_
};

}  // namespace strata::client
