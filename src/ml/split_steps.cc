// Splits: each row gets the name of its split in a column (default
// `split`); `write: {partition_by: split}` then writes one output per split.
//   random_split: {fractions: {train: 0.8, validation: 0.1, test: 0.1},
//                  seed: 0, group_by: [user_id]}
// A row's split is a function of its values (or of its `group_by` columns:
// every row of a group in one split) and the seed, hashed with xxh3: the
// same on every run, whatever the cluster's size or the data's order; the
// shares come out as the fractions up to sampling noise (a binomial:
// ±sqrt(f(1-f)/n)). Rows with equal values (or keys) share a split.
//   train_test_split: {test_size: 0.25, seed: 0, stratify_by: label}
// The same without stratify_by; with it, every class gets exactly
// round(test_size × its rows) test rows: its rows with the smallest hashes
// (rows with equal values hash alike and may tip a class over by their
// copies).
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>
#include <strata/strata.h>
#include <xxhash.h>

#include "data/exec/multi_pass.h"
#include "data/exec/stage_part.h"
#include "data/ops/operators.h"
#include "data/ops/row_keys.h"
#include "data/ops/steps.h"
#include "ml/preprocessor.h"

namespace strata::ml {

namespace {

using ojson = nlohmann::ordered_json;
using data::Type;

struct SplitSpec {
  std::vector<std::string> names;
  std::vector<double> bounds;  // cumulative fractions
  uint64_t seed = 0;
  std::vector<std::string> key;  // empty: every column
  std::string column = "split";
  STRATA_STRUCT(names, bounds, seed, key, column);
};

// The row hashes of `b`, as doubles in [0, 1) (53 bits).
Status RowHashes(const Block& b, const SplitSpec& spec, std::vector<double>* out) {
  std::vector<const data::Column*> cols;
  if (spec.key.empty()) {
    for (const data::Column& c : b.columns) cols.push_back(&c);
  } else {
    STRATA_ASSIGN_OR_RETURN(cols, data::Resolve(b, spec.key, "group_by"));
  }
  out->resize(static_cast<size_t>(b.num_rows));
  std::string key;
  for (int64_t r = 0; r < b.num_rows; ++r) {
    key.clear();
    data::KeyOf(cols, r, &key);
    const uint64_t h = XXH3_64bits_withSeed(key.data(), key.size(), spec.seed);
    (*out)[static_cast<size_t>(r)] = static_cast<double>(h >> 11) * 0x1.0p-53;
  }
  return OkStatus();
}

class RandomSplitStep : public data::Step {
 public:
  explicit RandomSplitStep(SplitSpec spec) : spec_(std::move(spec)) {}
  bool row_local() const override { return true; }
  Status Apply(Block* b) override {
    std::vector<double> u;
    STRATA_RETURN_IF_ERROR(RowHashes(*b, spec_, &u));
    Column out = Column::OfType(Type::kString);
    for (double x : u) {
      size_t k = 0;
      while (k + 1 < spec_.bounds.size() && x >= spec_.bounds[k]) ++k;
      out.AppendString(spec_.names[k]);
    }
    PutColumn(b, spec_.column, std::move(out));
    return OkStatus();
  }

