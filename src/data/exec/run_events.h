// What a running pipeline tells the world, as it happens: a stage started, a
// part of it finished, the run ended (with every row accounted for). The
// runner only emits these; the CLI draws progress and the summary from them
// (console_reporter.h), Dataset keeps the numbers, and the dashboard can
// read the same events.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace strata::data {

// Parts of one stage done so far.
struct StageProgress {
  std::string stage;   // "read", "join right", "step 4 groupby", ...
  size_t done = 0;     // parts (tasks, batches) finished
  size_t total = 0;    // 0: not known ahead (an actor pool's batches)
  int64_t rows = 0;    // rows read (the read stage) or out (the others) so far
  double seconds = 0;  // since the stage started
};

struct StepRows {
  size_t step = 0;  // 1-based, as in the pipeline file; 0 for the read
  std::string op;
  int64_t rows_in = 0;
  int64_t rows_out = 0;
  bool row_local = true;  // false: a global step (rows in and out, nothing "filtered")
  // What the step counted, summed over the cluster: a text filter's drops
  // per rule (Step::Counters).
  std::map<std::string, int64_t> counters;
};

// The end of a run: what went in, what each step did, what came out.
struct RunReport {
  std::string error;   // empty: it succeeded
  std::string source;  // "trips.csv", "3 paths", "range(1000)", ...
  int64_t rows_read = 0;  // bad ones included
  int64_t rows_bad = 0;
  int64_t rows_rejected = 0;  // bad records found by steps (a clip that does not decode), in their drops
  int64_t bytes_read = 0;
  std::string bad_policy;       // fail, skip, quarantine
  std::string quarantine_path;  // when quarantined
  std::vector<StepRows> steps;  // in pipeline order
  int64_t rows_written = 0;
  int parts_written = 0;
  std::string write_path;  // empty when collected
  std::string write_note;  // what the sink adds to the summary ("kept 1.2 h of audio ...")
  double seconds = 0;
};

using Counters = std::map<std::string, int64_t>;
inline void AddCounters(const Counters& from, Counters* into) {
  for (const auto& [name, n] : from) (*into)[name] += n;
}
// What `after` counted beyond `before` (steps kept across parts count on).
inline Counters CountersSince(const Counters& before, const Counters& after) {
  Counters d;
  for (const auto& [name, n] : after) {
    const auto it = before.find(name);
    const int64_t was = it == before.end() ? 0 : it->second;
    if (n != was) d[name] = n - was;
  }
  return d;
}

// A step of a stage after the map stage: its rows out and counters.
struct GlobalStepRows {
  std::string op;
  int64_t rows = 0;
  Counters counters;
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnProgress(const StageProgress& progress) {}
  // A stage whose progress lines are done (the next one starts).
  virtual void OnStageEnd(const std::string& stage) {}
  // The map stage's steps, rows so far (after each part it finished).
  virtual void OnStepRows(const std::vector<StepRows>& steps) {}
  virtual void OnFinish(const RunReport& report) {}
};

}  // namespace strata::data
