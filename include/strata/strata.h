// Strata: run ordinary C++ functions as remote tasks on every core of a
// machine or a cluster.
//
//   int Square(int x) { return x * x; }
//   STRATA_REMOTE(Square);
//
//   int main() {
//     strata::Init();                      // no address: an embedded local cluster
//     auto ref = strata::Task(Square).Remote(7);
//     int v = strata::Get(ref);            // 49
//     strata::Shutdown();
//   }
//
// Workers are this same executable started again in worker mode: Init()
// notices and serves tasks instead of returning. Code before Init() in main()
// therefore also runs in every worker; keep it free of side effects.
//
// Thread-safety: after Init() returns, every function here may be called from
// any thread. Init() and Shutdown() must not race with other calls.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "strata/array_view.h"
#include "strata/errors.h"
#include "strata/internal/codec.h"
#include "strata/internal/function_registry.h"
#include "strata/internal/ids.h"
#include "strata/internal/runtime.h"
#include "strata/object_ref.h"
#include "strata/serialization.h"

namespace strata {

struct InitOptions {
  // Cluster to join, "host:port". Default: $STRATA_ADDRESS, else the cluster
  // most recently started on this machine by `strata start` if it still runs,
  // else an embedded single-node cluster torn down by Shutdown().
  std::string address;
  // The cluster's token. Default: $STRATA_TOKEN, else the one `strata start`
  // recorded on this machine. An embedded cluster makes its own.
  std::string token;
  // Only for an embedded cluster:
  int num_cpus = -1;                         // Default (-1): all cores of the machine; 0: none.
  std::map<std::string, double> resources;   // Extra custom resources. Default: none.
  int64_t object_store_memory = 0;           // Bytes. Default: 30% of RAM.
  std::string spill_dir;                     // Default: <session dir>/spill.
  // For clusters that mix architectures: this program built for others,
  // {"arm64": "build-arm64/myjob"}. Nodes of an architecture with no binary
  // get none of the job's work. Default: none ($STRATA_JOB_BINARIES,
  // "arm64=PATH,x86_64=PATH", adds to it). Each is checked at Init().
  std::map<std::string, std::string> binaries;
};

// Connects to (or starts) a cluster. Throws StrataError if the given address
// cannot be reached. In a worker process it serves tasks and never returns.
void Init();
void Init(const InitOptions& options);
// Ends this driver's job: its workers stop, its objects are freed, an embedded
// cluster shuts down. Safe to call twice.
void Shutdown();
bool IsInitialized();

// Where the calling code runs. Inside a task: the task's node, worker and id.
struct RuntimeContext {
  NodeId node_id;
  WorkerId worker_id;  // Nil in a driver
  TaskId task_id;      // Nil outside a task
  JobId job_id;
  bool is_driver = true;
};
RuntimeContext GetRuntimeContext();

// The cluster's status: nodes, resources in use, pending and infeasible
// demand, jobs. `json` selects the machine-readable form `strata status
// --json` prints; otherwise the text form.
std::string ClusterStatus(bool json = false);

// Stores a value in the cluster and returns a reference to it.
template <class T>
ObjectRef<std::decay_t<T>> Put(const T& value) {
  const ObjectId id = ObjectId::Generate();
  internal::PutEncoded(internal::EncodeObject(value, id));
  return ObjectRef<std::decay_t<T>>::Adopt(id);
}

// Waits for a value. Throws TaskError if the task that makes it failed,
// InfeasibleError if it asks for resources no node has.
template <class T>
T Get(const ObjectRef<T>& ref) {
  internal::ObjectBytes bytes = internal::GetObjectBytes(ref.id(), -1);
  if constexpr (std::is_void_v<T>) {
    return;
  } else {
    return internal::DecodeObject<T>(bytes, ref.id());
  }
}
// As Get(ref), but throws TimeoutError after timeout_ms.
template <class T>
T Get(const ObjectRef<T>& ref, int64_t timeout_ms) {
  internal::ObjectBytes bytes = internal::GetObjectBytes(ref.id(), timeout_ms);
  if constexpr (!std::is_void_v<T>) return internal::DecodeObject<T>(bytes, ref.id());
}
// Waits for all values (fetched together, not one round trip each).
template <class T>
std::vector<T> Get(const std::vector<ObjectRef<T>>& refs) {
  std::vector<ObjectId> ids;
  ids.reserve(refs.size());
  for (const auto& r : refs) ids.push_back(r.id());
  std::vector<internal::ObjectBytes> all = internal::GetObjectsBytes(ids, -1);
  std::vector<T> out;
  out.reserve(refs.size());
  for (size_t i = 0; i < refs.size(); ++i) out.push_back(internal::DecodeObject<T>(all[i], ids[i]));
  return out;
}

template <class T>
struct WaitResult {
  std::vector<ObjectRef<T>> ready;
  std::vector<ObjectRef<T>> unready;
};
// Returns once num_returns of the refs are ready (a value or an error) or
// timeout_ms passes (negative: no limit). Order within each list follows refs.
template <class T>
WaitResult<T> Wait(const std::vector<ObjectRef<T>>& refs, size_t num_returns,
                   int64_t timeout_ms = -1) {
  std::vector<ObjectId> ids;
  ids.reserve(refs.size());
  for (const auto& r : refs) ids.push_back(r.id());
  std::vector<bool> ready = internal::WaitObjects(ids, num_returns, timeout_ms);
  WaitResult<T> out;
  for (size_t i = 0; i < refs.size(); ++i) (ready[i] ? out.ready : out.unready).push_back(refs[i]);
  return out;
}

// Where a task may run. Default: on the submitter's node while it has room,
// else on any node that has. Spread: round-robin over every node that fits.
// NodeAffinity: on that node (ids as GetRuntimeContext() and `strata status
// --json` show them); if it is gone, a soft affinity runs anywhere, a hard
// one fails the task.
struct SchedulingStrategy {
  static SchedulingStrategy Default() { return {}; }
  static SchedulingStrategy Spread() {
    SchedulingStrategy s;
    s.kind = internal::Strategy::kSpread;
    return s;
  }
  static SchedulingStrategy NodeAffinity(const NodeId& node, bool soft) {
    SchedulingStrategy s;
    s.kind = internal::Strategy::kNodeAffinity;
    s.node = node;
    s.soft = soft;
    return s;
  }
  internal::Strategy kind = internal::Strategy::kDefault;
  NodeId node;
  bool soft = false;
};

namespace internal {

// Whether a value stored as From may be read as To: convertible types, and a
// vector of numbers read as a view of the same numbers.
template <class From, class To>
struct WireCompatible : std::is_convertible<From, To> {};
template <class T>
struct WireCompatible<std::vector<T>, ArrayView<T>> : std::true_type {};
template <class T>
struct WireCompatible<ArrayView<T>, std::vector<T>> : std::true_type {};

template <class P, class A>
TaskArgument MakeArgument(A&& a, std::vector<ObjectId>* contained,
                          std::vector<ObjectRef<Void>>* keep) {
  using DP = std::decay_t<P>;
  using DA = std::decay_t<A>;
  if constexpr (IsObjectRef<DA>::value && !IsObjectRef<DP>::value) {
    static_assert(WireCompatible<typename DA::value_type, DP>::value,
                  "ObjectRef<T> passed for a parameter that T does not convert to");
    return TaskArgument{true, a.id(), {}};
  } else {
    static_assert(std::is_convertible_v<A&&, DP>,
                  "argument does not convert to the remote function's parameter type");
    EncodedObject e;
    if constexpr (std::is_same_v<DA, DP>) {
      e = EncodeObject(a, ObjectId::Generate());
    } else {
      e = EncodeObject(DP(std::forward<A>(a)), ObjectId::Generate());
    }
    if (e.in_store) {
      // A large argument goes through the store once and is passed by ref.
      const ObjectId id = e.id;
      PutEncoded(std::move(e));
      keep->push_back(ObjectRef<Void>::Adopt(id));
      return TaskArgument{true, id, {}};
    }
    contained->insert(contained->end(), e.contained.begin(), e.contained.end());
    return TaskArgument{false, ObjectId::Nil(), std::move(e.data)};
  }
}

template <class Params, class... A, size_t... I>
std::vector<TaskArgument> MakeArguments([[maybe_unused]] std::vector<ObjectId>* contained,
                                        [[maybe_unused]] std::vector<ObjectRef<Void>>* keep,
                                        std::index_sequence<I...>, A&&... a) {
  std::vector<TaskArgument> out;
  out.reserve(sizeof...(A));
  (out.push_back(MakeArgument<std::tuple_element_t<I, Params>>(std::forward<A>(a), contained,
                                                               keep)),
   ...);
  return out;
}

template <class F, class... A>
ObjectId SubmitCall(TaskKind kind, F f, const TaskOptions& options, const ActorId& actor,
                    A&&... a) {
  using Params = typename FnTraits<F>::Params;
  static_assert(std::tuple_size_v<Params> == sizeof...(A),
                "wrong number of arguments for the remote function");
  const std::string& name = NameOfFunction(FunctionKey(f));
  std::vector<ObjectId> contained;
  std::vector<ObjectRef<Void>> keep;  // large arguments, alive until submitted
  std::vector<TaskArgument> args = MakeArguments<Params>(
      &contained, &keep, std::make_index_sequence<sizeof...(A)>(), std::forward<A>(a)...);
  return SubmitTask(kind, name, std::move(args), std::move(contained), options, actor);
}

// Options shared by task and actor builders.
template <class Self>
class OptionsBuilder {
 public:
  // Amount of a resource the task needs while it runs ("CPU", "memory" in
  // bytes, or a custom name). Default: {"CPU": 1} for tasks, nothing for actors.
  Self& SetResource(const std::string& name, double amount) {
    options_.resources[name] = amount;
    options_.resources_set = true;
    return static_cast<Self&>(*this);
  }
  // Where the task may run. Default: SchedulingStrategy::Default().
  Self& SetSchedulingStrategy(const SchedulingStrategy& s) {
    options_.strategy = s.kind;
    options_.affinity_node = s.node;
    options_.affinity_soft = s.soft;
    return static_cast<Self&>(*this);
  }
  // Shown in status and error messages. Default: the function's name.
  Self& SetName(const std::string& name) {
    options_.name = name;
    return static_cast<Self&>(*this);
  }

