// The public API against a real embedded cluster: real worker processes
// (this test binary, re-run in worker mode), real sockets, real shared memory.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>
#include <stdexcept>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "strata/strata.h"

namespace {

int Square(int x) { return x * x; }
int64_t Add(int64_t a, int64_t b) { return a + b; }
void Nothing() {}
double SumVector(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }
int Thrower(int x) { throw std::runtime_error("boom " + std::to_string(x)); }
int WorkerPid() { return static_cast<int>(getpid()); }
int Chatty(int x) {
  std::printf("hello from task %d\n", x);
  std::fflush(stdout);
  return x;
}
std::string WhereAmI() {
  auto c = strata::GetRuntimeContext();
  return c.node_id.Hex() + "/" + c.worker_id.Hex() + "/" + c.task_id.Hex();
}

int64_t Fib(int n) {
  if (n < 2) return n;
  auto a = strata::Task(Fib).Remote(n - 1);
  auto b = strata::Task(Fib).Remote(n - 2);
  return strata::Get(a) + strata::Get(b);
}

// Sums values behind refs carried inside a vector (refs nested in a value).
int64_t SumRefs(const std::vector<strata::ObjectRef<int64_t>>& refs) {
  int64_t s = 0;
  for (int64_t v : strata::Get(refs)) s += v;
  return s;
}

// Takes the ref itself (not resolved before the call) and resolves it inside.
int64_t AddOneLater(strata::ObjectRef<int64_t> ref) { return strata::Get(ref) + 1; }

struct Point {
  double x = 0, y = 0;
  STRATA_STRUCT(x, y);
};
Point Mid(const Point& a, const Point& b) { return {(a.x + b.x) / 2, (a.y + b.y) / 2}; }

class Counter {
 public:
  explicit Counter(int64_t start) : total_(start) {}
  static Counter* Create(int64_t start) { return new Counter(start); }
  int64_t Add(int64_t d) { return total_ += d; }
  int64_t Get() const { return total_; }

