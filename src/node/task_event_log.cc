#include "node/task_event_log.h"

#include <chrono>
#include <iterator>

namespace strata::node {

namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TaskEventLog::TaskEventLog(size_t capacity, size_t failures_kept)
    : capacity_(capacity == 0 ? 1 : capacity), failures_kept_(failures_kept) {}

uint32_t TaskEventLog::NameIndex(const std::string& function) {
  auto [it, added] = name_index_.try_emplace(function, static_cast<uint32_t>(names_.size()));
  if (added) {
    names_.push_back(function);
    counts_.emplace_back();
  }
  return it->second;
}

void TaskEventLog::AddFailure(const std::string& function, const std::string& error, int64_t now_us) {
  failures_.push_back({function, error.substr(0, 2000), now_us / 1000});
  while (failures_.size() > failures_kept_) failures_.pop_front();
}

void TaskEventLog::RecordExecution(const std::string& function, const JobId& job, int32_t worker_pid,
                                   uint64_t exec_ns, uint64_t args_bytes, const std::string* error) {
  const uint32_t name = NameIndex(function);
  const int64_t now = NowUs();
  rpc::FunctionCounts& c = counts_[name];
  ++c.finished;
  c.exec_ns += exec_ns;
  if (error != nullptr) {
    ++c.failed;
    AddFailure(function, *error, now);
  }
  const Slot slot{name, job, worker_pid, error != nullptr, now, exec_ns, args_bytes};
  if (ring_.size() < capacity_) {
    ring_.push_back(slot);
  } else {
    ring_[recorded_ % capacity_] = slot;
  }
  ++recorded_;
}

void TaskEventLog::RecordFailure(const std::string& function, const std::string& error) {
  const uint32_t name = NameIndex(function);
  ++counts_[name].finished;
  ++counts_[name].failed;
  AddFailure(function, error, NowUs());
}

std::vector<rpc::TaskExecution> TaskEventLog::Executions(const JobId& job) const {
  std::vector<rpc::TaskExecution> out;
  out.reserve(ring_.size());
  for (uint64_t i = recorded_ - ring_.size(); i < recorded_; ++i) {
    const Slot& s = ring_[ring_.size() < capacity_ ? i : i % capacity_];
    if (!job.IsNil() && s.job != job) continue;
    const auto duration_us = static_cast<int64_t>(s.exec_ns / 1000);
    out.push_back({names_[s.function], s.job, s.worker_pid, s.end_us - duration_us, duration_us, s.args_bytes, s.failed});
  }
  return out;
}

std::map<std::string, rpc::FunctionCounts> TaskEventLog::Counts() const {
  std::map<std::string, rpc::FunctionCounts> out;
  for (size_t i = 0; i < names_.size(); ++i) out[names_[i]] = counts_[i];
  return out;
}

void TaskEventLog::RecordSchedulingDelay(uint64_t ns) {
  constexpr size_t kBounds = std::size(rpc::kSchedulingBucketsSeconds);
  if (scheduling_.counts.empty()) scheduling_.counts.assign(kBounds + 1, 0);
  const double seconds = static_cast<double>(ns) * 1e-9;
  size_t b = 0;
  while (b < kBounds && seconds > rpc::kSchedulingBucketsSeconds[b]) ++b;
  ++scheduling_.counts[b];
  scheduling_.sum_seconds += seconds;
}

}  // namespace strata::node
