// The scheduler with a real object store and an event loop that never runs:
// readiness reaches it only through the store (ReadyListener), so a task
// waiting for an argument moves on exactly when the argument is sealed.
#include "node/scheduler.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace strata::node {
namespace {

namespace fs = std::filesystem;

class NoHandler : public rpc::EventLoop::Handler {
 public:
  void OnFrame(rpc::ConnId, rpc::MsgType, const char*, size_t) override {}
  void OnDisconnect(rpc::ConnId, const std::string&) override {}
  void OnRound() override {}
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata_scheduler_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    StoreOptions o;
    o.shm_prefix = "/dev/shm/strata_sched_test_" + std::to_string(getpid()) + "_";
    o.spill_dir = dir_.string();
    o.pool_dir = o.shm_prefix + "pool";
    o.capacity_bytes = 1 << 20;
    store_ = std::make_unique<ObjectStore>(o);
    SchedulerOptions s;
    s.node = NodeId::Generate();
    s.log_dir = dir_.string();
    s.num_cpus = 0;  // no CPUs: nothing is ever started, work stays observable
    s.prestart_workers = false;
    scheduler_ = std::make_unique<Scheduler>(s, &loop_, store_.get());
    scheduler_->AddJob(job_, rpc::ConnId::kNone, JobLaunchSpec{});
  }
  void TearDown() override {
    scheduler_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // A one-CPU task taking `arg` by reference.
  rpc::TaskSpec TaskOn(const ObjectId& arg) {
    rpc::TaskSpec spec;
    spec.id = TaskId::Generate();
    spec.function = "f";
    spec.args.push_back(rpc::TaskArg{true, arg, ""});
    spec.resources = {{"CPU", kResourceUnit}};
    return spec;
  }

  int64_t Infeasible() {
    rpc::NodeRecord r;
    scheduler_->FillNodeRecord(&r);
    int64_t n = 0;
    for (const auto& [shape, count] : r.infeasible) n += count;
    return n;
  }

  NoHandler handler_;
  rpc::EventLoop loop_{&handler_};
  fs::path dir_;
  JobId job_ = JobId::Generate();
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerTest, ATaskWaitsForItsArgumentUntilTheStoreSealsIt) {
  const ObjectId arg = ObjectId::Generate();
  store_->Expect(arg);
  store_->AddHolder(rpc::ConnId::kNone, arg, 1);
  scheduler_->Submit(rpc::ConnId::kNone, job_, TaskOn(arg));
  scheduler_->Dispatch();
  EXPECT_EQ(scheduler_->NumTasks(), 1u);
  EXPECT_EQ(Infeasible(), 0) << "still waiting for its argument, not placed";
  EXPECT_EQ(store_->Find(arg)->dependents.size(), 1u);

  rpc::ObjectInfo info;
  info.id = arg;
  info.state = rpc::ObjectState::kInline;
  info.data = "x";
  ASSERT_TRUE(store_->Seal(info));  // the store tells the scheduler
  EXPECT_TRUE(store_->Find(arg)->dependents.empty());
  scheduler_->Dispatch();
  // Runnable now; with no CPU on this node and no other node, it cannot be placed.
  EXPECT_EQ(Infeasible(), 1);
}

TEST_F(SchedulerTest, AnArgumentAlreadySealedDoesNotHoldTheTask) {
  const ObjectId arg = ObjectId::Generate();
  store_->Expect(arg);
  store_->AddHolder(rpc::ConnId::kNone, arg, 1);
  rpc::ObjectInfo info;
  info.id = arg;
  info.state = rpc::ObjectState::kInline;
  info.data = "x";
  ASSERT_TRUE(store_->Seal(info));
  scheduler_->Submit(rpc::ConnId::kNone, job_, TaskOn(arg));
  scheduler_->Dispatch();
  EXPECT_EQ(Infeasible(), 1);
  EXPECT_TRUE(store_->Find(arg)->dependents.empty());
}

}  // namespace
}  // namespace strata::node