 private:
  int64_t total_;
};

class Broken {
 public:
  static Broken* Create() { throw std::runtime_error("cannot build"); }
  int Touch() { return 1; }
};

STRATA_REMOTE(Square, Add, Nothing, SumVector, Thrower, WorkerPid, WhereAmI, Fib, SumRefs, Mid,
              Chatty);
STRATA_REMOTE(Counter::Create, &Counter::Add, &Counter::Get);

// An actor handle passed to a task: the task calls the actor itself.
int64_t AddThroughHandle(strata::ActorHandle<Counter> counter, int64_t d) {
  return strata::Get(counter.Task(&Counter::Add).Remote(d));
}
STRATA_REMOTE(AddOneLater, AddThroughHandle);

// Puts inside a task and returns only the reference: the task's own
// ObjectRef is gone before its result reaches the agent.
strata::ObjectRef<std::vector<double>> PutInTask(int64_t n) {
  return strata::Put(std::vector<double>(n, 1.5));
}
STRATA_REMOTE(PutInTask);
STRATA_REMOTE(Broken::Create, &Broken::Touch);

// Keeps notes in memory and writes them out only in its destructor, as an
// actor that buffers its output does.
class Journal {
 public:
  explicit Journal(std::string path) : path_(std::move(path)) {}
  ~Journal() { std::ofstream(path_) << notes_; }
  static Journal* Create(std::string path) { return new Journal(std::move(path)); }
  int Note(std::string line) {
    notes_ += line + "\n";
    return static_cast<int>(notes_.size());
  }
  // Blocks until `gate` exists, so that the test controls when it ends.
  int WaitFor(std::string gate) {
    while (!std::filesystem::exists(gate)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Note("after " + gate);
  }

 private:
  std::string path_;
  std::string notes_;
};
STRATA_REMOTE(Journal::Create, &Journal::Note, &Journal::WaitFor);

std::string ReadWhenPresent(const std::string& path) {
  for (int i = 0; i < 1000 && !std::filesystem::exists(path); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the writer's close
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string ScratchPath(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("strata-api-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / name);
  return (dir / name).string();
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { strata::Init(); }
  void TearDown() override { strata::Shutdown(); }
};

TEST_F(ApiTest, TaskReturnsItsValue) {
  EXPECT_EQ(strata::Get(strata::Task(Square).Remote(7)), 49);
  strata::Get(strata::Task(Nothing).Remote());
  Point m = strata::Get(strata::Task(Mid).Remote(Point{0, 0}, Point{2, 4}));
  EXPECT_DOUBLE_EQ(m.x, 1);
  EXPECT_DOUBLE_EQ(m.y, 2);
}

TEST_F(ApiTest, ArgumentsMayBeRefsAndTasksChain) {
  auto a = strata::Task(Add).Remote(1, 2);
  auto b = strata::Task(Add).Remote(a, 10);
  auto c = strata::Task(Add).Remote(b, a);
  EXPECT_EQ(strata::Get(c), 16);
  auto big = strata::Put(std::vector<double>(1 << 20, 1.0));
  EXPECT_DOUBLE_EQ(strata::Get(strata::Task(SumVector).SetResource("CPU", 1).Remote(big)),
                   1 << 20);
}

TEST_F(ApiTest, HundredThousandSmallTasks) {
  constexpr int64_t n = 100000;
  std::vector<strata::ObjectRef<int64_t>> refs;
  refs.reserve(n);
  for (int64_t i = 0; i < n; ++i) refs.push_back(strata::Task(Add).Remote(i, 1));
  std::vector<int64_t> values = strata::Get(refs);
  ASSERT_EQ(values.size(), static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(values[i], i + 1) << "task " << i;
}

TEST_F(ApiTest, NestedTasksDoNotDeadlockOnTwoCores) {
  // Every level blocks in Get() on its children: this only finishes if a
  // blocked worker lends its CPU out.
  EXPECT_EQ(strata::Get(strata::Task(Fib).Remote(10)), 55);
}

TEST_F(ApiTest, RefsInsideValuesStayAliveAndResolve) {
  std::vector<strata::ObjectRef<int64_t>> parts;
  for (int i = 0; i < 10; ++i) parts.push_back(strata::Put<int64_t>(i));
  auto total = strata::Task(SumRefs).Remote(parts);
  parts.clear();  // the task's argument keeps them alive
  EXPECT_EQ(strata::Get(total), 45);
}

TEST_F(ApiTest, ObjectPutByATaskOutlivesTheTaskThroughItsReturnedRef) {
  for (int64_t n : {int64_t{10}, int64_t{1} << 20}) {  // inline, and a store file
    auto inner = strata::Get(strata::Task(PutInTask).Remote(n));
    const double sum = strata::Get(strata::Task(SumVector).Remote(inner));
    EXPECT_EQ(sum, 1.5 * static_cast<double>(n));
    EXPECT_EQ(strata::Get(inner).size(), static_cast<size_t>(n));
  }
}

TEST_F(ApiTest, RefParametersArePassedNotResolved) {
  auto v = strata::Put<int64_t>(41);
  EXPECT_EQ(strata::Get(strata::Task(AddOneLater).Remote(v)), 42);
}

TEST_F(ApiTest, ActorHandlesCanBePassedToTasks) {
  auto c = strata::Actor(Counter::Create).Remote(0);
  std::vector<strata::ObjectRef<int64_t>> r;
  for (int i = 0; i < 5; ++i) r.push_back(strata::Task(AddThroughHandle).Remote(c, 10));
  strata::Get(r);
  EXPECT_EQ(strata::Get(c.Task(&Counter::Get).Remote()), 50);
}

TEST_F(ApiTest, ExceptionReachesCallerWithTaskNameAndMessage) {
  auto r = strata::Task(Thrower).Remote(42);
  try {
    strata::Get(r);
    FAIL() << "Get should throw";
  } catch (const strata::TaskError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Thrower"), std::string::npos) << what;
    EXPECT_NE(what.find("boom 42"), std::string::npos) << what;
  }
  // A task depending on the failed one fails with the same error, unrun.
  auto dependent = strata::Task(Square).Remote(r);
  EXPECT_THROW(strata::Get(dependent), strata::TaskError);
}

TEST_F(ApiTest, ActorCallsFromOneCallerRunInOrder) {
  strata::ActorHandle<Counter> c = strata::Actor(Counter::Create).Remote(100);
  std::vector<strata::ObjectRef<int64_t>> sums;
  for (int i = 1; i <= 2000; ++i) sums.push_back(c.Task(&Counter::Add).Remote(i));
  std::vector<int64_t> values = strata::Get(sums);
  int64_t expect = 100;
  for (int i = 1; i <= 2000; ++i) {
    expect += i;
    ASSERT_EQ(values[i - 1], expect) << "call " << i << " ran out of order";
  }
  EXPECT_EQ(strata::Get(c.Task(&Counter::Get).Remote()), expect);
}

TEST_F(ApiTest, ActorWhoseConstructorThrowsFailsItsCalls) {
  auto b = strata::Actor(Broken::Create).Remote();
  auto r = b.Task(&Broken::Touch).Remote();
  try {
    strata::Get(r);
    FAIL() << "Get should throw";
  } catch (const strata::TaskError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot build"), std::string::npos) << e.what();
  }
}

TEST_F(ApiTest, ActorDestructorRunsWhenItsLastHandleIsReleased) {
  const std::string out = ScratchPath("released.txt");
  {
    auto journal = strata::Actor(Journal::Create).Remote(out);
    strata::Get(journal.Task(&Journal::Note).Remote(std::string("one")));
    EXPECT_EQ(strata::Get(journal.Task(&Journal::Note).Remote(std::string("two"))), 8);
    EXPECT_FALSE(std::filesystem::exists(out));  // still alive: nothing written yet
  }
  EXPECT_EQ(ReadWhenPresent(out), "one\ntwo\n");
}

TEST_F(ApiTest, KillEndsAnActorFailsItsPendingCallsAndRunsItsDestructor) {
  const std::string out = ScratchPath("killed.txt");
  const std::string gate = ScratchPath("gate");
  auto journal = strata::Actor(Journal::Create).Remote(out);
  strata::Get(journal.Task(&Journal::Note).Remote(std::string("kept")));
  auto running = journal.Task(&Journal::WaitFor).Remote(gate);
  auto queued = journal.Task(&Journal::Note).Remote(std::string("never"));
  strata::Kill(journal);
  try {
    strata::Get(queued);
    ADD_FAILURE() << "a call queued behind strata::Kill returned";
  } catch (const strata::TaskError& e) {
    EXPECT_NE(std::string(e.what()).find("killed by strata::Kill"), std::string::npos) << e.what();
  }
  EXPECT_THROW(strata::Get(running), strata::TaskError);
  std::ofstream(gate) << "go";  // the running call ends; then the destructor runs
  const std::string written = ReadWhenPresent(out);
  EXPECT_EQ(written.rfind("kept\n", 0), 0u) << written;
  EXPECT_EQ(written.find("never"), std::string::npos) << written;
  // Killed twice, or calls after the kill: errors, not hangs.
  strata::Kill(journal);
  EXPECT_THROW(strata::Get(journal.Task(&Journal::Note).Remote(std::string("late"))),
               strata::TaskError);
}

TEST(ApiActorEnd, ActorDestructorRunsWhenTheJobEnds) {
  const std::string out = ScratchPath("job-ended.txt");
  strata::Init();
  auto journal = strata::Actor(Journal::Create).Remote(out);
  strata::Get(journal.Task(&Journal::Note).Remote(std::string("flushed at exit")));
  strata::Shutdown();
  EXPECT_EQ(ReadWhenPresent(out), "flushed at exit\n");
}

TEST_F(ApiTest, WaitReturnsReadyAndUnready) {
  std::vector<strata::ObjectRef<int>> refs;
  for (int i = 0; i < 20; ++i) refs.push_back(strata::Task(Square).Remote(i));
  strata::WaitResult w = strata::Wait(refs, /*num_returns=*/5, /*timeout_ms=*/10000);
  EXPECT_GE(w.ready.size(), 5u);
  EXPECT_EQ(w.ready.size() + w.unready.size(), 20u);
  strata::WaitResult all = strata::Wait(refs, 20, 10000);
  EXPECT_EQ(all.ready.size(), 20u);
}

TEST_F(ApiTest, InfeasibleDemandIsReportedNotHung) {
  auto r = strata::Task(Square).SetResource("CPU", 64).Remote(3);
  auto tpu = strata::Task(Square).SetResource("tpu", 1).Remote(3);
  EXPECT_THROW(strata::Get(r), strata::InfeasibleError);
  try {
    strata::Get(tpu);
    FAIL() << "Get should throw";
  } catch (const strata::InfeasibleError& e) {
    EXPECT_NE(std::string(e.what()).find("tpu"), std::string::npos) << e.what();
  }
  nlohmann::json status = nlohmann::json::parse(strata::ClusterStatus(/*json=*/true));
  int64_t infeasible = 0;
  bool saw_cpu64 = false;
  for (const auto& d : status["infeasible_demands"]) {
    infeasible += d["count"].get<int64_t>();
    if (d["shape"].value("CPU", 0.0) == 64.0) saw_cpu64 = true;
  }
  EXPECT_EQ(infeasible, 2);
  EXPECT_TRUE(saw_cpu64) << status.dump();
}

TEST_F(ApiTest, RuntimeContextNamesNodeWorkerAndTask) {
  const std::string where = strata::Get(strata::Task(WhereAmI).Remote());
  auto driver = strata::GetRuntimeContext();
  EXPECT_TRUE(driver.is_driver);
  EXPECT_EQ(where.substr(0, 32), driver.node_id.Hex());
  EXPECT_NE(where.substr(33, 32), strata::WorkerId().Hex());
  EXPECT_NE(where.substr(66, 32), strata::TaskId().Hex());
  EXPECT_NE(strata::Get(strata::Task(WorkerPid).Remote()), getpid());
}

TEST_F(ApiTest, WhatATaskPrintsReachesTheDriver) {
  testing::internal::CaptureStderr();
  strata::Get(strata::Task(Chatty).Remote(4242));
  std::string err;
  // Output travels asynchronously (worker -> agent -> driver): poll briefly.
  for (int i = 0; i < 200 && err.find("hello from task 4242") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    err += testing::internal::GetCapturedStderr();
    testing::internal::CaptureStderr();
  }
  err += testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("hello from task 4242"), std::string::npos) << err;
  EXPECT_NE(err.find("(pid="), std::string::npos) << err;
}

TEST_F(ApiTest, SchedulingStrategiesOnOneNode) {
  using strata::SchedulingStrategy;
  EXPECT_EQ(strata::Get(strata::Task(Square).SetSchedulingStrategy(SchedulingStrategy::Spread())
                            .Remote(3)),
            9);
  const strata::NodeId here = strata::GetRuntimeContext().node_id;
  EXPECT_EQ(strata::Get(strata::Task(Square)
                            .SetSchedulingStrategy(SchedulingStrategy::NodeAffinity(here, false))
                            .Remote(4)),
            16);
  const strata::NodeId elsewhere = strata::NodeId::Generate();
  auto hard = strata::Task(Square)
                  .SetSchedulingStrategy(SchedulingStrategy::NodeAffinity(elsewhere, false))
                  .Remote(5);
  try {
    strata::Get(hard);
    FAIL() << "a hard affinity to a missing node should fail";
  } catch (const strata::TaskError& e) {
    EXPECT_NE(std::string(e.what()).find("hard node affinity"), std::string::npos) << e.what();
  }
  EXPECT_EQ(strata::Get(strata::Task(Square)
                            .SetSchedulingStrategy(SchedulingStrategy::NodeAffinity(elsewhere, true))
                            .Remote(6)),
            36);
}

TEST_F(ApiTest, StatusJsonHasTheDocumentedFields) {
  nlohmann::json s = nlohmann::json::parse(strata::ClusterStatus(true));
  ASSERT_EQ(s["nodes"].size(), 1u);
  const auto& node = s["nodes"][0];
  for (const char* key : {"node_id", "node_type", "state", "resources_total", "resources_used"}) {
    EXPECT_TRUE(node.contains(key)) << key;
  }
  EXPECT_EQ(node["state"], "ALIVE");
  EXPECT_GE(node["resources_total"]["CPU"].get<double>(), 1.0);
  EXPECT_TRUE(s["pending_demands"].is_array());
}

TEST_F(ApiTest, DetectedMachineBadgesSteerWork) {
  nlohmann::json node = nlohmann::json::parse(strata::ClusterStatus(true))["nodes"][0];
  const std::string arch = node["arch"];
  ASSERT_TRUE(arch == "x86_64" || arch == "arm64") << arch;
  EXPECT_EQ(node["resources_total"][arch], 1.0);
  EXPECT_EQ(strata::Get(strata::Task(Square).SetResource(arch, 1).Remote(6)), 36);
  const std::string other = arch == "x86_64" ? "arm64" : "x86_64";
  EXPECT_THROW(strata::Get(strata::Task(Square).SetResource(other, 1).Remote(6)),
               strata::InfeasibleError);
}

TEST(ApiWorkers, PoolShrinksBackAfterABurstOfNestedTasks) {
  setenv("STRATA_IDLE_WORKER_TIMEOUT_MS", "200", 1);
  strata::Init();
  EXPECT_EQ(strata::Get(strata::Task(Fib).Remote(8)), 21);
  auto workers = [] {
    return nlohmann::json::parse(strata::ClusterStatus(true))["nodes"][0]["workers"]["total"]
        .get<int>();
  };
  const int cpus = static_cast<int>(
      nlohmann::json::parse(strata::ClusterStatus(true))["nodes"][0]["resources_total"]["CPU"]
          .get<double>());
  EXPECT_GT(workers(), cpus);  // blocked parents made room for more workers
  int now = workers();
  for (int i = 0; i < 300 && now > cpus; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    now = workers();
  }
  EXPECT_EQ(now, cpus);
  EXPECT_EQ(strata::Get(strata::Task(Square).Remote(4)), 16);  // the rest still serve
  strata::Shutdown();
  unsetenv("STRATA_IDLE_WORKER_TIMEOUT_MS");
}

TEST(ApiCustomResources, TaskNeedingACustomResourceRunsWhereItExists) {
  strata::InitOptions o;
  o.resources = {{"intel", 1}};
  strata::Init(o);
  EXPECT_EQ(strata::Get(strata::Task(Square).SetResource("intel", 1).Remote(5)), 25);
  strata::Shutdown();
}

TEST(ApiUse, CallingBeforeInitIsAClearError) {
  EXPECT_THROW(strata::Task(Square).Remote(1), strata::StrataError);
}

TEST(ApiUse, InitAfterShutdownStartsAFreshCluster) {
  for (int round = 0; round < 3; ++round) {
    strata::Init();
    EXPECT_EQ(strata::Get(strata::Task(Square).Remote(round)), round * round);
    strata::Shutdown();
  }
  EXPECT_FALSE(strata::IsInitialized());
}

}  // namespace
