// Steps that compute from a text column instead of judging it: a rewrite of
// the text (normalize_text) into `output` (default: the column itself), and
// columns of numbers (text_stats). Null text stays null.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <memory>
#include <string>
#include <string_view>

#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/ops/steps.h"

namespace strata::text {

// The new text into *out and true, or false if the text stays as it is (the
// step then keeps it without a copy; a column rewritten in place and left
// as it was is not touched at all). `counters` (may be added to) become the
// step's Counters in the summary.
using Rewrite =
    std::function<bool(std::string_view text, std::string* out, std::map<std::string, int64_t>* counters)>;

std::unique_ptr<data::Step> MakeTextRewrite(std::string column, std::string output, Rewrite rewrite);
std::unique_ptr<data::Step> MakeTextStats(std::string column, std::string prefix);
class SubwordModel;
// Token ids into `ids_column` (a list of int64; "" for none) and their count
// into `count_column` ("" for none).
std::unique_ptr<data::Step> MakeTokenize(std::string column, std::shared_ptr<const SubwordModel> model,
                                         std::string ids_column, std::string count_column);

using data::PutColumn;

// A filter's verdicts over a block, row by row: kept (""), or dropped for a
// reason. Applied: the dropped rows go — or, explaining, every row stays
// with `dropped` (bool) and `reason` (null when kept) columns. Counts drops
// per reason into `counters`.
class Verdicts {
 public:
  Verdicts(bool explain, std::map<std::string, int64_t>* counters);
  void Add(const std::string& why);
  // A row an earlier explaining filter dropped: its reason stands, uncounted.
  void Keep(const data::Column& earlier_reason, int64_t row);
  void Apply(data::Block* block);

 private:
  bool explain_;
  std::map<std::string, int64_t>* counters_;
  data::Column keep_, dropped_, reason_;
};

// Finds a text column; an error naming the step and what the block has.
Result<const data::Column*> TextColumn(const data::Block& block, const std::string& column);

}  // namespace strata::text
