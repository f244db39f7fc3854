// One shape for every document filter of the text library: read a text
// column, judge each row (a reason to drop it, or none), drop — or with
// `explain: true` keep every row and write `dropped` (bool) and `reason`
// (the rule's name, null when kept). A row an earlier explaining filter
// already dropped is not judged again. Each filter counts its drops per
// reason (Step::Counters), which the run summary adds up across the
// cluster.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/ops/steps.h"

namespace strata::text {

// What a judge may say besides its verdict.
struct JudgeOutput {
  std::string rewritten;  // the kept document's new text (c4_quality) ...
  bool changed = false;   // ... when this is set
  std::string label;      // a label and a score for every row (language_filter)
  double score = 0;
};
// Judges one document: "" keeps it, else the reason.
using Judge = std::function<std::string(std::string_view text, JudgeOutput* out)>;

// `label_column`/`score_column` set: every row gets the judge's label and
// score there (dropped rows too, when explaining).
struct FilterColumns {
  std::string label_column;
  std::string score_column;
};

std::unique_ptr<data::Step> MakeTextFilter(std::string name, const nlohmann::ordered_json& params,
                                           Judge judge, FilterColumns columns = FilterColumns());

// The parameters every text filter takes besides its own.
inline const char* const kTextFilterParams[] = {"column", "explain"};

}  // namespace strata::text
