// Scalers: standard, min-max, max-abs, robust (exact quantiles), and the
// row-wise normalizer. Each fitted value is computed as scikit-learn 1.2
// computes it, and applied with the same operations in the same order.
#include <cfloat>
#include <cmath>

#include "ml/exact_quantiles.h"
#include "ml/preprocessor.h"
#include "ml/relative_sketch.h"

namespace strata::ml {

namespace {

// scikit-learn's _handle_zeros_in_scale: a scale this small is taken as 1.
double NonZeroScale(double scale) { return scale < 10 * DBL_EPSILON ? 1.0 : scale; }

// Scalers whose fit is per-column moments (one round).
class MomentScaler : public Preprocessor {
 public:
  Status Accumulate(const Block& b, FitPartial* partial) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_RETURN_IF_ERROR(AddValues(b, i, nullptr, partial));
    }
    return OkStatus();
  }
  Status EndRound(const FitPartial& merged) override {
    std::vector<Moments> m = merged.moments;
    m.resize(columns_.size());
    Fit(m);
    fitted_ = true;
    return OkStatus();
  }

 protected:
  virtual void Fit(const std::vector<Moments>& m) = 0;
};

class StandardScaler : public MomentScaler {
 public:
  Status Configure(const json& p) override {
    with_mean_ = p.value("with_mean", true);
    with_std_ = p.value("with_std", true);
    return OkStatus();
  }
  void Fit(const std::vector<Moments>& m) override {
    mean_.clear();
    scale_.clear();
    for (const Moments& c : m) {
      mean_.push_back(c.mean);
      scale_.push_back(c.StandardScale());
    }
  }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      const double mean = with_mean_ ? mean_[i] : 0.0, scale = with_std_ ? scale_[i] : 1.0;
      STRATA_RETURN_IF_ERROR(MapColumn(b, i, [&](double x) { return (x - mean) / scale; }));
    }
    return OkStatus();
  }
  json SaveFit() const override { return {{"mean", mean_}, {"scale", scale_}}; }
  Status LoadFit(const json& j) override {
    mean_ = PerColumn(j, "mean", 0.0);
    scale_ = PerColumn(j, "scale", 1.0);
    return OkStatus();
  }

 private:
  bool with_mean_ = true, with_std_ = true;
  std::vector<double> mean_, scale_;
};

class MinMaxScaler : public MomentScaler {
 public:
  Status Configure(const json& p) override {
    const auto range = p.value("feature_range", std::vector<double>{0.0, 1.0});
    if (range.size() != 2 || !(range[0] < range[1])) {
      return InvalidArgument("feature_range must be [low, high] with low < high");
    }
    low_ = range[0];
    high_ = range[1];
    return OkStatus();
  }
  void Fit(const std::vector<Moments>& m) override {
    scale_.clear();
    min_.clear();
    for (const Moments& c : m) {
      const double data_min = c.n > 0 ? c.min : 0.0, range = c.n > 0 ? c.max - c.min : 0.0;
      const double scale = (high_ - low_) / NonZeroScale(range);
      scale_.push_back(scale);
      min_.push_back(low_ - data_min * scale);
    }
  }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      const double scale = scale_[i], min = min_[i];
      STRATA_RETURN_IF_ERROR(MapColumn(b, i, [&](double x) { return x * scale + min; }));
    }
    return OkStatus();
  }
  json SaveFit() const override { return {{"scale", scale_}, {"min", min_}}; }
  Status LoadFit(const json& j) override {
    scale_ = PerColumn(j, "scale", 1.0);
    min_ = PerColumn(j, "min", 0.0);
    return OkStatus();
  }

 private:
  double low_ = 0, high_ = 1;
  std::vector<double> scale_, min_;
};

class MaxAbsScaler : public MomentScaler {
 public:
  void Fit(const std::vector<Moments>& m) override {
    scale_.clear();
    for (const Moments& c : m) {
      scale_.push_back(NonZeroScale(c.n > 0 ? std::max(std::fabs(c.min), std::fabs(c.max)) : 0.0));
    }
  }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      const double scale = scale_[i];
      STRATA_RETURN_IF_ERROR(MapColumn(b, i, [&](double x) { return x / scale; }));
    }
    return OkStatus();
  }
  json SaveFit() const override { return {{"scale", scale_}}; }
  Status LoadFit(const json& j) override {
    scale_ = PerColumn(j, "scale", 1.0);
    return OkStatus();
  }

 private:
  std::vector<double> scale_;
};