 protected:
  TaskOptions options_;
};

}  // namespace internal

// Builds a call to a registered function: Task(f).SetResource(...).Remote(args...).
template <class F>
class TaskCaller : public internal::OptionsBuilder<TaskCaller<F>> {
 public:
  explicit TaskCaller(F f) : f_(f) {}
  // Times the task is re-run if its worker process dies. Default: 3.
  TaskCaller& SetMaxRetries(int n) {
    this->options_.max_retries = n;
    return *this;
  }
  // Submits the call. Arguments may be values or ObjectRefs (resolved to their
  // values before the task runs). Returns at once.
  template <class... A>
  ObjectRef<typename internal::FnTraits<F>::Return> Remote(A&&... args) {
    using R = typename internal::FnTraits<F>::Return;
    ObjectId id = internal::SubmitCall(internal::TaskKind::kNormal, f_, this->options_,
                                       ActorId::Nil(), std::forward<A>(args)...);
    return ObjectRef<R>::Adopt(id);
  }

 private:
  F f_;
};

template <class F>
TaskCaller<F> Task(F f) {
  static_assert(std::is_void_v<typename internal::FnTraits<F>::Class>,
                "Task() takes a free or static function; use ActorHandle::Task for methods");
  return TaskCaller<F>(f);
}

// A reference to a remote actor: an instance of C living in its own worker.
// Calls from one caller run in the order they were made. The actor stops when
// the last handle to it (in any process) is gone and its queued calls are done,
// or when its job ends; its destructor then runs (within 5 s, after the
// worker's connection closed: it may write files, not call Strata).
template <class C>
class ActorHandle {
 public:
  ActorHandle() = default;
  explicit ActorHandle(ObjectRef<void> creation) : creation_(std::move(creation)) {}

