// What a fit task sends back for one preprocessor and one round: partial
// aggregates of the rows it saw, merged on the driver in any order (so a
// fit is one pass of tasks over the parts, however many parts there are).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <strata/serialization.h>

namespace strata::ml {

// Count, mean and squared deviations (merged as Chan, Golub and LeVeque do),
// extremes, of a numeric column's finite values. NaN and nulls are not
// counted (scikit-learn ignores them in fit).
struct Moments {
  int64_t n = 0;
  double mean = 0, m2 = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;  // kept apart from mean: the imputer's mean is sum / n, as numpy's
  void Add(double x) {
    ++n;
    const double d = x - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (x - mean);
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  void Merge(const Moments& o);
  // Population variance (scikit-learn's StandardScaler, ddof 0).
  double variance() const { return n > 0 ? m2 / static_cast<double>(n) : 0.0; }
  // scikit-learn's StandardScaler scale: the standard deviation, or 1 for a
  // column its _is_constant_feature calls constant (variance within the
  // error bound of a two-pass computation).
  double StandardScale() const;
  STRATA_STRUCT(n, mean, m2, min, max, sum);
};

// How often each value occurs: numbers and strings apart (a column is one
// or the other); nulls (and NaN) counted on their own.
struct ValueCounts {
  std::map<double, int64_t> numbers;
  std::map<std::string, int64_t> strings;
  int64_t missing = 0;
  void Merge(const ValueCounts& o);
  STRATA_STRUCT(numbers, strings, missing);
};

// One round of an exact quantile search (quantiles.h) for one target: either
// how many values fall in each of the 65536 buckets of the next 16 bits of
// the target's key prefix, or, once the prefix is narrow enough, the values
// themselves.
struct SelectPartial {
  std::map<uint32_t, int64_t> buckets;
  std::vector<double> values;
  void Merge(const SelectPartial& o);
  STRATA_STRUCT(buckets, values);
};

// Everything one preprocessor's round can collect, per column it reads.
struct FitPartial {
  std::vector<Moments> moments;
  std::vector<ValueCounts> counts;
  std::vector<std::vector<SelectPartial>> selects;  // per column, per target
  void Merge(const FitPartial& o);
  STRATA_STRUCT(moments, counts, selects);
};

}  // namespace strata::ml
