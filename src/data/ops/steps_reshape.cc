// Steps that reshape rows: map (a registered C++ row function), flat_map
// (one row per piece of a split column or value of a list),
// map_batches (a registered C++ batch function, or a batch class on a pool
// of actors), repartition and random_shuffle.
#include <algorithm>
#include <map>
#include <random>

#include <strata/data.h>
#include <strata/data_row.h>

#include "data/ops/operators.h"
#include "data/ops/steps.h"
#include "data/ops/text_split.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

std::map<std::string, BatchFunction>& BatchFunctions() {
  static std::map<std::string, BatchFunction> functions;
  return functions;
}

std::map<std::string, RowFunction>& RowFunctions() {
  static std::map<std::string, RowFunction> functions;
  return functions;
}

std::map<std::string, BatchProcessorFactory>& BatchClasses() {
  static std::map<std::string, BatchProcessorFactory> classes;
  return classes;
}

std::string Known(const auto& registry) {
  std::string known;
  for (const auto& [n, f] : registry) known += (known.empty() ? "" : ", ") + n;
  return known.empty() ? "none" : known;
}

class FlatMapStep : public Step {
 public:
  FlatMapStep(std::string column, std::string separator, std::string as)
      : column_(std::move(column)), separator_(std::move(separator)), as_(std::move(as)) {}
  bool row_local() const override { return true; }
  Status Apply(Block* b) override {
    const Column* c = b->Get(column_);
    if (c == nullptr || c->type == Type::kNull) {
      if (c == nullptr) {
        return InvalidArgument("no column '" + column_ + "'");
      }
    } else if (c->type == Type::kList) {
      // One row per value of the list; empty and null lists give none.
      std::vector<int64_t> rows, values;
      for (int64_t r = 0; r < b->num_rows; ++r) {
        if (c->IsNull(r)) continue;
        for (int32_t k = c->offsets[r]; k < c->offsets[r + 1]; ++k) rows.push_back(r), values.push_back(k);
      }
      Column pieces = Gather(c->Values(), values);
      Block out = b->Take(rows);
      out.Add(as_.empty() ? column_ : as_, std::move(pieces));
      *b = std::move(out);
      return OkStatus();
    } else if (c->type != Type::kString) {
      return InvalidArgument("column '" + column_ + "' is " + TypeName(c->type) +
                             "; flat_map splits text or takes lists apart");
    } else if (separator_.empty()) {
      return InvalidArgument("column '" + column_ + "' is text: say where to split it (split: \",\")");
    }
    std::vector<int64_t> rows;  // each piece's source row
    Column pieces = Column::OfType(Type::kString);
    for (int64_t r = 0; r < b->num_rows; ++r) {
      if (c->IsNull(r)) continue;
      ForEachPiece(c->Str(r), separator_, [&](std::string_view piece) {
        rows.push_back(r);
        pieces.AppendString(piece);
      });
    }
    Block out = b->Take(rows);
    out.Add(as_.empty() ? column_ : as_, std::move(pieces));
    *b = std::move(out);
    return OkStatus();
  }

 private:
  std::string column_, separator_, as_;
};

class MapBatchesStep : public Step {
 public:
  MapBatchesStep(std::string name, BatchFunction fn) : name_(std::move(name)), fn_(fn) {}
  // A batch class on a pool of actors: made once per actor (on its first
  // batch), kept for the rest.
  MapBatchesStep(std::string name, BatchProcessorFactory make, int actors)
      : name_(std::move(name)), make_(make), actors_(actors) {}
  bool row_local() const override { return actors_ == 0; }
  int actor_pool() const override { return actors_; }
  Status Apply(Block* b) override {
    std::string error;
    if (make_ != nullptr && processor_ == nullptr) processor_ = make_();
    if (processor_ != nullptr ? !processor_->Process(*b, &error) : !fn_(*b, &error)) {
      if (error.empty()) error = name_ + " failed";
      return InvalidArgument(error);
    }
    for (size_t i = 0; i < b->columns.size(); ++i) {
      if (b->columns[i].length != b->num_rows && b->columns[i].type != Type::kNull) {
        return InvalidArgument(name_ + " returned column '" + b->names[i] + "' with " +
                               std::to_string(b->columns[i].length) + " values for " +
                               std::to_string(b->num_rows) + " rows");
      }
    }
    return OkStatus();
  }

