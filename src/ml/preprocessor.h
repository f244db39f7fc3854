// A preprocessor: fit on a dataset (rounds of partial aggregates, merged),
// then transform blocks column at a time. Its parameters, fitted values and
// a fit in progress are JSON (the saved fit file, and what the fit tasks of
// the next round are handed). Numbers as scikit-learn computes them; nulls
// and NaN ignored in fit and kept through transform; ±inf refused, as
// scikit-learn refuses it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "data/block.h"
#include "ml/exact_quantiles.h"
#include "ml/fit_partial.h"

namespace strata::ml {

using data::Block;
using data::Column;
using json = nlohmann::json;

class Preprocessor {
 public:
  virtual ~Preprocessor() = default;

  const std::string& kind() const { return kind_; }
  const std::vector<std::string>& columns() const { return columns_; }
  // Where column i's result goes (output_columns, else the column itself).
  const std::string& OutputOf(size_t i) const { return outputs_.empty() ? columns_[i] : outputs_[i]; }
  // Whether the transform writes (or replaces) column `name`: a step that
  // reads it must be fitted after this one is.
  virtual bool Writes(const std::string& name) const;

  virtual bool needs_fit() const { return true; }
  bool fitted() const { return fitted_ || !needs_fit(); }
  // One round of fitting: what `b` adds to this round's partial.
  virtual Status Accumulate(const Block& b, FitPartial* partial) const = 0;
  // The merged partial of a round; sets fitted() when the fit is complete.
  virtual Status EndRound(const FitPartial& merged) = 0;
  // Transforms `b` in place (needs fitted()).
  virtual Status Transform(Block* b) const = 0;

  // Parameters and fitted state, and back.
  json Save() const;
  Status Load(const json& j);

 protected:
  friend Result<std::unique_ptr<Preprocessor>> MakePreprocessor(const std::string&, const json&);
  // The kind's own parameters (beyond columns/output_columns), read once.
  virtual Status Configure(const json& params) { return OkStatus(); }
  virtual json SaveFit() const { return json::object(); }
  virtual Status LoadFit(const json& j) { return OkStatus(); }
  // A fitted vector saved under `key`, one value per column (`fill` where
  // the file has fewer).
  std::vector<double> PerColumn(const json& fit, const char* key, double fill) const;
  // Errors name the step: "standard_scaler: ...".
  std::string Fail(const std::string& what) const { return kind_ + ": " + what; }
  // The column `name` of `b`, or an error naming what the block has.
  Result<const Column*> Need(const Block& b, const std::string& name) const;
  // Numeric column `name`'s finite values; an error for a text column or ±inf.
  Status FiniteValues(const Block& b, const std::string& name, std::vector<double>* out) const;
  // Adds numeric column i's finite values to `partial`: to the column's
  // quantile search when `search` is given (and not done), else to its
  // moments. Sizes the partial's vectors for every column.
  Status AddValues(const Block& b, size_t i, const ExactQuantiles* search, FitPartial* partial) const;
  // Writes f(x) for every value of numeric column i into its output column
  // (double): nulls stay null, NaN stays NaN; ±inf is an error.
  Status MapColumn(Block* b, size_t i, const std::function<double(double)>& f) const;

  std::string kind_;
  json params_;
  std::vector<std::string> columns_;
  std::vector<std::string> outputs_;
  bool fitted_ = false;
};

// The preprocessors by name, each with the parameters it accepts besides
// columns and output_columns.
struct PreprocessorInfo {
  std::vector<std::string> params;
  bool columns_required = true;
  std::function<std::unique_ptr<Preprocessor>()> make;
};
std::map<std::string, PreprocessorInfo>& Preprocessors();
// Each file of preprocessors adds its own (called once, by Preprocessors()).
void AddScalers(std::map<std::string, PreprocessorInfo>& r);
void AddEncoders(std::map<std::string, PreprocessorInfo>& r);
void AddImputer(std::map<std::string, PreprocessorInfo>& r);
void AddConcatenator(std::map<std::string, PreprocessorInfo>& r);
void AddKBins(std::map<std::string, PreprocessorInfo>& r);
void AddTextFeatures(std::map<std::string, PreprocessorInfo>& r);
void AddPowerTransformer(std::map<std::string, PreprocessorInfo>& r);
Result<std::unique_ptr<Preprocessor>> MakePreprocessor(const std::string& kind, const json& params);

using data::PutColumn;

// The registry entry of a preprocessor class taking `params`.
template <class T>
PreprocessorInfo InfoOf(std::vector<std::string> params) {
  return PreprocessorInfo{std::move(params), true, [] { return std::make_unique<T>(); }};
}

}  // namespace strata::ml
