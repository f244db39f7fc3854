// A mergeable quantile sketch with a relative error bound (DDSketch, Masson
// et al., VLDB 2019), for robust_scaler's `approximate: true`: one pass, a
// few hundred buckets a column. Value x > 0 falls in bucket
// ceil(log_gamma(x)), gamma = (1 + a) / (1 - a); a bucket answers with the
// value 2 gamma^i / (gamma + 1), within relative error a of every value in
// it. So the k-th smallest value is returned within a·|x_k| of the exact
// one (negatives mirrored, zeros counted apart), and numpy's interpolation
// between two such values stays within a of the larger.
#pragma once

#include <cstdint>
#include <vector>

#include "ml/fit_partial.h"

namespace strata::ml {

class RelativeSketch {
 public:
  explicit RelativeSketch(double relative_accuracy);
  // Adds finite values: partial[0] positives and zeros, partial[1] negatives.
  void Add(const std::vector<double>& values, std::vector<SelectPartial>* partial) const;
  // Quantiles q in [0, 1] (numpy's linear percentile over the sketched
  // values; ExactQuantiles::kMedian for the median); NaN with no values.
  std::vector<double> Quantiles(const std::vector<SelectPartial>& merged, const std::vector<double>& qs) const;

 private:
  double ValueAt(const std::vector<SelectPartial>& merged, int64_t rank) const;
  double gamma_, log_gamma_;
};

}  // namespace strata::ml
