// kbins_discretizer: each value's bin (scikit-learn's KBinsDiscretizer with
// encode "ordinal"): `strategy: uniform` (equal widths between the column's
// min and max), `quantile` (edges at exact percentiles, numpy's; edges closer
// than 1e-8 merged away, as scikit-learn does) or `edges:` given per column.
// A value's bin is searchsorted(inner edges, x, side=right); nulls and NaN
// stay null.
#include <algorithm>
#include <cmath>

#include "ml/exact_quantiles.h"
#include "ml/preprocessor.h"

namespace strata::ml {

namespace {

class KBinsDiscretizer : public Preprocessor {
 public:
  Status Configure(const json& p) override {
    strategy_ = p.value("strategy", std::string(p.contains("edges") ? "custom" : "quantile"));
    n_bins_ = p.value("n_bins", 5);
    if (n_bins_ < 2) {
      return InvalidArgument("n_bins must be at least 2");
    }
    if (p.contains("edges")) {
      edges_ = p["edges"].get<std::vector<std::vector<double>>>();
      if (edges_.size() != columns_.size()) {
        return InvalidArgument("edges: one list of edges per column (" + std::to_string(columns_.size()) + ")");
      }
      for (const auto& e : edges_) {
        if (e.size() < 2 || !std::is_sorted(e.begin(), e.end())) {
          return InvalidArgument("edges: each column's edges must be at least two, ascending");
        }
      }
      strategy_ = "custom";
      return OkStatus();
    }
    if (strategy_ != "uniform" && strategy_ != "quantile") {
      return InvalidArgument("strategy must be uniform or quantile (or give edges:), not '" + strategy_ + "'");
    }
    if (strategy_ == "quantile") {
      // numpy: linspace(0, 100, n + 1), then / 100.
      const double step = 100.0 / n_bins_;
      std::vector<double> qs;
      for (int i = 0; i <= n_bins_; ++i) qs.push_back((i == n_bins_ ? 100.0 : i * step) / 100);
      search_.assign(columns_.size(), ExactQuantiles(qs));
    }
    return OkStatus();
  }
  bool needs_fit() const override { return strategy_ != "custom"; }

  Status Accumulate(const Block& b, FitPartial* partial) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_RETURN_IF_ERROR(AddValues(b, i, strategy_ == "uniform" ? nullptr : &search_[i], partial));
    }
    return OkStatus();
  }

  Status EndRound(const FitPartial& merged) override {
    if (strategy_ == "quantile" && !EndRounds(&search_, merged.selects)) return OkStatus();
    edges_.clear();
    for (size_t i = 0; i < columns_.size(); ++i) {
      std::vector<double> e;
      if (strategy_ == "uniform") {
        const Moments m = i < merged.moments.size() ? merged.moments[i] : Moments();
        if (m.n == 0) return Empty(i);
        if (m.min == m.max) {
          e = {-INFINITY, INFINITY};
        } else {
          // numpy's linspace: i * step + start, the last edge the stop.
          const double step = (m.max - m.min) / n_bins_;
          for (int k = 0; k < n_bins_; ++k) e.push_back(k * step + m.min);
          e.push_back(m.max);
        }
      } else {
        if (search_[i].count() == 0) return Empty(i);
        // Edges closer than 1e-8 to the one before are dropped.
        double prev = NAN;
        for (double x : search_[i].results()) {
          if (e.empty() || x - prev > 1e-8) e.push_back(x);
          prev = x;
        }
      }
      edges_.push_back(std::move(e));
    }
    fitted_ = true;
    return OkStatus();
  }

  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::vector<double>& e = edges_[i];
      const auto inner_begin = e.begin() + 1, inner_end = e.end() - 1;
      STRATA_RETURN_IF_ERROR(MapColumn(b, i, [&](double x) {
            return static_cast<double>(std::upper_bound(inner_begin, inner_end, x) - inner_begin);
          }));
    }
    return OkStatus();
  }

  json SaveFit() const override {
    if (fitted_ || strategy_ == "custom") {
      json e = json::array();
      for (const auto& edges : edges_) {
        json list = json::array();
        // JSON has no infinity: a constant column's two edges are written as null.
        for (double x : edges) list.push_back(std::isinf(x) ? json() : json(x));
        e.push_back(list);
      }
      return {{"edges", e}};
    }
    return SaveSearches(search_);
  }
  Status LoadFit(const json& j) override {
    if (LoadSearches(j, &search_)) return OkStatus();
    if (!j.contains("edges")) return OkStatus();
    edges_.clear();
    for (const json& list : j["edges"]) {
      std::vector<double> e;
      for (const json& x : list) e.push_back(x.is_null() ? (e.empty() ? -INFINITY : INFINITY) : x.get<double>());
      edges_.push_back(std::move(e));
    }
    if (edges_.size() != columns_.size()) {
      return InvalidArgument("the fitted state has edges for " + std::to_string(edges_.size()) + " of " +
                             std::to_string(columns_.size()) + " columns");
    }
    return OkStatus();
  }

 private:
  Status Empty(size_t i) const {
    return InvalidArgument(Fail("column '" + columns_[i] + "' has no values to find bin edges in"));
  }

  std::string strategy_ = "quantile";
  int n_bins_ = 5;
  std::vector<std::vector<double>> edges_;
  std::vector<ExactQuantiles> search_;
};

}  // namespace

void AddKBins(std::map<std::string, PreprocessorInfo>& r) {
  r["kbins_discretizer"] = PreprocessorInfo{
      {"n_bins", "strategy", "edges"}, true, [] { return std::make_unique<KBinsDiscretizer>(); }};
}

}  // namespace strata::ml
