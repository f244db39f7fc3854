// Dedup steps: exact_dedup, simplify_text (its normalized key), and
// minhash_signature (MinHash signatures as a list column, to write and
// read back; minhash_dedup itself is not built yet).
//
// exact_dedup: one document per distinct value of a column (the text, or a
// key such as simplify_text's), across the cluster: rows are hash-shuffled
// by the column, and each part keeps, of each value, the row with the
// highest `priority` (a numeric column; absent: all equal), ties to the first
// in input order (datatrove's rule; a part sees its rows in input order).
// `index:` (a source, read like a join's right side and shuffled the same
// way) holds values already kept elsewhere: documents with those are
// dropped too. `explain: true` keeps every row with `dropped`/`reason`
// (`duplicate`, `in_index`).
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "data/format/source.h"
#include "data/ops/operators.h"  // GroupBy, complete, for Step
#include "data/ops/steps.h"
#include "text/minhash.h"
#include "text/simplify.h"
#include "text/text_map_steps.h"

namespace strata::text {

namespace {

using data::Block;
using data::Column;
using data::Type;
using json = nlohmann::ordered_json;

class ExactDedupStep : public data::Step {
 public:
  ExactDedupStep(std::string column, std::string priority, json index, bool explain)
      : column_(std::move(column)), priority_(std::move(priority)), index_(std::move(index)), explain_(explain) {}

  std::vector<std::string> shuffle_keys() const override { return {column_}; }
  const json* side_input() const override { return index_.is_null() ? nullptr : &index_; }
  std::vector<std::string> side_shuffle_keys() const override { return {column_}; }
  void SetSideInput(Block index) override { index_rows_ = std::move(index); }

  Status Finish(Block* all) override {
    if (all->num_rows == 0) return OkStatus();
    STRATA_ASSIGN_OR_RETURN(const Column* key, TextColumn(*all, column_));
    const Column* priority = nullptr;
    if (!priority_.empty()) {
      priority = all->Get(priority_);
      if (priority == nullptr || (priority->type != Type::kInt64 && priority->type != Type::kDouble &&
                                  priority->type != Type::kNull)) {
        return InvalidArgument("priority column '" + priority_ + "' is missing or not a number");
      }
    }
    std::unordered_set<std::string_view> indexed;
    if (!index_.is_null() && index_rows_.num_rows > 0) {
      const Column* ik = index_rows_.Get(column_);
      if (ik == nullptr || ik->type != Type::kString) {
        return InvalidArgument("the index has no text column '" + column_ + "'");
      }
      for (int64_t i = 0; i < index_rows_.num_rows; ++i) {
        if (!ik->IsNull(i)) indexed.insert(ik->Str(i));
      }
    }
    // The keeper of each value: highest priority, then first seen.
    std::unordered_map<std::string_view, int64_t> keeper;
    auto rank = [&](int64_t i) { return priority == nullptr || priority->IsNull(i) ? 0.0 : priority->AsDouble(i); };
    for (int64_t i = 0; i < all->num_rows; ++i) {
      if (key->IsNull(i)) continue;  // no value: nothing to be a duplicate of
      auto [it, fresh] = keeper.try_emplace(key->Str(i), i);
      if (!fresh && rank(i) > rank(it->second)) it->second = i;
    }
    Verdicts verdicts(explain_, &counters_);
    for (int64_t i = 0; i < all->num_rows; ++i) {
      std::string why;
      if (!key->IsNull(i)) {
        const std::string_view v = key->Str(i);
        if (indexed.count(v) != 0) why = "in_index";
        else if (keeper.at(v) != i) why = "duplicate";
      }
      verdicts.Add(why);
    }
    verdicts.Apply(all);
    return OkStatus();
  }
  std::map<std::string, int64_t> Counters() const override { return counters_; }

 private:
  std::string column_, priority_;
  json index_;
  bool explain_;
  Block index_rows_;
  std::map<std::string, int64_t> counters_;
};

class MinHashSignatureStep : public data::Step {
 public:
  MinHashSignatureStep(std::string column, std::string output, MinHashConfig config)
      : column_(std::move(column)), output_(std::move(output)), hasher_(config) {}
  bool row_local() const override { return true; }
  Status Apply(Block* block) override {
    STRATA_ASSIGN_OR_RETURN(const Column* text, TextColumn(*block, column_));
    Column sigs = Column::ListOf(Type::kInt64);
    for (int64_t i = 0; i < block->num_rows; ++i) {
      // Values are below 2^61: they fit an int64 column as they are.
      const std::vector<uint64_t> sig =
          text->IsNull(i) ? std::vector<uint64_t>() : hasher_.Signature(text->Str(i));
      if (sig.empty()) {
        sigs.AppendNull();  // too few words: no signature, as datatrove writes none
        ++no_signature_;
        continue;
      }
      for (uint64_t v : sig) sigs.Values().AppendInt(static_cast<int64_t>(v));
      sigs.EndList();
    }
    PutColumn(block, output_, std::move(sigs));
    return OkStatus();
  }
  std::map<std::string, int64_t> Counters() const override {
    if (no_signature_ == 0) return {};
    return {{"too_few_words", no_signature_}};
  }

 private:
  std::string column_, output_;
  MinHasher hasher_;
  int64_t no_signature_ = 0;
};

void AddDedupSteps(std::map<std::string, data::StepInfo>* r) {
  (*r)["minhash_signature"].params = {"column", "output", "n_grams", "num_buckets", "hashes_per_bucket", "seed"};
  (*r)["minhash_signature"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    MinHashConfig c;
    c.n_grams = p.value("n_grams", c.n_grams);
    c.num_buckets = p.value("num_buckets", c.num_buckets);
    c.hashes_per_bucket = p.value("hashes_per_bucket", c.hashes_per_bucket);
    c.seed = p.value("seed", c.seed);
    if (c.n_grams < 1 || c.num_buckets < 1 || c.hashes_per_bucket < 1) {
      return InvalidArgument("n_grams, num_buckets and hashes_per_bucket must be at least 1");
    }
    return std::make_unique<MinHashSignatureStep>(p.value("column", std::string("text")),
                                                  p.value("output", std::string("minhash")), c);
  };
  (*r)["exact_dedup"].params = {"column", "priority", "index", "explain"};
  (*r)["exact_dedup"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    json index;
    if (p.contains("index")) {
      index = p["index"].is_string() ? json{{"format", "jsonl"}, {"paths", {p["index"]}}} : p["index"];
      STRATA_RETURN_IF_ERROR(data::SourceFromJson(index, "exact_dedup index").status());
    }
    return std::make_unique<ExactDedupStep>(p.value("column", std::string("text")),
                                            p.value("priority", std::string()), index, p.value("explain", false));
  };
  (*r)["simplify_text"].params = {"column", "output"};
  (*r)["simplify_text"].make = [](const json& p) -> Result<std::unique_ptr<data::Step>> {
    const std::string column = p.value("column", std::string("text"));
    return MakeTextRewrite(column, p.value("output", std::string("text_key")),
                           [](std::string_view t, std::string* out, auto*) {
                             *out = SimplifyText(t);
                             return true;
                           });
  };
}

}  // namespace

const data::StepLibrary kDedupSteps(AddDedupSteps);

}  // namespace strata::text
