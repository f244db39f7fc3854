#include "text/text_map_steps.h"

#include "text/sentencepiece_tokenizer.h"
#include "text/text_stats.h"

namespace strata::text {

namespace {

using data::Block;
using data::Column;
using data::Type;


class RewriteStep : public data::Step {
 public:
  RewriteStep(std::string column, std::string output, Rewrite rewrite)
      : column_(std::move(column)), output_(std::move(output)), rewrite_(std::move(rewrite)) {}
  bool row_local() const override { return true; }
  Status Apply(Block* block) override {
    STRATA_ASSIGN_OR_RETURN(const Column* text, TextColumn(*block, column_));
    Column out = Column::OfType(Type::kString);
    // In place, the new column is started only at the first changed text.
    bool building = output_ != column_;
    std::string changed;
    for (int64_t i = 0; i < block->num_rows; ++i) {
      if (text->IsNull(i)) {
        if (building) out.AppendNull();
        continue;
      }
      const bool changes = rewrite_(text->Str(i), &changed, &counters_);
      if (changes && !building) {
        building = true;
        for (int64_t k = 0; k < i; ++k) out.AppendFrom(*text, k);
      }
      if (!building) continue;
      if (changes) {
        out.AppendString(changed);
      } else {
        out.AppendFrom(*text, i);
      }
    }
    if (building) PutColumn(block, output_, std::move(out));
    return OkStatus();
  }
  std::map<std::string, int64_t> Counters() const override { return counters_; }

 private:
  std::string column_, output_;
  Rewrite rewrite_;
  std::map<std::string, int64_t> counters_;
};

class StatsStep : public data::Step {
 public:
  StatsStep(std::string column, std::string prefix) : column_(std::move(column)), prefix_(std::move(prefix)) {}
  bool row_local() const override { return true; }
  Status Apply(Block* block) override {
    STRATA_ASSIGN_OR_RETURN(const Column* text, TextColumn(*block, column_));
    Column chars = Column::OfType(Type::kInt64), words = Column::OfType(Type::kInt64),
           lines = Column::OfType(Type::kInt64), mean = Column::OfType(Type::kDouble),
           non_alpha = Column::OfType(Type::kDouble);
    for (int64_t i = 0; i < block->num_rows; ++i) {
      const TextStats s = StatsOf(text->IsNull(i) ? std::string_view() : text->Str(i));
      chars.AppendInt(s.chars);
      words.AppendInt(s.words);
      lines.AppendInt(s.lines);
      mean.AppendDouble(s.mean_word_length);
      non_alpha.AppendDouble(s.non_alpha_ratio);
    }
    PutColumn(block, prefix_ + "chars", std::move(chars));
    PutColumn(block, prefix_ + "words", std::move(words));
    PutColumn(block, prefix_ + "lines", std::move(lines));
    PutColumn(block, prefix_ + "mean_word_length", std::move(mean));
    PutColumn(block, prefix_ + "non_alpha_ratio", std::move(non_alpha));
    return OkStatus();
  }

 private:
  std::string column_, prefix_;
};

class TokenizeStep : public data::Step {
 public:
  TokenizeStep(std::string column, std::shared_ptr<const SubwordModel> model, std::string ids, std::string count)
      : column_(std::move(column)), model_(std::move(model)), ids_(std::move(ids)), count_(std::move(count)) {}
  bool row_local() const override { return true; }
  Status Apply(Block* block) override {
    STRATA_ASSIGN_OR_RETURN(const Column* text, TextColumn(*block, column_));
    Column ids = Column::ListOf(Type::kInt64);
    Column counts = Column::OfType(Type::kInt64);
    std::vector<int> out;
    for (int64_t i = 0; i < block->num_rows; ++i) {
      if (text->IsNull(i)) {
        ids.AppendNull();
        counts.AppendNull();
        continue;
      }
      out.clear();
      if (Status s = model_->Encode(text->Str(i), &out); !s.ok()) {
        return InvalidArgument("row " + std::to_string(i) + ": " + s.message());
      }
      for (int id : out) ids.Values().AppendInt(id);
      ids.EndList();
      counts.AppendInt(static_cast<int64_t>(out.size()));
      tokens_ += static_cast<int64_t>(out.size());
    }
    if (!ids_.empty()) PutColumn(block, ids_, std::move(ids));
    if (!count_.empty()) PutColumn(block, count_, std::move(counts));
    return OkStatus();
  }
  std::map<std::string, int64_t> Counters() const override { return {{"tokens", tokens_}}; }

 private:
  std::string column_;
  std::shared_ptr<const SubwordModel> model_;
  std::string ids_, count_;
  int64_t tokens_ = 0;
};

}  // namespace

std::unique_ptr<data::Step> MakeTokenize(std::string column, std::shared_ptr<const SubwordModel> model,
                                         std::string ids_column, std::string count_column) {
  return std::make_unique<TokenizeStep>(std::move(column), std::move(model), std::move(ids_column),
                                        std::move(count_column));
}


Verdicts::Verdicts(bool explain, std::map<std::string, int64_t>* counters)
    : explain_(explain),
      counters_(counters),
      keep_(Column::OfType(Type::kBool)),
      dropped_(Column::OfType(Type::kBool)),
      reason_(Column::OfType(Type::kString)) {}

void Verdicts::Add(const std::string& why) {
  keep_.AppendBool(why.empty() || explain_);
  dropped_.AppendBool(!why.empty());
  if (why.empty()) {
    reason_.AppendNull();
    return;
  }
  reason_.AppendString(why);
  ++(*counters_)[why];
}

void Verdicts::Keep(const Column& earlier_reason, int64_t row) {
  keep_.AppendBool(true);
  dropped_.AppendBool(true);
  reason_.AppendFrom(earlier_reason, row);
}

void Verdicts::Apply(Block* block) {
  if (explain_) {
    PutColumn(block, "dropped", std::move(dropped_));
    PutColumn(block, "reason", std::move(reason_));
    return;
  }
  block->Keep(keep_);
}

Result<const Column*> TextColumn(const Block& block, const std::string& column) {
  const Column* c = block.Get(column);
  if (c == nullptr) {
    std::string names;
    for (const std::string& n : block.names) names += (names.empty() ? "" : ", ") + n;
    return InvalidArgument("no column '" + column + "' (columns: " + names + "); set `column:`");
  }
  if (c->type != Type::kString && c->type != Type::kNull) {
    return InvalidArgument("column '" + column + "' is " + data::TypeName(c->type) + ", not text");
  }
  return c;
}

std::unique_ptr<data::Step> MakeTextRewrite(std::string column, std::string output, Rewrite rewrite) {
  return std::make_unique<RewriteStep>(std::move(column), std::move(output), std::move(rewrite));
}

std::unique_ptr<data::Step> MakeTextStats(std::string column, std::string prefix) {
  return std::make_unique<StatsStep>(std::move(column), std::move(prefix));
}

}  // namespace strata::text