// Median and the quantile range, exact (exact_quantiles.h), several rounds.
class RobustScaler : public Preprocessor {
 public:
  Status Configure(const json& p) override {
    const auto range = p.value("quantile_range", std::vector<double>{25.0, 75.0});
    if (range.size() != 2 || !(0 <= range[0] && range[0] <= range[1] && range[1] <= 100)) {
      return InvalidArgument("quantile_range must be [q_min, q_max] with 0 <= q_min <= q_max <= 100");
    }
    with_centering_ = p.value("with_centering", true);
    with_scaling_ = p.value("with_scaling", true);
    // numpy divides the percentiles by 100 the same way.
    quantiles_ = {ExactQuantiles::kMedian, range[0] / 100, range[1] / 100};
    search_.assign(columns_.size(), ExactQuantiles(quantiles_));
    approximate_ = p.value("approximate", false);
    accuracy_ = p.value("relative_accuracy", 0.01);
    if (!(accuracy_ > 0 && accuracy_ < 1)) {
      return InvalidArgument("relative_accuracy must be between 0 and 1 (default 0.01)");
    }
    return OkStatus();
  }
  Status Accumulate(const Block& b, FitPartial* partial) const override {
    const RelativeSketch sketch(accuracy_);
    std::vector<double> values;
    partial->selects.resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (!approximate_) {
        STRATA_RETURN_IF_ERROR(AddValues(b, i, &search_[i], partial));
        continue;
      }
      STRATA_RETURN_IF_ERROR(FiniteValues(b, columns_[i], &values));
      sketch.Add(values, &partial->selects[i]);
    }
    return OkStatus();
  }
  Status EndRound(const FitPartial& merged) override {
    std::vector<std::vector<double>> results;
    if (approximate_) {
      const RelativeSketch sketch(accuracy_);
      for (size_t i = 0; i < columns_.size(); ++i) {
        results.push_back(i < merged.selects.size() ? sketch.Quantiles(merged.selects[i], quantiles_)
                                                    : std::vector<double>(3, NAN));
      }
    } else {
      if (!EndRounds(&search_, merged.selects)) return OkStatus();
      for (const ExactQuantiles& q : search_) results.push_back(q.results());
    }
    center_.clear();
    scale_.clear();
    for (const auto& r : results) {
      const bool empty = std::isnan(r[0]);
      center_.push_back(empty ? 0.0 : r[0]);
      scale_.push_back(empty ? 1.0 : NonZeroScale(r[2] - r[1]));
    }
    fitted_ = true;
    return OkStatus();
  }
  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      const double center = with_centering_ ? center_[i] : 0.0, scale = with_scaling_ ? scale_[i] : 1.0;
      STRATA_RETURN_IF_ERROR(MapColumn(b, i, [&](double x) { return (x - center) / scale; }));
    }
    return OkStatus();
  }
  json SaveFit() const override {
    if (fitted_) return {{"center", center_}, {"scale", scale_}};
    return SaveSearches(search_);
  }
  Status LoadFit(const json& j) override {
    if (LoadSearches(j, &search_)) return OkStatus();
    center_ = PerColumn(j, "center", 0.0);
    scale_ = PerColumn(j, "scale", 1.0);
    return OkStatus();
  }

 private:
  bool with_centering_ = true, with_scaling_ = true;
  // approximate: one pass of a relative-error sketch instead of the exact
  // search's rounds; each quantile within relative_accuracy of the exact one.
  bool approximate_ = false;
  double accuracy_ = 0.01;
  std::vector<double> quantiles_;
  std::vector<ExactQuantiles> search_;
  std::vector<double> center_, scale_;
};

// Row-wise: each row's listed columns divided by their l1, l2 or max norm
// (a zero norm leaves the row as it is). Nothing to fit.
class Normalizer : public Preprocessor {
 public:
  bool needs_fit() const override { return false; }
  Status Configure(const json& p) override {
    norm_ = p.value("norm", std::string("l2"));
    if (norm_ != "l1" && norm_ != "l2" && norm_ != "max") {
      return InvalidArgument("norm must be l1, l2 or max, not '" + norm_ + "'");
    }
    return OkStatus();
  }
  Status Accumulate(const Block&, FitPartial*) const override { return OkStatus(); }
  Status EndRound(const FitPartial&) override { return OkStatus(); }
  Status Transform(Block* b) const override {
    std::vector<double> norms(static_cast<size_t>(b->num_rows), 0.0);
    std::vector<const Column*> cols;
    for (const std::string& name : columns_) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, Need(*b, name));
      cols.push_back(c);
    }
    for (const Column* c : cols) {
      for (int64_t r = 0; r < b->num_rows; ++r) {
        const double x = c->IsNull(r) ? 0.0 : c->AsDouble(r);
        double& n = norms[static_cast<size_t>(r)];
        n = norm_ == "l1" ? n + std::fabs(x) : norm_ == "l2" ? n + x * x : std::max(n, std::fabs(x));
      }
    }
    for (double& n : norms) {
      if (norm_ == "l2") n = std::sqrt(n);
      if (n == 0) n = 1;
    }
    for (size_t i = 0; i < columns_.size(); ++i) {
      int64_t row = 0;
      STRATA_RETURN_IF_ERROR(MapColumn(b, i, [&](double x) { return x; }));
      Column& out = b->columns[static_cast<size_t>(b->Find(OutputOf(i)))];
      for (row = 0; row < b->num_rows; ++row) out.f64[static_cast<size_t>(row)] /= norms[static_cast<size_t>(row)];
    }
    return OkStatus();
  }

 private:
  std::string norm_ = "l2";
};




}  // namespace

void AddScalers(std::map<std::string, PreprocessorInfo>& r) {
  r["standard_scaler"] = InfoOf<StandardScaler>({"with_mean", "with_std"});
  r["min_max_scaler"] = InfoOf<MinMaxScaler>({"feature_range"});
  r["max_abs_scaler"] = InfoOf<MaxAbsScaler>({});
  r["robust_scaler"] = InfoOf<RobustScaler>(
      {"quantile_range", "with_centering", "with_scaling", "approximate", "relative_accuracy"});
  r["normalizer"] = InfoOf<Normalizer>({"norm"});
}

}  // namespace strata::ml
