#include "data/exec/multi_pass.h"

#include "data/exec/stage_part.h"

namespace strata::data {

std::map<std::string, MultiPassRunner>& MultiPassRunners() {
  static std::map<std::string, MultiPassRunner> runners;
  return runners;
}

Status CollectParts(std::vector<PartResult> results, const MultiPassTail& tail, MultiPassOutcome* out) {
  out->rows_after.assign(tail.after.size(), 0);
  out->counters_after.assign(tail.after.size(), Counters());
  for (PartResult& r : results) {
    if (!r.error.empty()) {
      return InvalidArgument(r.error);
    }
    out->rows_out += r.rows_out;
    for (size_t k = 0; k < r.rows_after.size() && k < tail.after.size(); ++k) {
      out->rows_after[k] += r.rows_after[k];
      AddCounters(r.counters_after[k], &out->counters_after[k]);
    }
    out->rows_written += r.rows_written;
    out->parts_written += r.rows_written > 0;
    out->kept.push_back(std::move(r.block));
  }
  return OkStatus();
}

}  // namespace strata::data