 private:
  std::string name_;
  BatchFunction fn_ = nullptr;
  BatchProcessorFactory make_ = nullptr;
  int actors_ = 0;
  std::unique_ptr<BatchProcessor> processor_;
};

// map: a registered row function on every row; the columns it sets are
// added (or replaced), rows it skips are dropped.
class MapStep : public Step {
 public:
  MapStep(std::string name, RowFunction fn) : name_(std::move(name)), fn_(fn) {}
  bool row_local() const override { return true; }
  Status Apply(Block* b) override {
    RowWriter w;
    std::vector<int64_t> kept;
    std::map<std::string, Column> set;  // aligned with `kept`
    for (int64_t r = 0; r < b->num_rows; ++r) {
      w.Clear();
      fn_(RowView(*b, r), w);
      if (w.skipped()) continue;
      const int64_t out_row = static_cast<int64_t>(kept.size());
      kept.push_back(r);
      for (const auto& [name, v] : w.values()) {
        Column& c = set[name];
        if (!Fit(&c, v.type)) {
          return InvalidArgument(name_ + " set column '" + name + "' to " + TypeName(v.type) +
                                 " after " + TypeName(c.type));
        }
        while (c.length < out_row) c.AppendNull();
        if (v.type == Type::kNull) c.AppendNull();
        else if (c.type == Type::kDouble) c.AppendDouble(v.type == Type::kInt64 ? static_cast<double>(v.i) : v.d);
        else if (c.type == Type::kInt64) c.AppendInt(v.i);
        else if (c.type == Type::kBool) c.AppendBool(v.b);
        else c.AppendString(v.s);
      }
    }
    Block out = static_cast<int64_t>(kept.size()) == b->num_rows ? std::move(*b) : b->Take(kept);
    for (auto& [name, c] : set) {
      while (c.length < out.num_rows) c.AppendNull();
      out.Add(name, std::move(c));
    }
    *b = std::move(out);
    return OkStatus();
  }

 private:
  // Makes `c` able to take a value of type `t`: a column so far all null
  // takes the type; integers widen to doubles. False when they do not mix.
  static bool Fit(Column* c, Type t) {
    if (t == Type::kNull || c->type == t) return true;
    const bool numbers = (c->type == Type::kInt64 || c->type == Type::kDouble) &&
                         (t == Type::kInt64 || t == Type::kDouble);
    if (c->type != Type::kNull && !numbers) return false;
    if (c->type == Type::kDouble) return true;  // an int goes in as a double
    Column typed = Column::OfType(c->type == Type::kNull ? t : Type::kDouble);
    for (int64_t i = 0; i < c->length; ++i) {
      if (c->IsNull(i)) typed.AppendNull();
      else typed.AppendDouble(static_cast<double>(c->i64[static_cast<size_t>(i)]));
    }
    *c = std::move(typed);
    return true;
  }
  std::string name_;
  RowFunction fn_;
};

class RepartitionStep : public Step {
 public:
  explicit RepartitionStep(int64_t parts) : parts_(parts) {}
  Status Finish(Block*) override { return OkStatus(); }  // the writer cuts
  int64_t output_parts() const override { return parts_; }

 private:
  int64_t parts_;
};

class RandomShuffleStep : public Step {
 public:
  explicit RandomShuffleStep(uint64_t seed) : seed_(seed) {}
  // Shuffled across the cluster: rows go to random parts, each part is
  // shuffled on its own.
  std::vector<std::string> shuffle_keys() const override { return {"#random", std::to_string(seed_)}; }
  Status Finish(Block* all) override {
    std::vector<int64_t> rows(static_cast<size_t>(all->num_rows));
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
    std::mt19937_64 rng(seed_);
    std::shuffle(rows.begin(), rows.end(), rng);
    *all = all->Take(rows);
    return OkStatus();
  }

