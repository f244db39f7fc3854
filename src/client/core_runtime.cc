#include "client/core_runtime.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/resources.h"
#include "common/store_files.h"
#include "common/system_info.h"
#include "strata/errors.h"

extern char** environ;

namespace strata::client {

using rpc::MsgType;
using rpc::ObjectState;

namespace {

constexpr int kConnectTimeoutMs = 10000;
constexpr int kMaxRefetches = 5;

std::vector<std::string> OwnCommandLine() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> argv;
  std::string arg;
  while (std::getline(in, arg, '\0')) argv.push_back(arg);
  return argv;
}

std::vector<std::string> OwnEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

bool Batchable(MsgType t) {
  return t == MsgType::kSubmitTasks || t == MsgType::kPutObjects || t == MsgType::kRefDeltas ||
         t == MsgType::kGetObjects || t == MsgType::kTaskResults || t == MsgType::kKillActor;
}

}  // namespace

CoreRuntime::CoreRuntime(const std::string& address, const std::string& token, rpc::Role role,
                         const WorkerId& worker,
                         std::vector<std::pair<std::string, std::string>> binaries)
    : role_(role), worker_id_(worker) {
  const char* quiet = std::getenv("STRATA_LOG_TO_DRIVER");
  quiet_workers_ = quiet != nullptr && std::string(quiet) == "0";
  if (strata::Status s = channel_.Connect(address, kConnectTimeoutMs); !s.ok()) throw StrataError(s.message());
  rpc::Hello hello;
  hello.role = role;
  hello.worker = worker;
  hello.pid = getpid();
  hello.token = token;
  if (role == rpc::Role::kDriver) {
    hello.executable = SelfExecutablePath();
    hello.argv = OwnCommandLine();
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) != nullptr) hello.cwd = cwd;
    hello.env = OwnEnvironment();
    hello.binaries = std::move(binaries);
    hello.boot_id = BootId();
  }
  if (!channel_.SendNow(MsgType::kHello, hello)) {
    throw StrataError("cannot send to the node agent at " + address);
  }
  MsgType type;
  std::string body;
  if (strata::Status s = channel_.ReadFrame(&type, &body, kConnectTimeoutMs); !s.ok()) {
    throw StrataError("no answer from the node agent at " + address + ": " + s.message());
  }
  if (type == MsgType::kError) {
    throw StrataError("the node agent at " + address + " refused this connection: " +
                      rpc::ErrorReason(body.data(), body.size()));
  }
  if (type != MsgType::kWelcome || !rpc::DecodeBody(body.data(), body.size(), &welcome_).ok()) {
    throw StrataError("unexpected answer from " + address + " (is it a Strata node?)");
  }
  internal::SetIdNodeIndex(welcome_.node_index);
  channel_.Start([this](MsgType t, const char* b, size_t n) { OnFrame(t, b, n); },
                 [this](std::string* frames) { Drain(frames); },
                 [this](const std::string& reason) { OnClose(reason); });
}

CoreRuntime::~CoreRuntime() { Close(); }

void CoreRuntime::Close() { channel_.Stop(); }

CoreRuntime::Outgoing& CoreRuntime::Tail(MsgType type) {
  if (out_.empty() || out_.back().type != type || !Batchable(type)) {
    out_.emplace_back();
    out_.back().type = type;
  }
  return out_.back();
}

void CoreRuntime::Drain(std::string* frames) {
  std::vector<Outgoing> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out.swap(out_);
  }
  for (const Outgoing& o : out) {
    switch (o.type) {
      case MsgType::kSubmitTasks: rpc::AppendFrame(frames, o.type, o.tasks); break;
      case MsgType::kPutObjects: rpc::AppendFrame(frames, o.type, o.objects); break;
      case MsgType::kRefDeltas: rpc::AppendFrame(frames, o.type, o.deltas); break;
      case MsgType::kGetObjects:
      case MsgType::kKillActor: rpc::AppendFrame(frames, o.type, o.ids); break;
      case MsgType::kTaskResults: rpc::AppendFrame(frames, o.type, o.results); break;
      case MsgType::kWorkerBlocked: rpc::AppendFrame(frames, o.type, o.blocked); break;
      case MsgType::kPipelineReport: rpc::AppendFrame(frames, o.type, *o.pipeline); break;
      default: rpc::AppendFrame(frames, o.type, std::string()); break;
    }
  }
}