 private:
  SplitSpec spec_;
};

std::vector<std::string> Names(const ojson& v) {
  return v.is_string() ? std::vector<std::string>{v.get<std::string>()} : v.get<std::vector<std::string>>();
}

Status ReadFractions(const ojson& p, SplitSpec* spec) {
  const ojson& f = p["fractions"];
  if (!f.is_object() || f.empty()) {
    return InvalidArgument("random_split: fractions: a mapping of split name to fraction ({train: 0.8, test: 0.2})");
  }
  double sum = 0;
  for (auto it = f.begin(); it != f.end(); ++it) {
    const double x = it.value().get<double>();
    if (!(x > 0) || !std::isfinite(x)) {
      return InvalidArgument("random_split: the fraction of " + it.key() + " must be above 0");
    }
    sum += x;
    spec->names.push_back(it.key());
    spec->bounds.push_back(sum);
  }
  if (std::fabs(sum - 1) > 1e-9) {
    return InvalidArgument("random_split: the fractions add up to " + std::to_string(sum) + ", not 1");
  }
  spec->bounds.back() = 1.0;
  return OkStatus();
}

void ReadCommon(const ojson& p, SplitSpec* spec) {
  spec->seed = p.value("seed", uint64_t{0});
  spec->column = p.value("column", std::string("split"));
  if (p.contains("group_by")) spec->key = Names(p["group_by"]);
}

// train_test_split with stratify_by: a pass counting each class, a pass
// finding each class's hash threshold, a pass assigning.
struct StrataCount {
  std::map<std::string, int64_t> rows;                    // pass 1: rows per class
  std::map<std::string, int64_t> below;                   // pass 2: hashes under the window
  std::map<std::string, std::vector<double>> candidates;  // pass 2: hashes in the window
  std::string error;
  STRATA_STRUCT(rows, below, candidates, error);
};

struct StratifySpec {
  SplitSpec split;
  std::string by;
  // Pass 2: per class, the window [low, high) of hashes sent back whole;
  // then the hash at or under which a row of the class is a test row.
  std::map<std::string, double> low, high, threshold;
  STRATA_STRUCT(split, by, low, high, threshold);
};

// Each row's class (its stratify_by value as text) and its hash.
Status ClassesAndHashes(const Block& b, const StratifySpec& s, std::vector<std::string>* keys,
                        std::vector<double>* hashes) {
  STRATA_ASSIGN_OR_RETURN(const std::vector<const data::Column*> cols, data::Resolve(b, {s.by}, "stratify_by"));
  keys->resize(static_cast<size_t>(b.num_rows));
  for (int64_t r = 0; r < b.num_rows; ++r) (*keys)[static_cast<size_t>(r)] = data::JsonValue(*cols[0], r);
  return RowHashes(b, s.split, hashes);
}

StrataCount CountTask(StratifySpec s, bool window, Block b) {
  StrataCount out;
  std::vector<std::string> keys;
  std::vector<double> u;
  if (Status read = ClassesAndHashes(b, s, &keys, &u); !read.ok()) {
    out.error = read.message();
    return out;
  }
  for (size_t r = 0; r < keys.size(); ++r) {
    if (!window) {
      ++out.rows[keys[r]];
    } else if (u[r] < s.low[keys[r]]) {
      ++out.below[keys[r]];
    } else if (u[r] < s.high[keys[r]]) {
      out.candidates[keys[r]].push_back(u[r]);
    }
  }
  return out;
}
STRATA_REMOTE(CountTask);

data::PartResult AssignTask(StratifySpec s, int64_t part, Block b, data::MultiPassTail tail) {
  data::PartResult r;
  std::vector<std::string> keys;
  std::vector<double> u;
  if (Status read = ClassesAndHashes(b, s, &keys, &u); !read.ok()) {
    r.error = read.message();
    return r;
  }
  Column out = Column::OfType(Type::kString);
  for (size_t i = 0; i < keys.size(); ++i) out.AppendString(u[i] <= s.threshold[keys[i]] ? "test" : "train");
  PutColumn(&b, s.split.column, std::move(out));
  std::vector<std::unique_ptr<data::Step>> after;
  if (Status s = data::MakeSteps(tail.after, &after); !s.ok()) {
    r.error = s.message();
    return r;
  }
  data::FinishPart(std::move(b), after, tail.after, data::StepCall(), tail.write, part, &r);
  return r;
}
STRATA_REMOTE(AssignTask);

Status CountPass(const StratifySpec& s, bool window, const std::vector<strata::ObjectRef<Block>>& parts,
                 StrataCount* total) {
  std::vector<strata::ObjectRef<StrataCount>> pending;
  for (const auto& part : parts) pending.push_back(strata::Task(CountTask).Remote(s, window, part));
  *total = StrataCount();
  for (StrataCount& c : strata::Get(pending)) {
    if (!c.error.empty()) return InvalidArgument("train_test_split: " + c.error);
    for (const auto& [k, n] : c.rows) total->rows[k] += n;
    for (const auto& [k, n] : c.below) total->below[k] += n;
    for (auto& [k, v] : c.candidates) {
      total->candidates[k].insert(total->candidates[k].end(), v.begin(), v.end());
    }
  }
  return OkStatus();
}

Status RunStratified(const data::StepCall& call, const std::vector<strata::ObjectRef<Block>>& parts, int,
                     const data::MultiPassTail& tail, data::MultiPassOutcome* outcome) {
  const ojson p = ojson::parse(call.params);
  StratifySpec s;
  ReadCommon(p, &s.split);
  s.by = p["stratify_by"].get<std::string>();
  const double test_size = p.value("test_size", 0.25);
  StrataCount counts;
  STRATA_RETURN_IF_ERROR(CountPass(s, false, parts, &counts));
  int64_t passes = 1;
  // Hashes are uniform: the k-th smallest of n lies within a few standard
  // deviations of k/n, so only a narrow window of hashes comes back; a
  // window that misses (almost never) is widened and the pass run again.
  std::map<std::string, int64_t> want;
  for (const auto& [k, n] : counts.rows) {
    want[k] = static_cast<int64_t>(std::floor(test_size * static_cast<double>(n) + 0.5));
  }
  for (double widen = 1;; widen *= 16) {
    for (const auto& [k, n] : counts.rows) {
      const double q = static_cast<double>(want[k]) / static_cast<double>(n);
      const double width = widen * (8 * std::sqrt(q * (1 - q) / static_cast<double>(n)) + 64.0 / static_cast<double>(n));
      s.low[k] = q - width;
      s.high[k] = q + width >= 1 ? 2.0 : q + width;
    }
    StrataCount window;
    STRATA_RETURN_IF_ERROR(CountPass(s, true, parts, &window));
    ++passes;
    bool missed = false;
    for (const auto& [k, n] : counts.rows) {
      std::vector<double>& v = window.candidates[k];
      std::sort(v.begin(), v.end());
      const int64_t need = want[k] - window.below[k];  // test rows taken from the window
      if (want[k] == 0) {
        s.threshold[k] = -1;
      } else if (need >= 1 && need <= static_cast<int64_t>(v.size())) {
        s.threshold[k] = v[static_cast<size_t>(need - 1)];
      } else {
        missed = true;
      }
    }
    if (!missed) break;
    if (widen > 1e6) {
      return InvalidArgument("train_test_split: could not place the test rows' threshold");
    }
  }
  std::vector<strata::ObjectRef<data::PartResult>> pending;
  for (size_t i = 0; i < parts.size(); ++i) {
    pending.push_back(strata::Task(AssignTask).Remote(s, static_cast<int64_t>(i), parts[i], tail));
  }
  if (Status s = data::CollectParts(strata::Get(pending), tail, outcome); !s.ok()) {
    return s.WithContext("train_test_split: ");
  }
  outcome->counters["split_passes"] = passes + 1;
  return OkStatus();
}

class StratifiedSplitStep : public data::Step {
 public:
  bool multi_pass() const override { return true; }
  Status Finish(Block*) override { return InternalError("train_test_split with stratify_by runs as its own stage"); }
};

void AddSplitSteps(std::map<std::string, data::StepInfo>* r) {
  (*r)["random_split"].params = {"fractions", "seed", "group_by", "column"};
  (*r)["random_split"].required = {"fractions"};
  (*r)["random_split"].make = [](const ojson& p) -> Result<std::unique_ptr<data::Step>> {
    SplitSpec spec;
    STRATA_RETURN_IF_ERROR(ReadFractions(p, &spec));
    ReadCommon(p, &spec);
    return std::make_unique<RandomSplitStep>(std::move(spec));
  };
  (*r)["train_test_split"].params = {"test_size", "seed", "group_by", "stratify_by", "column"};
  (*r)["train_test_split"].make = [](const ojson& p) -> Result<std::unique_ptr<data::Step>> {
    const double test = p.value("test_size", 0.25);
    if (!(test > 0 && test < 1)) {
      return InvalidArgument("train_test_split: test_size must be between 0 and 1");
    }
    if (p.contains("stratify_by")) {
      if (p.contains("group_by")) {
        return InvalidArgument("train_test_split: stratify_by and group_by do not go together (yet)");
      }
      return std::make_unique<StratifiedSplitStep>();
    }
    SplitSpec spec;
    spec.names = {"train", "test"};
    spec.bounds = {1 - test, 1.0};
    ReadCommon(p, &spec);
    return std::make_unique<RandomSplitStep>(std::move(spec));
  };
  data::MultiPassRunners()["train_test_split"] = RunStratified;
}

}  // namespace

const data::StepLibrary kSplitSteps(AddSplitSteps);

}  // namespace strata::ml
