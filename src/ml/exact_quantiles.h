// Exact quantiles of a column over the whole dataset, in a few passes of
// tasks and bounded memory — never all values in one place. A wanted rank's
// value has a 64-bit order key (doubles mapped so that integer order is
// numeric order); each round narrows the key by 16 more bits: a pass counts
// the values under the known prefix by their next 16 bits, and the rank
// falls in one bucket. Once at most kCollect values share the prefix, one
// more pass collects them and the rank is read off exactly. Interpolation
// is numpy's (percentile, method "linear"; median as the mean of the middle
// two), which is what scikit-learn calls.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "ml/fit_partial.h"

namespace strata::ml {

class ExactQuantiles {
 public:
  // Quantiles in [0, 1]; a median is asked for as kMedian (numpy's median,
  // not percentile 50, which can differ in the last bit).
  static constexpr double kMedian = -1.0;
  ExactQuantiles() = default;
  explicit ExactQuantiles(std::vector<double> quantiles) : quantiles_(std::move(quantiles)) {}

  // Adds finite values to this round's partial (one SelectPartial per target).
  void Accumulate(const std::vector<double>& values, std::vector<SelectPartial>* partial) const;
  // Reads the merged partial of a round; true when every quantile is known.
  bool EndRound(const std::vector<SelectPartial>& merged);
  bool done() const { return done_; }
  // The quantiles (after done()); NaN when the column had no values.
  const std::vector<double>& results() const { return results_; }
  int64_t count() const { return count_; }

  // Where the search stands, to hand to the tasks of the next round.
  nlohmann::json Save() const;
  void Load(const nlohmann::json& j);

  static uint64_t OrderKey(double x);

 private:
  struct Target {
    int64_t rank = 0;     // 0-based among the sorted values
    uint64_t prefix = 0;  // the key's first `bits` bits (in place, the rest 0)
    int bits = 0;
    int64_t below = 0;    // values with a smaller key prefix
    bool collect = false;
    bool found = false;
    double value = 0;
  };
  void Finish();

  std::vector<double> quantiles_;
  std::vector<Target> targets_;
  int64_t count_ = -1;  // the values, after the first round
  bool done_ = false;
  std::vector<double> results_;
};

// Ends a round for every column's search (`merged`: per column, per
// target); true when all are done.
bool EndRounds(std::vector<ExactQuantiles>* searches, const std::vector<std::vector<SelectPartial>>& merged);
// A fit in progress, in a preprocessor's saved state: {"search": [...]}.
nlohmann::json SaveSearches(const std::vector<ExactQuantiles>& searches);
// Reads it back; false if `fit` holds no search (the fit is done).
bool LoadSearches(const nlohmann::json& fit, std::vector<ExactQuantiles>* searches);

}  // namespace strata::ml