void CoreRuntime::OnFrame(MsgType type, const char* body, size_t size) {
  if (type == MsgType::kObjectsReady) {
    std::vector<rpc::ObjectInfo> infos;
    if (strata::Status s = rpc::DecodeBody(body, size, &infos); !s.ok()) {
      OnClose("malformed ObjectsReady from the node agent: " + s.message());
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (rpc::ObjectInfo& info : infos) {
      const ObjectId id = info.id;
      const bool infeasible = info.state == ObjectState::kInfeasible;
      if (infeasible && warned_infeasible_.insert(id).second) {
        std::fprintf(stderr, "strata: warning: %s\n", info.data.c_str());
      }
      if (!infeasible) {
        owned_pending_.erase(id);
        requested_.erase(id);
      }
      if (local_refs_.count(id) == 0) continue;  // nobody here wants it any more
      objects_[id] = std::make_shared<const rpc::ObjectInfo>(std::move(info));
    }
    objects_cv_.notify_all();
  } else if (type == MsgType::kExecuteTasks) {
    std::vector<rpc::ExecuteTask> tasks;
    if (strata::Status s = rpc::DecodeBody(body, size, &tasks); !s.ok()) {
      OnClose("malformed ExecuteTasks from the node agent: " + s.message());
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (blocked_depth_ > 0) {
      // Sent before the agent learnt that this worker waits in Get(): hand
      // them back, or they would sit behind the waiting task (a deadlock
      // when they are its own children).
      Outgoing& o = Tail(MsgType::kWorkerBlocked);
      for (const auto& t : tasks) o.blocked.returned.push_back(t.spec.id);
      channel_.Wake();
      return;
    }
    for (auto& t : tasks) tasks_.push_back(std::move(t));
    tasks_cv_.notify_one();
  } else if (type == MsgType::kStatusReply) {
    rpc::ClusterStatus status;
    if (strata::Status s = rpc::DecodeBody(body, size, &status); !s.ok()) {
      OnClose("malformed StatusReply from the node agent: " + s.message());
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    last_status_ = std::move(status);
    ++status_replies_;
    objects_cv_.notify_all();
  } else if (type == MsgType::kLogLines) {
    rpc::LogLines msg;
    if (!rpc::DecodeBody(body, size, &msg).ok()) return;
    if (!quiet_workers_) {
      const std::string where = msg.node.empty() ? "" : ", node=" + msg.node;
      for (const auto& line : msg.lines) {
        std::fprintf(stderr, "(pid=%d%s) %s\n", msg.pid, where.c_str(), line.c_str());
      }
    }
  } else if (type == MsgType::kError) {
    OnClose("the node agent closed the connection: " + rpc::ErrorReason(body, size));
  }
}

void CoreRuntime::OnClose(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  closed_ = true;
  close_reason_ = reason;
  tasks_.clear();  // a worker's queued tasks: their results could not be delivered
  objects_cv_.notify_all();
  tasks_cv_.notify_all();
}

ObjectId CoreRuntime::Submit(internal::TaskKind kind, const std::string& function,
                             std::vector<internal::TaskArgument>&& args,
                             std::vector<ObjectId>&& contained,
                             const internal::TaskOptions& options, const ActorId& actor) {
  rpc::TaskSpec spec;
  spec.id = TaskId::Generate();
  spec.kind = kind;
  spec.function = function;
  spec.name = options.name;
  spec.args.reserve(args.size());
  for (auto& a : args) spec.args.push_back(rpc::TaskArg{a.by_ref, a.ref, std::move(a.data)});
  spec.contained = std::move(contained);
  if (options.resources_set) {
    for (const auto& [name, amount] : options.resources) {
      if (amount < 0) throw StrataError("resource '" + name + "' cannot be negative");
    }
    spec.resources = ResourceSet::FromDoubles(options.resources).entries();
  } else if (kind == internal::TaskKind::kNormal) {
    spec.resources = {{"CPU", kResourceUnit}};  // the default: one CPU per task
  }
  spec.max_retries = options.max_retries;
  spec.max_restarts = options.max_restarts;
  spec.actor = actor;
  spec.strategy = options.strategy;
  spec.affinity_node = options.affinity_node;
  spec.affinity_soft = options.affinity_soft;
  const ObjectId rid = ReturnObjectOf(spec.id);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) throw StrataError("not connected to the cluster: " + close_reason_);
    ++local_refs_[rid];
    owned_pending_.insert(rid);
    Tail(MsgType::kSubmitTasks).tasks.push_back(std::move(spec));
  }
  channel_.Wake();
  return rid;
}

rpc::ObjectInfo CoreRuntime::ToInfo(internal::EncodedObject&& e) const {
  rpc::ObjectInfo info;
  info.id = e.id;
  info.size = e.size;
  info.contained = std::move(e.contained);
  if (!e.in_store) {
    info.state = ObjectState::kInline;
    info.data = std::move(e.data);
  } else if (e.size > welcome_.store_capacity) {
    info.state = ObjectState::kSpilled;
    info.path = welcome_.spill_dir + "/" + e.id.Hex();
  } else {
    info.state = ObjectState::kShm;
    std::lock_guard<std::mutex> lock(claimed_mu_);
    if (auto it = claimed_.find(info.id); it != claimed_.end()) {
      info.recycled = std::move(it->second);
      claimed_.erase(it);
    }
  }
  return info;
}

namespace {
// Hides the file's leading pad bytes from the encoder.
class PayloadWriter : public internal::LargeObjectWriter {
 public:
  explicit PayloadWriter(std::unique_ptr<internal::LargeObjectWriter> file)
      : file_(std::move(file)) {}
  char* data() override { return file_->data() + internal::kObjectFilePayloadOffset; }
  void Finish() override { file_->Finish(); }

 private:
  std::unique_ptr<internal::LargeObjectWriter> file_;
};
}  // namespace

std::unique_ptr<internal::LargeObjectWriter> CoreRuntime::CreateLarge(const ObjectId& id,
                                                                     uint64_t size) {
  // An object bigger than the whole store goes straight to the spill
  // directory: it could never fit in shared memory anyway.
  const bool spill = size > welcome_.store_capacity;
  const std::string path =
      spill ? welcome_.spill_dir + "/" + id.Hex() : welcome_.shm_prefix + id.Hex();
  const uint64_t file_bytes = size + internal::kObjectFilePayloadOffset;
  if (!spill && file_bytes >= kRecycleMinBytes && !welcome_.pool_dir.empty()) {
    std::string claimed;
    if (auto reused = ClaimPooledFile(welcome_.pool_dir, path, file_bytes, &claimed)) {
      std::lock_guard<std::mutex> lock(claimed_mu_);
      claimed_[id] = claimed;
      return std::make_unique<PayloadWriter>(std::move(reused));
    }
  }
  Result<std::unique_ptr<internal::LargeObjectWriter>> writer = CreateObjectFile(path, file_bytes);
  if (!writer.ok()) throw StrataError("cannot store object " + id.Hex() + ": " + writer.status().message());
  return std::make_unique<PayloadWriter>(std::move(writer).value());
}

void CoreRuntime::Put(internal::EncodedObject&& object) {
  rpc::ObjectInfo info = ToInfo(std::move(object));
  const ObjectId id = info.id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) throw StrataError("not connected to the cluster: " + close_reason_);
    ++local_refs_[id];
    Tail(MsgType::kPutObjects).objects.push_back(info);
    objects_[id] = std::make_shared<const rpc::ObjectInfo>(std::move(info));
  }
  channel_.Wake();
}

