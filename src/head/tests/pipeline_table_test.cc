// The head's list of pipeline runs: newer reports replace older ones, an
// ended run stays ended, and only the latest ended runs are kept.
#include "head/pipeline_table.h"

#include <gtest/gtest.h>

namespace strata::head {
namespace {

rpc::PipelineRecord Record(const JobId& job, uint32_t run, rpc::PipelineState state, int64_t rows) {
  rpc::PipelineRecord r;
  r.job = job;
  r.run = run;
  r.name = "p" + std::to_string(run);
  r.state = state;
  r.rows_read = rows;
  return r;
}

TEST(PipelineTable, NewerReportsReplaceOlderOnesAndRunningRunsComeFirst) {
  PipelineTable table;
  const JobId job = JobId::Generate();
  table.Report(Record(job, 1, rpc::PipelineState::kRunning, 10));
  table.Report(Record(job, 2, rpc::PipelineState::kRunning, 5));
  table.Report(Record(job, 1, rpc::PipelineState::kSucceeded, 100));
  table.Report(Record(job, 2, rpc::PipelineState::kRunning, 50));
  const auto list = table.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].run, 2u);
  EXPECT_EQ(list[0].rows_read, 50);
  EXPECT_EQ(list[1].run, 1u);
  EXPECT_EQ(list[1].state, rpc::PipelineState::kSucceeded);
  EXPECT_EQ(list[1].rows_read, 100);
}

TEST(PipelineTable, ALateProgressReportDoesNotReviveAnEndedRun) {
  PipelineTable table;
  const JobId job = JobId::Generate();
  table.Report(Record(job, 1, rpc::PipelineState::kLost, 10));
  table.Report(Record(job, 1, rpc::PipelineState::kRunning, 20));
  const auto list = table.List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].state, rpc::PipelineState::kLost);
  EXPECT_EQ(list[0].rows_read, 10);
}

TEST(PipelineTable, KeepsTheNewestEndedRunsAndEveryRunningOne) {
  PipelineTable table(3);
  const JobId job = JobId::Generate();
  table.Report(Record(job, 100, rpc::PipelineState::kRunning, 0));
  for (uint32_t r = 1; r <= 10; ++r) table.Report(Record(job, r, rpc::PipelineState::kFailed, r));
  const auto list = table.List();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].run, 100u);
  EXPECT_EQ(list[1].run, 10u);  // newest ended first
  EXPECT_EQ(list[2].run, 9u);
  EXPECT_EQ(list[3].run, 8u);
}

TEST(PipelineTable, RunsThatNeverEndCannotGrowTheTableWithoutBound) {
  PipelineTable table(3, 5);
  const JobId job = JobId::Generate();
  for (uint32_t r = 1; r <= 1000; ++r) table.Report(Record(job, r, rpc::PipelineState::kRunning, r));
  const auto list = table.List();
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list.front().run, 996u);  // the newest five, oldest first
  EXPECT_EQ(list.back().run, 1000u);
}

}  // namespace
}  // namespace strata::head