 private:
  uint64_t seed_;
};

}  // namespace

bool RegisterBatchFunction(const std::string& name, BatchFunction fn) {
  BatchFunctions()[name] = fn;
  return true;
}

bool RegisterRowFunction(const std::string& name, RowFunction fn) {
  RowFunctions()[name] = fn;
  return true;
}

bool RegisterBatchClass(const std::string& name, BatchProcessorFactory make) {
  BatchClasses()[name] = make;
  return true;
}

void AddReshapeSteps(std::map<std::string, StepInfo>* r) {
  (*r)["flat_map"] = StepInfo{{"column", "split", "as"}, {"column"},
                              [](const json& p) -> Result<std::unique_ptr<Step>> {
    return std::make_unique<FlatMapStep>(p["column"].get<std::string>(), p.value("split", ""), p.value("as", ""));
  }};
  (*r)["map_batches"] = StepInfo{{"value", "fn", "class", "actors"}, {}, [](const json& p) -> Result<std::unique_ptr<Step>> {
    if (p.contains("class")) {
      const std::string name = p["class"].get<std::string>();
      const int actors = p.value("actors", 1);
      auto it = BatchClasses().find(name);
      if (it == BatchClasses().end()) {
        return InvalidArgument("no batch class '" + name + "' in this program (registered: " + Known(BatchClasses()) +
                               "; STRATA_BATCH_CLASS registers one)");
      }
      if (actors < 1) {
        return InvalidArgument("actors must be 1 or more");
      }
      return std::make_unique<MapBatchesStep>(name, it->second, actors);
    }
    if (p.contains("actors")) {
      return InvalidArgument("actors go with a batch class (class: NAME); a batch function (fn) runs in the tasks");
    }
    const std::string name = p.contains("fn") ? p["fn"].get<std::string>() : p.value("value", "");
    auto it = BatchFunctions().find(name);
    if (it == BatchFunctions().end()) {
      return InvalidArgument("no batch function '" + name + "' in this program (registered: " + Known(BatchFunctions()) +
                             "; STRATA_BATCH_FUNCTION registers one)");
    }
    return std::make_unique<MapBatchesStep>(name, it->second);
  }};
  (*r)["map"] = StepInfo{{"value", "fn"}, {}, [](const json& p) -> Result<std::unique_ptr<Step>> {
    const std::string name = p.contains("fn") ? p["fn"].get<std::string>() : p.value("value", "");
    auto it = RowFunctions().find(name);
    if (it == RowFunctions().end()) {
      return InvalidArgument("no row function '" + name + "' in this program (registered: " + Known(RowFunctions()) +
                             "; STRATA_ROW_FUNCTION registers one)");
    }
    return std::make_unique<MapStep>(name, it->second);
  }};
  (*r)["repartition"] = StepInfo{{"value", "parts"}, {}, [](const json& p) -> Result<std::unique_ptr<Step>> {
    const json& v = p.contains("parts") ? p["parts"] : p.value("value", json());
    if (!v.is_number_integer() || v.get<int64_t>() < 1) {
      return InvalidArgument("repartition takes a number of parts (1 or more)");
    }
    return std::make_unique<RepartitionStep>(v.get<int64_t>());
  }};
  (*r)["random_shuffle"] = StepInfo{{"value", "seed"}, {}, [](const json& p) -> Result<std::unique_ptr<Step>> {
    const json& v = p.contains("seed") ? p["seed"] : p.value("value", json());
    if (!v.is_null() && !v.is_number_unsigned()) {
      return InvalidArgument("random_shuffle's seed must be a whole number ≥ 0");
    }
    return std::make_unique<RandomShuffleStep>(v.is_null() ? std::random_device{}() : v.get<uint64_t>());
  }};
}

}  // namespace strata::data
