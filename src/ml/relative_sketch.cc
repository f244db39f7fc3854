#include "ml/relative_sketch.h"

#include <cmath>
#include <limits>

#include "ml/exact_quantiles.h"

namespace strata::ml {

namespace {

// Bucket indices are kept as uint32 keys: index + kOffset (> 0); key 0 counts zeros.
constexpr int64_t kOffset = int64_t{1} << 30;

}  // namespace

RelativeSketch::RelativeSketch(double a) : gamma_((1 + a) / (1 - a)), log_gamma_(std::log((1 + a) / (1 - a))) {}

void RelativeSketch::Add(const std::vector<double>& values, std::vector<SelectPartial>* partial) const {
  partial->resize(2);
  for (double x : values) {
    if (x == 0) {
      ++(*partial)[0].buckets[0];
      continue;
    }
    const auto index = static_cast<int64_t>(std::ceil(std::log(std::fabs(x)) / log_gamma_));
    ++(*partial)[x > 0 ? 0 : 1].buckets[static_cast<uint32_t>(index + kOffset)];
  }
}

double RelativeSketch::ValueAt(const std::vector<SelectPartial>& merged, int64_t rank) const {
  auto value = [&](uint32_t key) {
    return 2 * std::pow(gamma_, static_cast<double>(static_cast<int64_t>(key) - kOffset)) / (gamma_ + 1);
  };
  int64_t seen = 0;
  // Negatives, largest magnitude first.
  if (merged.size() > 1) {
    const auto& neg = merged[1].buckets;
    for (auto it = neg.rbegin(); it != neg.rend(); ++it) {
      seen += it->second;
      if (rank < seen) return -value(it->first);
    }
  }
  for (const auto& [key, count] : merged[0].buckets) {  // zeros (key 0), then positives
    seen += count;
    if (rank < seen) return key == 0 ? 0.0 : value(key);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> RelativeSketch::Quantiles(const std::vector<SelectPartial>& merged,
                                              const std::vector<double>& qs) const {
  int64_t n = 0;
  for (const SelectPartial& p : merged) {
    for (const auto& [key, count] : p.buckets) n += count;
  }
  std::vector<double> out;
  for (double q : qs) {
    if (n == 0) {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
    } else if (q == ExactQuantiles::kMedian) {
      const double a = ValueAt(merged, (n - 1) / 2), b = ValueAt(merged, n / 2);
      out.push_back(n % 2 == 1 ? a : (a + b) / 2);
    } else {
      const double v = static_cast<double>(n - 1) * q;
      const auto lo = static_cast<int64_t>(std::floor(v));
      const double a = ValueAt(merged, lo), b = ValueAt(merged, std::min(lo + 1, n - 1)), g = v - std::floor(v);
      out.push_back(g >= 0.5 ? b - (b - a) * (1 - g) : a + (b - a) * g);
    }
  }
  return out;
}

}  // namespace strata::ml
