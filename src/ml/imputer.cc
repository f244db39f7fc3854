// simple_imputer: missing values (nulls, NaN) replaced by the column's mean,
// median (exact, exact_quantiles.h), most frequent value (ties: the
// smallest, as scikit-learn) or a constant. Text columns take
// most_frequent or constant.
#include <cmath>

#include "ml/categories.h"
#include "ml/exact_quantiles.h"
#include "ml/preprocessor.h"

namespace strata::ml {

namespace {

using data::Type;

class SimpleImputer : public Preprocessor {
 public:
  Status Configure(const json& p) override {
    strategy_ = p.value("strategy", std::string("mean"));
    if (strategy_ != "mean" && strategy_ != "median" && strategy_ != "most_frequent" && strategy_ != "constant") {
      return InvalidArgument("strategy must be mean, median, most_frequent or constant, not '" + strategy_ + "'");
    }
    if (p.contains("fill_value")) fill_ = p["fill_value"];
    if (strategy_ == "median") search_.assign(columns_.size(), ExactQuantiles({ExactQuantiles::kMedian}));
    return OkStatus();
  }
  bool needs_fit() const override { return strategy_ != "constant"; }

  Status Accumulate(const Block& b, FitPartial* partial) const override {
    partial->counts.resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, Need(b, columns_[i]));
      if (data::IsBytes(c->type) && strategy_ != "most_frequent") {
        return InvalidArgument(Fail("column '" + columns_[i] + "' is text: strategy " + strategy_ +
                               " needs numbers (most_frequent or constant take text)"));
      }
      if (strategy_ == "most_frequent") {
        if (!CountValues(*c, b.num_rows, &partial->counts[i])) {
          return InvalidArgument(Fail("column '" + columns_[i] + "' is " + data::TypeName(c->type) +
                                      ": cannot be imputed"));
        }
        continue;
      }
      STRATA_RETURN_IF_ERROR(AddValues(b, i, strategy_ == "mean" ? nullptr : &search_[i], partial));
    }
    return OkStatus();
  }

  Status EndRound(const FitPartial& merged) override {
    if (strategy_ == "median" && !EndRounds(&search_, merged.selects)) return OkStatus();
    fills_ = json::array();
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (strategy_ == "mean") {
        const Moments m = i < merged.moments.size() ? merged.moments[i] : Moments();
        if (m.n == 0) return Empty(i);
        fills_.push_back(m.sum / static_cast<double>(m.n));
      } else if (strategy_ == "median") {
        if (search_[i].count() == 0) return Empty(i);
        fills_.push_back(search_[i].results()[0]);
      } else {
        const ValueCounts counts = i < merged.counts.size() ? merged.counts[i] : ValueCounts();
        json best;
        int64_t best_count = 0;
        // Maps iterate in ascending order: the first of the most frequent is the smallest.
        for (const auto& [v, k] : counts.numbers) {
          if (k > best_count) best = v, best_count = k;
        }
        for (const auto& [v, k] : counts.strings) {
          if (k > best_count) best = v, best_count = k;
        }
        if (best_count == 0) return Empty(i);
        fills_.push_back(best);
      }
    }
    fitted_ = true;
    return OkStatus();
  }

  Status Transform(Block* b) const override {
    for (size_t i = 0; i < columns_.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(const Column* c, Need(*b, columns_[i]));
      const json fill = strategy_ == "constant" ? ConstantFor(*c) : fills_.at(i);
      if (data::IsBytes(c->type)) {
        if (!fill.is_string()) {
          return InvalidArgument(Fail("column '" + columns_[i] + "' is text, the fill value " + fill.dump() +
                                      " is not"));
        }
        const std::string v = fill.get<std::string>();
        Column out = Column::OfType(c->type);
        for (int64_t r = 0; r < b->num_rows; ++r) out.AppendString(c->IsNull(r) ? std::string_view(v) : c->Str(r));
        PutColumn(b, OutputOf(i), std::move(out));
        continue;
      }
      if (!fill.is_number()) {
        return InvalidArgument(Fail("column '" + columns_[i] + "' is numeric, the fill value " + fill.dump() +
                                    " is not"));
      }
      const double v = fill.get<double>();
      Column out = Column::OfType(Type::kDouble);
      out.f64.resize(static_cast<size_t>(b->num_rows));
      out.length = b->num_rows;
      if (c->type != Type::kNull && c->type != Type::kInt64 && c->type != Type::kDouble && c->type != Type::kBool) {
        return InvalidArgument(Fail("column '" + columns_[i] + "' is " + data::TypeName(c->type) +
                                    ": cannot be imputed"));
      }
      for (int64_t r = 0; r < b->num_rows; ++r) {
        const double x = c->IsNull(r) ? NAN : c->AsDouble(r);
        out.f64[static_cast<size_t>(r)] = std::isnan(x) ? v : x;
      }
      PutColumn(b, OutputOf(i), std::move(out));
    }
    return OkStatus();
  }

  json SaveFit() const override {
    if (fitted_) return {{"fill", fills_}};
    return SaveSearches(search_);
  }
  Status LoadFit(const json& j) override {
    if (LoadSearches(j, &search_)) return OkStatus();
    fills_ = j.value("fill", json::array());
    if (fills_.size() != columns_.size()) {
      return InvalidArgument("the fitted state has " + std::to_string(fills_.size()) + " fill values for " +
                             std::to_string(columns_.size()) + " columns");
    }
    return OkStatus();
  }

 private:
  // scikit-learn's default constant: 0 for numbers, "missing_value" for text.
  json ConstantFor(const Column& c) const {
    if (!fill_.is_null()) return fill_;
    return data::IsBytes(c.type) ? json("missing_value") : json(0);
  }
  Status Empty(size_t i) const {
    return InvalidArgument(Fail("column '" + columns_[i] + "' has no values to take a " + strategy_ +
                           " from (scikit-learn would drop the column; give strategy: constant)"));
  }

  std::string strategy_ = "mean";
  json fill_;
  json fills_ = json::array();
  std::vector<ExactQuantiles> search_;
};



}  // namespace

void AddImputer(std::map<std::string, PreprocessorInfo>& r) {
  r["simple_imputer"] =
      PreprocessorInfo{{"strategy", "fill_value"}, true, [] { return std::make_unique<SimpleImputer>(); }};
}

}  // namespace strata::ml