void CoreRuntime::AddRef(const ObjectId& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (++local_refs_[id] != 1) return;
    Tail(MsgType::kRefDeltas).deltas.push_back({id, 1});
  }
  channel_.Wake();
}

void CoreRuntime::RemoveRef(const ObjectId& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = local_refs_.find(id);
    if (it == local_refs_.end() || --it->second > 0) return;
    local_refs_.erase(it);
    objects_.erase(id);
    owned_pending_.erase(id);
    if (closed_) return;
    if (defer_releases_) {
      deferred_releases_.push_back(id);
      return;
    }
    Tail(MsgType::kRefDeltas).deltas.push_back({id, -1});
  }
  channel_.Wake();
}

void CoreRuntime::DeferReleases() {
  std::lock_guard<std::mutex> lock(mu_);
  defer_releases_ = true;
}

void CoreRuntime::RequestLocked(const std::vector<ObjectId>& ids) {
  std::vector<ObjectId> missing;
  for (const ObjectId& id : ids) {
    if (objects_.count(id) != 0 || owned_pending_.count(id) != 0) continue;
    if (requested_.insert(id).second) missing.push_back(id);
  }
  if (missing.empty()) return;
  auto& tail = Tail(MsgType::kGetObjects).ids;
  tail.insert(tail.end(), missing.begin(), missing.end());
  channel_.Wake();
}

