// What a node's workers ran: a ring of the last task executions (function,
// worker, start, duration, argument bytes) for `strata timeline`, counts per
// function, and the last failures with their errors for the dashboard.
// Recording costs a hash of the function name and a ring slot: it sits on
// the result path of every task.
//
// Thread-safety: not thread-safe; the scheduler's loop owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "rpc/cluster_messages.h"

namespace strata::node {

class TaskEventLog {
 public:
  explicit TaskEventLog(size_t capacity = 100000, size_t failures_kept = 20);

  // A task a worker here finished (`error` null when it succeeded).
  void RecordExecution(const std::string& function, const JobId& job, int32_t worker_pid, uint64_t exec_ns,
                       uint64_t args_bytes, const std::string* error);
  // A task that failed without finishing here (its worker or node died,
  // retries used up).
  void RecordFailure(const std::string& function, const std::string& error);

  // A task waited this long on this node before a worker got it.
  void RecordSchedulingDelay(uint64_t ns);
  const rpc::LatencyHistogram& scheduling_latency() const { return scheduling_; }

  // The executions the ring holds, oldest first (of `job`, or all when nil).
  std::vector<rpc::TaskExecution> Executions(const JobId& job) const;
  int64_t dropped() const { return static_cast<int64_t>(recorded_ - ring_.size()); }
  std::map<std::string, rpc::FunctionCounts> Counts() const;
  std::vector<rpc::TaskFailure> Failures() const { return {failures_.begin(), failures_.end()}; }

 private:
  struct Slot {
    uint32_t function = 0;  // index into names_
    JobId job;
    int32_t worker_pid = 0;
    bool failed = false;
    int64_t end_us = 0;
    uint64_t exec_ns = 0;
    uint64_t args_bytes = 0;
  };
  uint32_t NameIndex(const std::string& function);
  void AddFailure(const std::string& function, const std::string& error, int64_t now_us);

  size_t capacity_, failures_kept_;
  std::vector<Slot> ring_;  // grows to capacity_, then wraps
  uint64_t recorded_ = 0;  // ever; once full, the next slot is recorded_ % capacity_
  std::unordered_map<std::string, uint32_t> name_index_;
  std::vector<std::string> names_;
  std::vector<rpc::FunctionCounts> counts_;  // by name index
  std::deque<rpc::TaskFailure> failures_;
  rpc::LatencyHistogram scheduling_;
};

}  // namespace strata::node
