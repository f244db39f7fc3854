// The pipeline runs drivers report (kPipelineReport), as the head keeps them
// for the status: every running one, and the latest ended ones.
//
// Thread-safety: not thread-safe; runs on the head's event loop.
#pragma once

#include <cstddef>
#include <map>
#include <utility>
#include <vector>

#include "rpc/cluster_messages.h"

namespace strata::head {

class PipelineTable {
 public:
  // A driver that starts runs and never ends them cannot grow the head
  // without bound: past `max_running`, the oldest running runs are forgotten.
  explicit PipelineTable(size_t keep_ended = 20, size_t max_running = 200)
      : keep_ended_(keep_ended), max_running_(max_running) {}

  // A newer report of a run replaces the older one; a report of a run that
  // already ended is ignored (a late progress update must not revive it).
  void Report(rpc::PipelineRecord record);
  // Running ones first (oldest first), then the ended ones, newest first.
  std::vector<rpc::PipelineRecord> List() const;

 private:
  using Key = std::pair<JobId, uint32_t>;
  using Runs = std::map<Key, std::pair<uint64_t, rpc::PipelineRecord>>;  // key -> (order, record)
  // Forgets the oldest runs that are running (or ended) while there are more than `keep`.
  void Trim(bool running, size_t keep);

  size_t keep_ended_, max_running_;
  uint64_t next_order_ = 0;
  Runs runs_;
};

}  // namespace strata::head