bool CoreRuntime::AnsweredLocked(const ObjectId& id) const { return objects_.count(id) != 0; }

void CoreRuntime::BlockLocked() {
  // A worker about to wait hands back the tasks queued behind the current one
  // and lets the agent lend its CPU to others (see Scheduler::OnWorkerBlocked).
  if (role_ != rpc::Role::kWorker || blocked_depth_++ > 0) return;
  Outgoing& o = Tail(MsgType::kWorkerBlocked);
  for (const auto& t : tasks_) o.blocked.returned.push_back(t.spec.id);
  tasks_.clear();
  channel_.Wake();
}

void CoreRuntime::UnblockLocked() {
  if (role_ != rpc::Role::kWorker || --blocked_depth_ > 0) return;
  Tail(MsgType::kWorkerUnblocked);
  channel_.Wake();
}

void CoreRuntime::WaitLocked(std::unique_lock<std::mutex>& lock, int64_t timeout_ms,
                             std::chrono::steady_clock::time_point deadline,
                             const std::function<bool()>& ready) {
  if (ready() || closed_) return;
  BlockLocked();
  if (timeout_ms < 0) {
    objects_cv_.wait(lock, [&] { return closed_ || ready(); });
  } else {
    objects_cv_.wait_until(lock, deadline, [&] { return closed_ || ready(); });
  }
  UnblockLocked();
}

std::vector<internal::ObjectBytes> CoreRuntime::Get(const std::vector<ObjectId>& ids,
                                                    int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<internal::ObjectBytes> out(ids.size());
  std::vector<size_t> todo(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) todo[i] = i;
  for (int attempt = 0; !todo.empty(); ++attempt) {
    std::vector<std::shared_ptr<const rpc::ObjectInfo>> infos(ids.size());
    {
      std::unique_lock<std::mutex> lock(mu_);
      std::vector<ObjectId> want;
      for (size_t i : todo) want.push_back(ids[i]);
      RequestLocked(want);
      if (!out_.empty()) {
        // About to wait for an answer: send what is queued now, from here.
        lock.unlock();
        channel_.Flush();
        lock.lock();
      }
      auto all_here = [&] {
        for (size_t i : todo) {
          if (!AnsweredLocked(ids[i])) return false;
        }
        return true;
      };
      WaitLocked(lock, timeout_ms, deadline, all_here);
      if (!all_here()) {
        if (closed_) throw StrataError("lost the connection to the node agent: " + close_reason_);
        throw TimeoutError("Get timed out after " + std::to_string(timeout_ms) + " ms");
      }
      for (size_t i : todo) infos[i] = objects_.at(ids[i]);
    }
    std::vector<size_t> moved;
    for (size_t i : todo) {
      const rpc::ObjectInfo& info = *infos[i];
      switch (info.state) {
        case ObjectState::kError: throw TaskError(info.data);
        case ObjectState::kInfeasible: throw InfeasibleError(info.data);
        case ObjectState::kInline:
          out[i] = internal::ObjectBytes{info.data.data(), info.data.size(), infos[i]};
          break;
        default:
          if (!Materialize(info, &out[i])) moved.push_back(i);
      }
    }
    if (!moved.empty() && attempt + 1 >= kMaxRefetches) {
      throw StrataError("object " + ids[moved[0]].Hex() + " kept moving while being read");
    }
    if (!moved.empty()) {
      // Spilled between the answer and the read: ask where it is now.
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i : moved) objects_.erase(ids[i]);
    }
    todo = std::move(moved);
  }
  return out;
}

