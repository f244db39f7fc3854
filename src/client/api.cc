// The public API's entry points: Init/Shutdown, and the hooks the templates
// in include/strata call.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include "client/cluster_status.h"
#include "client/core_runtime.h"
#include "client/embedded_hook.h"
#include "client/worker_loop.h"
#include "common/binary_files.h"
#include "common/session.h"
#include "head/status_report.h"
#include "node/agent.h"
#include "node/worker_pool.h"
#include "strata/strata.h"

namespace strata {

namespace {

struct Global {
  std::mutex mu;
  std::unique_ptr<client::CoreRuntime> runtime;
  std::unique_ptr<node::Agent> agent;  // only for an embedded cluster
  std::thread agent_thread;
  bool atexit_registered = false;
};

Global& G() {
  static Global* g = new Global();  // never destroyed: refs may outlive main()
  return *g;
}

std::atomic<client::CoreRuntime*> g_runtime{nullptr};

client::CoreRuntime& Runtime() {
  client::CoreRuntime* rt = g_runtime.load(std::memory_order_acquire);
  if (rt == nullptr) throw StrataError("strata::Init() has not been called");
  return *rt;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

[[noreturn]] void ServeAsWorker() {
  const WorkerId id = WorkerId::FromHex(Env(node::kEnvWorkerId));
  const std::string address = Env(node::kEnvAgentAddress);
  try {
    auto runtime = std::make_unique<client::CoreRuntime>(address, Env(node::kEnvToken),
                                                         rpc::Role::kWorker, id);
    g_runtime.store(runtime.get(), std::memory_order_release);
    client::RunWorker(runtime.release());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata worker %s: %s\n", id.Hex().c_str(), e.what());
    std::_Exit(1);
  }
}

client::EmbeddedAgentHook& EmbeddedHook() {
  static client::EmbeddedAgentHook hook;
  return hook;
}

// Starts a node agent inside this process; returns its local address.
std::string StartEmbeddedCluster(const InitOptions& options, Global& g) {
  const Result<std::string> created = CreateSessionDir();
  if (!created.ok()) throw StrataError(created.status().message());
  const std::string& session = *created;
  spdlog::drop("strata");  // a previous Init() in this process made one
  auto logger = spdlog::basic_logger_mt("strata", session + "/logs/agent.log");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  node::AgentOptions ao;
  ao.session_dir = session;
  ao.num_cpus = options.num_cpus;
  ao.resources = options.resources;
  ao.object_store_memory = options.object_store_memory;
  ao.spill_dir = options.spill_dir;
  if (const std::string idle = Env("STRATA_IDLE_WORKER_TIMEOUT_MS"); !idle.empty()) {
    ao.idle_worker_timeout = std::chrono::milliseconds(std::atoll(idle.c_str()));
  }
  if (EmbeddedHook()) EmbeddedHook()(&ao);
  g.agent = std::make_unique<node::Agent>(ao);
  if (Status started = g.agent->Start(); !started.ok()) {
    g.agent.reset();
    throw StrataError("cannot start the embedded cluster: " + started.message());
  }
  node::Agent* agent = g.agent.get();
  g.agent_thread = std::thread([agent] { agent->Run(); });
  return agent->unix_address();
}

void StopEmbeddedCluster(Global& g) {
  if (!g.agent) return;
  g.agent->Stop();
  if (g.agent_thread.joinable()) g.agent_thread.join();
  g.agent.reset();
}


// The job's executables for other architectures: InitOptions::binaries and
// $STRATA_JOB_BINARIES ("arm64=PATH,x86_64=PATH"), each checked here so that a
// wrong one fails at once, not on a remote node later.
std::vector<std::pair<std::string, std::string>> JobBinaries(const InitOptions& options) {
  std::map<std::string, std::string> all = options.binaries;
  const std::string env = Env("STRATA_JOB_BINARIES");
  size_t start = 0;
  while (start < env.size()) {
    size_t end = env.find(',', start);
    if (end == std::string::npos) end = env.size();
    const std::string item = env.substr(start, end - start);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      throw StrataError("STRATA_JOB_BINARIES: '" + item + "' is not ARCH=PATH");
    }
    all.emplace(item.substr(0, eq), item.substr(eq + 1));
    start = end + 1;
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [arch, path] : all) {
    if (arch != "x86_64" && arch != "arm64") {
      throw StrataError("InitOptions::binaries: unknown architecture '" + arch +
                        "' (use x86_64 or arm64)");
    }
    const Result<std::string> actual = ElfArchOf(path);
    if (!actual.ok()) throw StrataError("InitOptions::binaries[" + arch + "]: " + actual.status().message());
    if (*actual != arch) {
      throw StrataError("InitOptions::binaries[" + arch + "]: " + path + " is built for " +
                        *actual + ", not " + arch);
    }
    out.emplace_back(arch, std::filesystem::absolute(path).string());
  }
  return out;
}

}  // namespace

void Init() { Init(InitOptions()); }

void Init(const InitOptions& options) {
  if (Env(node::kEnvWorkerMode) == "1") ServeAsWorker();
  Global& g = G();
  std::lock_guard<std::mutex> lock(g.mu);
  if (g.runtime) throw StrataError("strata::Init() was already called");
  std::string address = options.address;
  if (address.empty()) address = Env("STRATA_ADDRESS");
  std::string token = options.token;
  if (token.empty()) token = Env(node::kEnvToken);
  const auto record = ReadLiveClusterRecord();
  if (address.empty() && record) address = record->address;
  if (token.empty() && record && record->address == address) token = record->token;
  const bool embedded = address.empty();
  if (embedded) {
    address = StartEmbeddedCluster(options, g);
    token = g.agent->token();
  }
  try {
    g.runtime = std::make_unique<client::CoreRuntime>(address, token, rpc::Role::kDriver,
                                                      WorkerId(), JobBinaries(options));
  } catch (const std::exception& e) {
    StopEmbeddedCluster(g);
    throw StrataError(std::string("strata::Init: ") + e.what());
  }
  g_runtime.store(g.runtime.get(), std::memory_order_release);
  if (!g.atexit_registered) {
    g.atexit_registered = true;
    // A driver that returns from main() without Shutdown() still ends its
    // job cleanly instead of leaving workers behind.
    std::atexit([] { Shutdown(); });
  }
}

void Shutdown() {
  Global& g = G();
  std::lock_guard<std::mutex> lock(g.mu);
  if (!g.runtime) return;
  g_runtime.store(nullptr, std::memory_order_release);
  g.runtime->Close();
  g.runtime.reset();
  StopEmbeddedCluster(g);
}

bool IsInitialized() { return g_runtime.load() != nullptr; }

RuntimeContext GetRuntimeContext() {
  client::CoreRuntime& rt = Runtime();
  RuntimeContext c;
  c.node_id = rt.welcome().node;
  c.job_id = rt.welcome().job;
  c.worker_id = rt.worker_id();
  c.task_id = client::CurrentTaskId();
  c.is_driver = !rt.is_worker();
  return c;
}

std::string ClusterStatus(bool json) {
  const rpc::ClusterStatus status = Runtime().Status(10000);
  return json ? head::StatusJson(status).dump() : head::RenderStatusText(status);
}

namespace client {
void SetEmbeddedAgentHook(EmbeddedAgentHook hook) { EmbeddedHook() = std::move(hook); }

rpc::ClusterStatus CurrentClusterStatus() { return Runtime().Status(10000); }

void ReportPipeline(rpc::PipelineRecord record) {
  client::CoreRuntime* rt = g_runtime.load();
  // Only a driver's runs are shown (a Dataset used inside a task is part of
  // that task's work).
  if (rt == nullptr || rt->is_worker()) return;
  rt->ReportPipeline(std::move(record));
}
}  // namespace client

namespace internal {

ObjectId SubmitTask(TaskKind kind, const std::string& function, std::vector<TaskArgument>&& args,
                    std::vector<ObjectId>&& contained, const TaskOptions& options,
                    const ActorId& actor) {
  return Runtime().Submit(kind, function, std::move(args), std::move(contained), options, actor);
}

void PutEncoded(EncodedObject&& object) { Runtime().Put(std::move(object)); }

ObjectBytes GetObjectBytes(const ObjectId& id, int64_t timeout_ms) {
  return Runtime().Get({id}, timeout_ms)[0];
}

std::vector<ObjectBytes> GetObjectsBytes(const std::vector<ObjectId>& ids, int64_t timeout_ms) {
  return Runtime().Get(ids, timeout_ms);
}

std::vector<bool> WaitObjects(const std::vector<ObjectId>& ids, size_t num_returns,
                              int64_t timeout_ms) {
  return Runtime().Wait(ids, num_returns, timeout_ms);
}

std::unique_ptr<LargeObjectWriter> CreateLargeObject(const ObjectId& id, uint64_t size) {
  return Runtime().CreateLarge(id, size);
}

void AddLocalRef(const ObjectId& id) {
  if (auto* rt = g_runtime.load(std::memory_order_acquire)) rt->AddRef(id);
}

void KillActor(const ActorId& actor) { Runtime().KillActor(actor); }

void RemoveLocalRef(const ObjectId& id) {
  if (auto* rt = g_runtime.load(std::memory_order_acquire)) rt->RemoveRef(id);
}

namespace {
thread_local std::vector<ObjectId>* contained_sink = nullptr;
}

std::shared_ptr<const void>& DecodingKeepalive() {
  thread_local std::shared_ptr<const void> keepalive;
  return keepalive;
}

ContainedRefScope::ContainedRefScope(std::vector<ObjectId>* sink) : previous_(contained_sink) {
  if (sink != nullptr) sink->clear();
  contained_sink = sink;
}
ContainedRefScope::~ContainedRefScope() { contained_sink = previous_; }

void NoteContainedRef(const ObjectId& id) {
  if (contained_sink != nullptr) contained_sink->push_back(id);
}

void ThrowDecodeError(const ObjectId& id, const char* type_name, const char* what) {
  const std::string which = id.IsNil() ? "an argument" : "object " + id.Hex();
  throw StrataError("cannot decode " + which + " as " + type_name + ": " + what);
}

}  // namespace internal
}  // namespace strata
