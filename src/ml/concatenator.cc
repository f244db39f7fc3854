// concatenator: numeric columns into one fixed-size list column (Ray's
// Concatenator; the model's feature vector). `columns:` may hold shell
// patterns (`city_*`: every one-hot column of city, in the data's order);
// the columns concatenated are removed. A null becomes NaN.
#include <fnmatch.h>

#include <cmath>

#include "ml/preprocessor.h"

namespace strata::ml {

namespace {

using data::Type;

class Concatenator : public Preprocessor {
 public:
  bool needs_fit() const override { return false; }
  Status Configure(const json& p) override {
    output_ = p.value("output_column_name", std::string("concat_out"));
    if (!outputs_.empty()) {
      return InvalidArgument("writes one column: name it with output_column_name");
    }
    return OkStatus();
  }
  bool Writes(const std::string& name) const override { return name == output_; }
  Status Accumulate(const Block&, FitPartial*) const override { return OkStatus(); }
  Status EndRound(const FitPartial&) override { return OkStatus(); }

  Status Transform(Block* b) const override {
    std::vector<size_t> picked;
    for (const std::string& pattern : columns_) {
      const bool glob = pattern.find_first_of("*?[") != std::string::npos;
      size_t matched = 0;
      for (size_t k = 0; k < b->names.size(); ++k) {
        const bool match = glob ? fnmatch(pattern.c_str(), b->names[k].c_str(), 0) == 0 : b->names[k] == pattern;
        if (!match || std::find(picked.begin(), picked.end(), k) != picked.end()) continue;
        const Column& c = b->columns[k];
        if (c.type != Type::kInt64 && c.type != Type::kDouble && c.type != Type::kBool && c.type != Type::kNull) {
          return InvalidArgument(Fail("column '" + b->names[k] + "' is " + data::TypeName(c.type) + ", not numeric"));
        }
        picked.push_back(k);
        ++matched;
      }
      if (matched == 0) STRATA_RETURN_IF_ERROR(Need(*b, pattern).status());
    }
    Column list = Column::ListOf(Type::kDouble);
    Column& values = list.Values();
    const size_t width = picked.size();
    values.f64.resize(static_cast<size_t>(b->num_rows) * width);
    values.length = b->num_rows * static_cast<int64_t>(width);
    for (size_t j = 0; j < width; ++j) {
      const Column& c = b->columns[picked[j]];
      for (int64_t r = 0; r < b->num_rows; ++r) {
        values.f64[static_cast<size_t>(r) * width + j] = c.IsNull(r) ? NAN : c.AsDouble(r);
      }
    }
    list.offsets.resize(static_cast<size_t>(b->num_rows) + 1);
    for (int64_t r = 0; r <= b->num_rows; ++r) list.offsets[static_cast<size_t>(r)] = static_cast<int32_t>(r * static_cast<int64_t>(width));
    list.length = b->num_rows;
    // Drop the inputs, last first so the positions hold.
    std::sort(picked.rbegin(), picked.rend());
    for (size_t k : picked) {
      b->names.erase(b->names.begin() + static_cast<std::ptrdiff_t>(k));
      b->columns.erase(b->columns.begin() + static_cast<std::ptrdiff_t>(k));
    }
    PutColumn(b, output_, std::move(list));
    return OkStatus();
  }

 private:
  std::string output_ = "concat_out";
};



}  // namespace

void AddConcatenator(std::map<std::string, PreprocessorInfo>& r) {
  r["concatenator"] =
      PreprocessorInfo{{"output_column_name"}, true, [] { return std::make_unique<Concatenator>(); }};
}

}  // namespace strata::ml