  ActorId id() const {
    const ObjectId o = creation_.id();
    return ActorId(o.hi(), o.lo());
  }

  template <class M>
  class MethodCaller : public internal::OptionsBuilder<MethodCaller<M>> {
   public:
    MethodCaller(M m, ActorId actor) : m_(m), actor_(actor) {}
    template <class... A>
    ObjectRef<typename internal::FnTraits<M>::Return> Remote(A&&... args) {
      using R = typename internal::FnTraits<M>::Return;
      ObjectId id = internal::SubmitCall(internal::TaskKind::kActorCall, m_, this->options_,
                                         actor_, std::forward<A>(args)...);
      return ObjectRef<R>::Adopt(id);
    }

   private:
    M m_;
    ActorId actor_;
  };

  template <class M>
  MethodCaller<M> Task(M method) const {
    static_assert(std::is_base_of_v<typename internal::FnTraits<M>::Class, C>,
                  "method does not belong to this actor's class");
    return MethodCaller<M>(method, id());
  }

  MSGPACK_DEFINE(creation_);

 private:
  ObjectRef<void> creation_;
};

template <class F>
class ActorCreator : public internal::OptionsBuilder<ActorCreator<F>> {
 public:
  using Class = std::remove_pointer_t<typename internal::FnTraits<F>::Return>;
  explicit ActorCreator(F f) : f_(f) {}
  // Times the actor is recreated (its factory run again) if its process dies.
  // Default: 0.
  ActorCreator& SetMaxRestarts(int n) {
    this->options_.max_restarts = n;
    return *this;
  }
  template <class... A>
  ActorHandle<Class> Remote(A&&... args) {
    ObjectId id = internal::SubmitCall(internal::TaskKind::kActorCreation, f_, this->options_,
                                       ActorId::Nil(), std::forward<A>(args)...);
    return ActorHandle<Class>(ObjectRef<void>::Adopt(id));
  }

 private:
  F f_;
};

// Starts an actor from a registered factory, a function returning C*.
template <class F>
ActorCreator<F> Actor(F factory) {
  using R = typename internal::FnTraits<F>::Return;
  static_assert(std::is_pointer_v<R> && std::is_class_v<std::remove_pointer_t<R>>,
                "Actor() takes a factory function returning a pointer to the actor class");
  return ActorCreator<F>(factory);
}

// Ends an actor now, wherever it runs: calls not yet finished fail ("killed by
// strata::Kill"), it is not restarted, and its destructor runs as above.
template <class C>
void Kill(const ActorHandle<C>& actor) {
  internal::KillActor(actor.id());
}

}  // namespace strata