bool CoreRuntime::Materialize(const rpc::ObjectInfo& info, internal::ObjectBytes* out) const {
  if (info.state == ObjectState::kInline) {
    *out = internal::ObjectBytes{info.data.data(), info.data.size(), nullptr};
    return true;
  }
  const std::string path = info.state == ObjectState::kShm
                               ? welcome_.shm_prefix + info.id.Hex()
                               : info.path;
  if (!MapObjectFile(path, out).ok()) return false;
  if (out->size < internal::kObjectFilePayloadOffset) return false;
  out->data += internal::kObjectFilePayloadOffset;
  out->size -= internal::kObjectFilePayloadOffset;
  return true;
}

std::vector<bool> CoreRuntime::Wait(const std::vector<ObjectId>& ids, size_t num_returns,
                                    int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  num_returns = std::min(num_returns, ids.size());
  std::vector<bool> ready(ids.size(), false);
  std::unique_lock<std::mutex> lock(mu_);
  RequestLocked(ids);
  auto enough = [&] {
    size_t n = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      auto it = objects_.find(ids[i]);
      ready[i] = it != objects_.end() &&
                 it->second->state != ObjectState::kInfeasible;
      n += ready[i];
    }
    return n >= num_returns;
  };
  WaitLocked(lock, timeout_ms, deadline, enough);
  if (closed_ && !enough()) {
    throw StrataError("lost the connection to the node agent: " + close_reason_);
  }
  return ready;
}

void CoreRuntime::KillActor(const ActorId& actor) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) throw StrataError("lost the connection to the node agent: " + close_reason_);
    Tail(MsgType::kKillActor).ids.push_back(ObjectId(actor.hi(), actor.lo()));
  }
  channel_.Wake();
}

rpc::ClusterStatus CoreRuntime::Status(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t want = status_replies_ + 1;
  Tail(MsgType::kStatusRequest);
  channel_.Wake();
  const bool got = objects_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return closed_ || status_replies_ >= want;
  });
  if (closed_) throw StrataError("lost the connection to the node agent: " + close_reason_);
  if (!got) throw TimeoutError("no status from the node agent");
  return last_status_;
}

void CoreRuntime::ReportPipeline(rpc::PipelineRecord record) {
  auto shared = std::make_shared<const rpc::PipelineRecord>(std::move(record));
  {
    std::lock_guard<std::mutex> lock(mu_);
    Tail(MsgType::kPipelineReport).pipeline = std::move(shared);
  }
  channel_.Wake();
}

bool CoreRuntime::PopTask(rpc::ExecuteTask* out) {
  std::unique_lock<std::mutex> lock(mu_);
  tasks_cv_.wait(lock, [&] { return closed_ || !tasks_.empty(); });
  if (tasks_.empty()) return false;
  *out = std::move(tasks_.front());
  tasks_.pop_front();
  return true;
}

void CoreRuntime::PushResult(rpc::TaskResult&& result) {
  bool idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Tail(MsgType::kTaskResults).results.push_back(std::move(result));
    // After the result: the agent pins what the result contains before these
    // references (say, the ObjectRef a task returned) let go of them.
    defer_releases_ = false;
    if (!deferred_releases_.empty()) {
      auto& deltas = Tail(MsgType::kRefDeltas).deltas;
      for (const ObjectId& id : deferred_releases_) deltas.push_back({id, -1});
      deferred_releases_.clear();
    }
    idle = tasks_.empty();
  }
  // With nothing else queued here, someone is likely waiting on this result:
  // write it now. Otherwise let results batch up behind the next tasks.
  if (idle) {
    channel_.Flush();
  } else {
    channel_.Wake();
  }
}

}  // namespace strata::client
