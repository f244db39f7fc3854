// The categories an encoder learned from a column: numbers or strings,
// sorted (scikit-learn's np.unique order: numbers ascending, strings by code
// point), and "missing" (nulls and NaN) as the last category when the fit
// saw any — as scikit-learn keeps np.nan. Also how values are counted in fit.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/block.h"
#include "ml/fit_partial.h"

namespace strata::ml {

// Adds the values of `c` to `counts`; false if `c` is neither numeric nor text.
bool CountValues(const data::Column& c, int64_t rows, ValueCounts* counts);

class Categories {
 public:
  // All categories in `counts`, or — with max_categories > 0 and more
  // categories than that — scikit-learn's frequent ones (max_categories - 1
  // of them, the most frequent; ties go to the later category in sorted
  // order), with `infrequent` saying which were grouped.
  static Categories From(const ValueCounts& counts, int64_t max_categories = 0);

  size_t size() const { return (is_string_ ? strings_.size() : numbers_.size()) + (has_missing_ ? 1 : 0); }
  bool is_string() const { return is_string_; }
  bool has_infrequent() const { return has_infrequent_; }
  // Category i as part of a column name (Python's str(): 3, 2.5, 1.0, nan).
  std::string Name(size_t i) const;
  // Category i as a value for a column of the same type as the input.
  void AppendValue(size_t i, data::Column* out) const;
  data::Type ValueType() const { return is_string_ ? data::Type::kString : data::Type::kDouble; }

  // Looks rows up; build once per block.
  class Index {
   public:
    explicit Index(const Categories& cats);
    // Row r's category; -1: unknown; -2: infrequent (grouped).
    int64_t Find(const data::Column& c, int64_t r) const;

   private:
    const Categories& cats_;
    std::unordered_map<double, int64_t> numbers_;
    std::unordered_map<std::string_view, int64_t> strings_;
  };

  nlohmann::json Save() const;
  void Load(const nlohmann::json& j);

 private:
  bool is_string_ = false;
  std::vector<double> numbers_;
  std::vector<std::string> strings_;
  bool has_missing_ = false;
  bool has_infrequent_ = false;
  std::vector<double> infrequent_numbers_;
  std::vector<std::string> infrequent_strings_;
  bool infrequent_missing_ = false;
};

// Python's repr of a float (shortest round trip, ".0" on whole numbers).
std::string PythonFloat(double x);

}  // namespace strata::ml
