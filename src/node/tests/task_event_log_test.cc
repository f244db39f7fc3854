// The agent's task event log: the scheduling-latency histogram's buckets.
#include "node/task_event_log.h"

#include <gtest/gtest.h>

namespace strata::node {
namespace {

TEST(TaskEventLog, SchedulingDelaysFallInTheFirstBucketTheyFitUnder) {
  TaskEventLog log;
  EXPECT_TRUE(log.scheduling_latency().counts.empty());
  log.RecordSchedulingDelay(50'000);           // 50 us   -> le 0.0001
  log.RecordSchedulingDelay(100'000);          // 100 us  -> le 0.0001 (bounds are inclusive)
  log.RecordSchedulingDelay(3'000'000);        // 3 ms    -> le 0.005
  log.RecordSchedulingDelay(120'000'000'000);  // 2 min   -> past the last bound
  const rpc::LatencyHistogram& h = log.scheduling_latency();
  ASSERT_EQ(h.counts.size(), std::size(rpc::kSchedulingBucketsSeconds) + 1);
  EXPECT_EQ(h.counts[0], 2u);
  EXPECT_EQ(h.counts[3], 1u);
  EXPECT_EQ(h.counts.back(), 1u);
  uint64_t total = 0;
  for (uint64_t c : h.counts) total += c;
  EXPECT_EQ(total, 4u);
  EXPECT_NEAR(h.sum_seconds, 120.00315, 1e-9);
}

}  // namespace
}  // namespace strata::node
