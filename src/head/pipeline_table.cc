#include "head/pipeline_table.h"

#include <algorithm>

namespace strata::head {

void PipelineTable::Report(rpc::PipelineRecord record) {
  const Key key{record.job, record.run};
  auto it = runs_.find(key);
  if (it == runs_.end()) {
    runs_.emplace(key, std::make_pair(next_order_++, std::move(record)));
  } else if (it->second.second.state == rpc::PipelineState::kRunning) {
    // Ended runs sort by when they ended.
    if (record.state != rpc::PipelineState::kRunning) it->second.first = next_order_++;
    it->second.second = std::move(record);
  }
  Trim(false, keep_ended_);
  Trim(true, max_running_);
}

void PipelineTable::Trim(bool running, size_t keep) {
  auto in_state = [running](const Runs::value_type& r) {
    return (r.second.second.state == rpc::PipelineState::kRunning) == running;
  };
  size_t count = static_cast<size_t>(std::count_if(runs_.begin(), runs_.end(), in_state));
  for (; count > keep; --count) {
    auto oldest = runs_.end();
    for (auto r = runs_.begin(); r != runs_.end(); ++r) {
      if (in_state(*r) && (oldest == runs_.end() || r->second.first < oldest->second.first)) oldest = r;
    }
    runs_.erase(oldest);
  }
}

std::vector<rpc::PipelineRecord> PipelineTable::List() const {
  std::vector<std::pair<uint64_t, const rpc::PipelineRecord*>> running, ended;
  for (const auto& [k, run] : runs_) {
    (run.second.state == rpc::PipelineState::kRunning ? running : ended).emplace_back(run.first, &run.second);
  }
  std::sort(running.begin(), running.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::sort(ended.begin(), ended.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<rpc::PipelineRecord> out;
  for (const auto& [order, r] : running) out.push_back(*r);
  for (const auto& [order, r] : ended) out.push_back(*r);
  return out;
}

}  // namespace strata::head
