#include "ml/exact_quantiles.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace strata::ml {

namespace {

// At most this many values under one prefix are collected instead of
// narrowed further (a few MB per target).
constexpr int64_t kCollect = 1 << 18;

uint64_t PrefixMask(int bits) { return bits == 0 ? 0 : ~uint64_t{0} << (64 - bits); }

}  // namespace

uint64_t ExactQuantiles::OrderKey(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : u | (uint64_t{1} << 63);
}

void ExactQuantiles::Accumulate(const std::vector<double>& values, std::vector<SelectPartial>* partial) const {
  if (count_ < 0) {  // first round: the top 16 bits of every value
    partial->resize(1);
    std::vector<int64_t> dense(65536, 0);
    for (double v : values) ++dense[OrderKey(v) >> 48];
    for (uint32_t b = 0; b < dense.size(); ++b) {
      if (dense[b] > 0) (*partial)[0].buckets[b] += dense[b];
    }
    return;
  }
  partial->resize(targets_.size());
  for (size_t t = 0; t < targets_.size(); ++t) {
    const Target& target = targets_[t];
    if (target.found) continue;
    const uint64_t mask = PrefixMask(target.bits);
    SelectPartial& out = (*partial)[t];
    for (double v : values) {
      const uint64_t key = OrderKey(v);
      if ((key & mask) != target.prefix) continue;
      if (target.collect) {
        out.values.push_back(v);
      } else {
        ++out.buckets[static_cast<uint32_t>((key << target.bits) >> 48)];
      }
    }
  }
}

bool ExactQuantiles::EndRound(const std::vector<SelectPartial>& merged) {
  if (count_ < 0) {
    count_ = 0;
    const SelectPartial first = merged.empty() ? SelectPartial() : merged[0];
    for (const auto& [b, c] : first.buckets) count_ += c;
    if (count_ == 0) {
      results_.assign(quantiles_.size(), std::numeric_limits<double>::quiet_NaN());
      done_ = true;
      return true;
    }
    // The ranks numpy reads for each quantile.
    const int64_t last = count_ - 1;
    for (double q : quantiles_) {
      if (q == kMedian) {
        targets_.push_back(Target{(count_ - 1) / 2});
        targets_.push_back(Target{count_ / 2});
        continue;
      }
      const double v = static_cast<double>(count_ - 1) * q;
      const auto prev = static_cast<int64_t>(std::floor(v));
      targets_.push_back(Target{v >= static_cast<double>(last) ? last : std::max<int64_t>(prev, 0)});
      targets_.push_back(Target{v >= static_cast<double>(last) ? last : std::max<int64_t>(prev + 1, 0)});
    }
    // Every target starts from the first round's buckets.
    for (Target& t : targets_) {
      int64_t below = 0;
      for (const auto& [b, c] : first.buckets) {
        if (t.rank < below + c) {
          t.prefix = uint64_t{b} << 48;
          t.bits = 16;
          t.below = below;
          t.collect = c <= kCollect;
          break;
        }
        below += c;
      }
    }
    return false;
  }
  for (size_t i = 0; i < targets_.size() && i < merged.size(); ++i) {
    Target& t = targets_[i];
    if (t.found) continue;
    if (t.collect) {
      std::vector<double> values = merged[i].values;
      const auto k = static_cast<size_t>(t.rank - t.below);
      if (k >= values.size()) continue;  // cannot happen with the same data twice
      std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
      t.value = values[k];
      t.found = true;
      continue;
    }
    int64_t below = t.below;
    for (const auto& [b, c] : merged[i].buckets) {
      if (t.rank < below + c) {
        t.prefix |= (uint64_t{b} << 48) >> t.bits;
        t.bits += 16;
        t.below = below;
        // 64 bits known: every value under the prefix is the same value.
        t.collect = c <= kCollect || t.bits == 64;
        break;
      }
      below += c;
    }
  }
  for (const Target& t : targets_) {
    if (!t.found) return false;
  }
  Finish();
  return true;
}

void ExactQuantiles::Finish() {
  results_.clear();
  size_t t = 0;
  for (double q : quantiles_) {
    const double a = targets_[t].value, b = targets_[t + 1].value;
    t += 2;
    if (q == kMedian) {
      results_.push_back(count_ % 2 == 1 ? a : (a + b) / 2);
      continue;
    }
    // numpy's _lerp, with gamma measured from the lower index.
    const double v = static_cast<double>(count_ - 1) * q;
    const double gamma = v >= static_cast<double>(count_ - 1) ? v + 1 : v - std::floor(v);
    const double diff = b - a;
    results_.push_back(gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma);
  }
  done_ = true;
}

nlohmann::json ExactQuantiles::Save() const {
  nlohmann::json targets = nlohmann::json::array();
  for (const Target& t : targets_) {
    targets.push_back({t.rank, t.prefix, t.bits, t.below, t.collect, t.found, t.value});
  }
  return {{"quantiles", quantiles_}, {"count", count_}, {"targets", targets}};
}

void ExactQuantiles::Load(const nlohmann::json& j) {
  quantiles_ = j.at("quantiles").get<std::vector<double>>();
  count_ = j.at("count").get<int64_t>();
  targets_.clear();
  for (const auto& t : j.at("targets")) {
    targets_.push_back(Target{t[0].get<int64_t>(), t[1].get<uint64_t>(), t[2].get<int>(), t[3].get<int64_t>(),
                              t[4].get<bool>(), t[5].get<bool>(), t[6].get<double>()});
  }
}

bool EndRounds(std::vector<ExactQuantiles>* searches, const std::vector<std::vector<SelectPartial>>& merged) {
  bool all = true;
  for (size_t i = 0; i < searches->size(); ++i) {
    ExactQuantiles& q = (*searches)[i];
    if (!q.done()) q.EndRound(i < merged.size() ? merged[i] : std::vector<SelectPartial>());
    all = all && q.done();
  }
  return all;
}

nlohmann::json SaveSearches(const std::vector<ExactQuantiles>& searches) {
  nlohmann::json s = nlohmann::json::array();
  for (const ExactQuantiles& q : searches) s.push_back(q.Save());
  return {{"search", s}};
}

bool LoadSearches(const nlohmann::json& fit, std::vector<ExactQuantiles>* searches) {
  if (!fit.contains("search")) return false;
  for (size_t i = 0; i < searches->size() && i < fit["search"].size(); ++i) (*searches)[i].Load(fit["search"][i]);
  return true;
}

}  // namespace strata::ml
