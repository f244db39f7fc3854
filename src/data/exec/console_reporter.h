// `strata run`'s terminal output, drawn from the run's events: a progress
// line per stage (on a terminal only), then the table of rows in and out per
// step and a one-line summary, or the error.
#pragma once

#include <string>

#include "data/exec/run_events.h"

namespace strata::data {

class ConsoleReporter : public RunObserver {
 public:
  // `file`: the pipeline file, named in errors. `progress`: draw progress
  // lines (only when stderr is a terminal).
  ConsoleReporter(std::string file, bool progress);
  void OnProgress(const StageProgress& p) override;
  void OnStageEnd(const std::string& stage) override;
  void OnFinish(const RunReport& report) override;

 private:
  std::string file_;
  bool progress_;
  bool line_open_ = false;
};

// 1234567 -> "1,234,567".
std::string Thousands(int64_t v);

}  // namespace strata::data
