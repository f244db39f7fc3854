// Worker processes killed with SIGKILL: tasks retry elsewhere, actors restart,
// and when retries run out the caller gets an error that says what happened.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "strata/strata.h"

namespace {

// Writes this worker's pid to `path`, then works for `ms` and returns the pid.
int SlowPid(const std::string& path, int ms) {
  {
    std::ofstream out(path + ".tmp");
    out << getpid();
  }
  std::rename((path + ".tmp").c_str(), path.c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return static_cast<int>(getpid());
}

class Slow {
 public:
  static Slow* Create() { return new Slow(); }
  int Pid(const std::string& path, int ms) { return SlowPid(path, ms); }
  int Calls() { return ++calls_; }

 private:
  int calls_ = 0;
};

STRATA_REMOTE(SlowPid);
STRATA_REMOTE(Slow::Create, &Slow::Pid, &Slow::Calls);

std::string TempPath(const std::string& tag) {
  return "/tmp/strata_failures_" + std::to_string(getpid()) + "_" + tag;
}

// Waits for the pid file, then SIGKILLs that process.
int KillWhenStarted(const std::string& path) {
  for (int i = 0; i < 1000; ++i) {
    std::ifstream in(path);
    int pid = 0;
    if (in >> pid && pid > 0) {
      std::remove(path.c_str());
      kill(pid, SIGKILL);
      return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "task never started";
  return -1;
}

class FailuresTest : public ::testing::Test {
 protected:
  void SetUp() override { strata::Init(); }
  void TearDown() override { strata::Shutdown(); }
};

TEST_F(FailuresTest, KilledWorkerTaskIsRetriedAndCorrect) {
  const std::string path = TempPath("retry");
  auto r = strata::Task(SlowPid).Remote(path, 1500);
  const int killed = KillWhenStarted(path);
  const int ran = strata::Get(r);
  EXPECT_NE(ran, killed);
  EXPECT_GT(ran, 0);
  std::remove(path.c_str());
}

TEST_F(FailuresTest, NoRetriesLeftGivesAnErrorNamingTheCause) {
  const std::string path = TempPath("noretry");
  auto r = strata::Task(SlowPid).SetMaxRetries(0).Remote(path, 5000);
  const int killed = KillWhenStarted(path);
  try {
    strata::Get(r);
    FAIL() << "Get should throw";
  } catch (const strata::TaskError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("SlowPid"), std::string::npos) << what;
    EXPECT_NE(what.find("pid " + std::to_string(killed)), std::string::npos) << what;
    EXPECT_NE(what.find("signal 9"), std::string::npos) << what;
    EXPECT_NE(what.find("max_retries=0"), std::string::npos) << what;
  }
}

TEST_F(FailuresTest, OtherTasksFinishWhileOneWorkerDies) {
  const std::string path = TempPath("mixed");
  std::vector<strata::ObjectRef<int>> refs;
  auto victim = strata::Task(SlowPid).Remote(path, 1000);
  for (int i = 0; i < 50; ++i) refs.push_back(strata::Task(SlowPid).Remote(TempPath("x"), 5));
  KillWhenStarted(path);
  EXPECT_EQ(strata::Get(refs).size(), 50u);
  EXPECT_GT(strata::Get(victim), 0);
}

TEST_F(FailuresTest, ActorRestartsAfterItsWorkerIsKilled) {
  auto a = strata::Actor(Slow::Create).SetMaxRestarts(1).Remote();
  EXPECT_EQ(strata::Get(a.Task(&Slow::Calls).Remote()), 1);
  const std::string path = TempPath("actor");
  auto doomed = a.Task(&Slow::Pid).Remote(path, 3000);
  KillWhenStarted(path);
  EXPECT_THROW(strata::Get(doomed), strata::TaskError);
  // The restarted actor is a fresh instance.
  EXPECT_EQ(strata::Get(a.Task(&Slow::Calls).Remote()), 1);
}

TEST_F(FailuresTest, ActorWithoutRestartsStaysDead) {
  auto a = strata::Actor(Slow::Create).Remote();
  const std::string path = TempPath("actor0");
  auto doomed = a.Task(&Slow::Pid).Remote(path, 3000);
  KillWhenStarted(path);
  EXPECT_THROW(strata::Get(doomed), strata::TaskError);
  try {
    strata::Get(a.Task(&Slow::Calls).Remote());
    FAIL() << "a dead actor's call should fail";
  } catch (const strata::TaskError& e) {
    EXPECT_NE(std::string(e.what()).find("dead"), std::string::npos) << e.what();
  }
}

}  // namespace
