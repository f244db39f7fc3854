#include "ml/fit_partial.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace strata::ml {

void Moments::Merge(const Moments& o) {
  if (o.n == 0) return;
  if (n == 0) {
    *this = o;
    return;
  }
  const double na = static_cast<double>(n), nb = static_cast<double>(o.n), total = na + nb;
  const double delta = o.mean - mean;
  mean += delta * nb / total;
  m2 += o.m2 + delta * delta * na * nb / total;
  n += o.n;
  sum += o.sum;
  min = std::min(min, o.min);
  max = std::max(max, o.max);
}

double Moments::StandardScale() const {
  const double var = variance(), count = static_cast<double>(n);
  const double bound = count * DBL_EPSILON * var + (count * mean * DBL_EPSILON) * (count * mean * DBL_EPSILON);
  return var <= bound ? 1.0 : std::sqrt(var);
}

void ValueCounts::Merge(const ValueCounts& o) {
  for (const auto& [v, c] : o.numbers) numbers[v] += c;
  for (const auto& [v, c] : o.strings) strings[v] += c;
  missing += o.missing;
}

void SelectPartial::Merge(const SelectPartial& o) {
  for (const auto& [b, c] : o.buckets) buckets[b] += c;
  values.insert(values.end(), o.values.begin(), o.values.end());
}

void FitPartial::Merge(const FitPartial& o) {
  if (moments.size() < o.moments.size()) moments.resize(o.moments.size());
  for (size_t i = 0; i < o.moments.size(); ++i) moments[i].Merge(o.moments[i]);
  if (counts.size() < o.counts.size()) counts.resize(o.counts.size());
  for (size_t i = 0; i < o.counts.size(); ++i) counts[i].Merge(o.counts[i]);
  if (selects.size() < o.selects.size()) selects.resize(o.selects.size());
  for (size_t i = 0; i < o.selects.size(); ++i) {
    if (selects[i].size() < o.selects[i].size()) selects[i].resize(o.selects[i].size());
    for (size_t t = 0; t < o.selects[i].size(); ++t) selects[i][t].Merge(o.selects[i][t]);
  }
}

}  // namespace strata::ml
