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
  explicit PipelineTable(size_t keep_ended = 20) : keep_ended_(keep_ended) {}

  // A newer report of a run replaces the older one; a report of a run that
  // already ended is ignored (a late progress update must not revive it).
  void Report(rpc::PipelineRecord record);
  // Running ones first (oldest first), then the ended ones, newest first.
  std::vector<rpc::PipelineRecord> List() const;

 private:
  using Key = std::pair<JobId, uint32_t>;
  size_t keep_ended_;
  uint64_t next_order_ = 0;
  std::map<Key, std::pair<uint64_t, rpc::PipelineRecord>> runs_;  // key -> (arrival, record)
};

}  // namespace strata::head
