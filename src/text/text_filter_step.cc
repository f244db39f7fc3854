#include "text/text_filter_step.h"

#include "text/text_map_steps.h"

namespace strata::text {

namespace {

using data::Block;
using data::Column;
using data::Type;

class TextFilterStep : public data::Step {
 public:
  TextFilterStep(std::string name, std::string column, bool explain, Judge judge, FilterColumns columns)
      : name_(std::move(name)),
        column_(std::move(column)),
        explain_(explain),
        judge_(std::move(judge)),
        columns_(std::move(columns)) {}

  bool row_local() const override { return true; }

  Status Apply(Block* block) override {
    if (auto checked = TextColumn(*block, column_); !checked.ok()) return checked.status();
    const int at = block->Find(column_);
    const Column& text = block->columns[static_cast<size_t>(at)];
    const int dropped_at = explain_ ? block->Find("dropped") : -1;
    const int reason_at = explain_ ? block->Find("reason") : -1;
    Verdicts verdicts(explain_, &counters_);
    // Filled only once a judge rewrites a document (c4_quality): most
    // filters keep every text as it is, and copying it would cost more
    // than judging it.
    Column rewritten = Column::OfType(Type::kString);
    Column labels = Column::OfType(Type::kString);
    Column scores = Column::OfType(Type::kDouble);
    const bool annotate = !columns_.label_column.empty();
    bool any_rewrite = false;
    for (int64_t i = 0; i < block->num_rows; ++i) {
      const bool before = dropped_at >= 0 && !block->columns[dropped_at].IsNull(i) &&
                          block->columns[dropped_at].b[static_cast<size_t>(i)] != 0;
      if (before) {  // an earlier filter's verdict stands
        verdicts.Keep(block->columns[static_cast<size_t>(reason_at)], i);
        if (any_rewrite) rewritten.AppendFrom(text, i);
        if (annotate) {
          labels.AppendNull();
          scores.AppendNull();
        }
        continue;
      }
      const std::string_view doc = text.IsNull(i) ? std::string_view() : text.Str(i);
      JudgeOutput out;
      const std::string why = judge_(doc, &out);
      if (annotate) {
        labels.AppendString(out.label);
        scores.AppendDouble(out.score);
      }
      verdicts.Add(why);
      if (out.changed && !any_rewrite) {  // the rows before it, as they were
        any_rewrite = true;
        for (int64_t k = 0; k < i; ++k) rewritten.AppendFrom(text, k);
      }
      if (out.changed) {
        rewritten.AppendString(out.rewritten);
      } else if (any_rewrite) {
        rewritten.AppendFrom(text, i);
      }
    }
    if (any_rewrite) block->columns[static_cast<size_t>(at)] = std::move(rewritten);
    if (annotate) {
      PutColumn(block, columns_.label_column, std::move(labels));
      PutColumn(block, columns_.score_column, std::move(scores));
    }
    verdicts.Apply(block);
    return OkStatus();
  }

  std::map<std::string, int64_t> Counters() const override { return counters_; }

 private:
  std::string name_, column_;
  bool explain_;
  Judge judge_;
  FilterColumns columns_;
  std::map<std::string, int64_t> counters_;
};

}  // namespace

std::unique_ptr<data::Step> MakeTextFilter(std::string name, const nlohmann::ordered_json& params,
                                           Judge judge, FilterColumns columns) {
  const auto column = params.value("column", std::string("text"));
  const bool explain = params.value("explain", false);
  return std::make_unique<TextFilterStep>(std::move(name), column, explain, std::move(judge), std::move(columns));
}

}  // namespace strata::text
