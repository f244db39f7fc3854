#include "client/worker_loop.h"

#include <malloc.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "strata/internal/function_registry.h"

namespace strata::client {

using internal::TaskKind;
using rpc::ObjectState;

namespace {

thread_local TaskId current_task;

// The actor instance living in this worker, if it is an actor's worker.
struct ActorInstance {
  void* object = nullptr;
  std::function<void(void*)> destroy;
};

std::string TaskLabel(const rpc::TaskSpec& spec) {
  const std::string& name = spec.name.empty() ? spec.function : spec.name;
  return "task '" + name + "' (" + spec.id.Short() + ")";
}

rpc::ObjectInfo ErrorInfo(const CoreRuntime& rt, const rpc::TaskSpec& spec,
                          const std::string& what) {
  return rpc::ErrorObject(ReturnObjectOf(spec.id),
                          TaskLabel(spec) + " failed on worker " + rt.worker_id().Short() +
                              " (pid " + std::to_string(getpid()) + ", node " +
                              rt.welcome().node.Short() + "): " + what);
}

// Resolves the task's arguments into byte spans; `holders` keeps mappings alive.
std::vector<internal::ArgSpan> ArgumentSpans(CoreRuntime& rt, const rpc::ExecuteTask& task,
                                             std::vector<internal::ObjectBytes>* holders) {
  std::vector<internal::ArgSpan> spans;
  size_t r = 0;
  for (const rpc::TaskArg& arg : task.spec.args) {
    if (!arg.by_ref) {
      spans.push_back({arg.data.data(), arg.data.size(), nullptr});
      continue;
    }
    if (r >= task.resolved.size()) throw StrataError("the node agent sent too few arguments");
    internal::ObjectBytes bytes;
    if (!rt.Materialize(task.resolved[r], &bytes)) {
      // Spilled after the agent resolved it: ask again, holding a reference.
      rt.AddRef(arg.ref);
      try {
        bytes = rt.Get({arg.ref}, -1)[0];
      } catch (...) {
        rt.RemoveRef(arg.ref);
        throw;
      }
      rt.RemoveRef(arg.ref);
    }
    ++r;
    holders->push_back(bytes);
    spans.push_back({bytes.data, bytes.size, bytes.keepalive});
  }
  return spans;
}

rpc::ObjectInfo Execute(CoreRuntime& rt, const rpc::ExecuteTask& task, ActorInstance* actor) {
  const rpc::TaskSpec& spec = task.spec;
  const internal::RemoteFunction* fn = internal::FindFunction(spec.function);
  if (fn == nullptr) {
    return ErrorInfo(rt, spec,
                     "function '" + spec.function +
                         "' is not registered in this executable (is STRATA_REMOTE missing, or "
                         "does the worker run a different build than the driver?)");
  }
  const ObjectId rid = ReturnObjectOf(spec.id);
  try {
    std::vector<internal::ObjectBytes> holders;
    std::vector<internal::ArgSpan> args = ArgumentSpans(rt, task, &holders);
    switch (spec.kind) {
      case TaskKind::kNormal:
        return rt.ToInfo(fn->invoke(nullptr, args, rid));
      case TaskKind::kActorCreation:
        if (!fn->create) return ErrorInfo(rt, spec, spec.function + " is not an actor factory");
        actor->object = fn->create(args);
        actor->destroy = fn->destroy;
        return rt.ToInfo(internal::EncodeObject(internal::Void{}, rid));
      case TaskKind::kActorCall:
        if (actor->object == nullptr) {
          return ErrorInfo(rt, spec, "this worker holds no actor instance");
        }
        return rt.ToInfo(fn->invoke(actor->object, args, rid));
    }
    return ErrorInfo(rt, spec, "unknown task kind " + std::to_string(static_cast<int>(spec.kind)));
  } catch (const std::exception& e) {
    return ErrorInfo(rt, spec, e.what());
  } catch (...) {
    return ErrorInfo(rt, spec, "an exception that is not a std::exception");
  }
}

}  // namespace

TaskId CurrentTaskId() { return current_task; }

void RunWorker(CoreRuntime* runtime) {
  // Tasks allocate and free big buffers (a block's columns, a part being
  // encoded) over and over. glibc maps every allocation over 32 MB afresh and
  // gives freed memory back at once, so each task pays page faults to touch
  // new zeroed pages — on a VM, more than the work itself (the ML benchmark
  // ran in half the time without them). Keep up to 128 MB of freed heap and
  // map only allocations over 64 MB.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  ActorInstance actor;
  rpc::ExecuteTask task;
  while (runtime->PopTask(&task)) {
    const auto start = std::chrono::steady_clock::now();
    current_task = task.spec.id;
    rpc::TaskResult result;
    result.id = task.spec.id;
    runtime->DeferReleases();
    result.value = Execute(*runtime, task, &actor);
    current_task = TaskId();
    result.exec_ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::steady_clock::now() - start)
                                               .count());
    runtime->PushResult(std::move(result));
  }
  // The agent is gone, ended this job or this actor: the actor's destructor
  // runs now (a file it flushes must not be lost), then the process ends.
  if (actor.object != nullptr && actor.destroy) {
    try {
      actor.destroy(actor.object);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "strata: the actor's destructor threw: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "strata: the actor's destructor threw\n");
    }
  }
  std::fflush(nullptr);
  runtime->Close();
  std::_Exit(0);
}

}  // namespace strata::client
