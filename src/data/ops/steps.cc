#include "data/ops/steps.h"

#include "data/expr/expr.h"
#include "data/ops/operators.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

// A one-row literal result applies to every row.
void Broadcast(Column* c, int64_t rows) {
  if (c->length == rows) return;
  const Column one = *c;
  *c = Column::OfType(one.type);
  for (int64_t i = 0; i < rows; ++i) c->AppendFrom(one, 0);
}

std::vector<std::string> Names(const json& j) {
  if (j.is_string()) return {j.get<std::string>()};
  return j.get<std::vector<std::string>>();
}

class FilterStep : public Step {
 public:
  explicit FilterStep(ExprPtr e) : e_(std::move(e)) {}
  bool row_local() const override { return true; }
  Status Apply(Block* b) override {
    Column mask;
    STRATA_RETURN_IF_ERROR(EvalExpr(*e_, *b, &mask));
    if (mask.type != Type::kBool && mask.type != Type::kNull) {
      return InvalidArgument(std::string("the filter is ") + TypeName(mask.type) + ", not true/false");
    }
    Broadcast(&mask, b->num_rows);
    *b = b->Filter(mask);
    return OkStatus();
  }

 private:
  ExprPtr e_;
};

class WithColumnStep : public Step {
 public:
  WithColumnStep(std::string name, ExprPtr e) : name_(std::move(name)), e_(std::move(e)) {}
  bool row_local() const override { return true; }
  Status Apply(Block* b) override {
    Column c;
    STRATA_RETURN_IF_ERROR(EvalExpr(*e_, *b, &c));
    Broadcast(&c, b->num_rows);
    b->Add(name_, std::move(c));
    return OkStatus();
  }

 private:
  std::string name_;
  ExprPtr e_;
};

class ProjectStep : public Step {
 public:
  enum Mode { kSelect, kDrop, kRename };
  ProjectStep(Mode m, std::vector<std::string> cols, std::map<std::string, std::string> renames)
      : mode_(m), cols_(std::move(cols)), renames_(std::move(renames)) {}
  bool row_local() const override { return true; }
  Status Apply(Block* b) override {
    auto need = [&](const std::string& n) {
      if (b->Find(n) >= 0) return OkStatus();
      std::string have;
      for (const std::string& s : b->names) have += (have.empty() ? "" : ", ") + s;
      return InvalidArgument("unknown column '" + n + "' (columns: " + have + ")");
    };
    if (mode_ == kRename) {
      for (const auto& [from, to] : renames_) {
        if (Status s = need(from); !s.ok()) return s;
        b->names[static_cast<size_t>(b->Find(from))] = to;
      }
      return OkStatus();
    }
    Block out;
    out.num_rows = b->num_rows;
    if (mode_ == kSelect) {
      for (const std::string& n : cols_) {
        if (Status s = need(n); !s.ok()) return s;
        out.Add(n, b->columns[static_cast<size_t>(b->Find(n))]);
      }
    } else {
      for (const std::string& n : cols_) {
        if (Status s = need(n); !s.ok()) return s;
      }
      for (size_t i = 0; i < b->names.size(); ++i) {
        if (std::find(cols_.begin(), cols_.end(), b->names[i]) == cols_.end()) {
          out.Add(b->names[i], b->columns[i]);
        }
      }
    }
    *b = std::move(out);
    return OkStatus();
  }

 private:
  Mode mode_;
  std::vector<std::string> cols_;
  std::map<std::string, std::string> renames_;
};

class LimitStep : public Step {
 public:
  explicit LimitStep(int64_t n) : n_(n) {}
  Status Finish(Block* all) override {
    if (all->num_rows <= n_) return OkStatus();
    std::vector<int64_t> rows(static_cast<size_t>(n_));
    for (int64_t i = 0; i < n_; ++i) rows[static_cast<size_t>(i)] = i;
    *all = all->Take(rows);
    return OkStatus();
  }

 private:
  int64_t n_;
};

class GroupByStep : public Step {
 public:
  GroupByStep(std::vector<std::string> by, std::vector<AggSpec> aggs)
      : by_(std::move(by)), aggs_(std::move(aggs)) {}
  std::unique_ptr<GroupBy> MakeGroupBy() const override {
    // Distinct counts need every value of a group in one place: no partials.
    for (const AggSpec& a : aggs_) {
      if (a.fn == "count_distinct") return nullptr;
    }
    return std::make_unique<GroupBy>(by_, aggs_);
  }
  std::vector<std::string> shuffle_keys() const override { return by_; }  // none: one global group
  Status Finish(Block* all) override {
    GroupBy g(by_, aggs_);
    STRATA_RETURN_IF_ERROR(g.Add(*all));
    *all = g.Result();
    return OkStatus();
  }

 private:
  std::vector<std::string> by_;
  std::vector<AggSpec> aggs_;
};

class SortStep : public Step {
 public:
  SortStep(std::vector<std::string> by, std::vector<bool> desc) : by_(std::move(by)), desc_(std::move(desc)) {}
  bool sort_keys(std::vector<std::string>* by, std::vector<bool>* desc) const override {
    *by = by_;
    *desc = desc_;
    return true;
  }
  Status Finish(Block* all) override {
    Block out;
    STRATA_RETURN_IF_ERROR(SortBlock(*all, by_, desc_, &out));
    *all = std::move(out);
    return OkStatus();
  }

 private:
  std::vector<std::string> by_;
  std::vector<bool> desc_;
};

class JoinStep : public Step {
 public:
  JoinStep(json right, std::vector<std::string> lk, std::vector<std::string> rk, std::string how,
           std::string strategy)
      : right_spec_(std::move(right)), lk_(std::move(lk)), rk_(std::move(rk)), how_(std::move(how)),
        strategy_(std::move(strategy)) {}
  const json* side_input() const override { return &right_spec_; }
  void SetSideInput(Block right) override { right_ = std::move(right); }
  // Broadcast: each task joins its block with the whole (small) right side —
  // not for right and full joins, whose unmatched right rows would come
  // from every task.
  bool broadcastable() const override { return how_ != "right" && how_ != "full" && strategy_ != "shuffle"; }
  bool always_broadcast() const override { return strategy_ == "broadcast"; }
  std::vector<std::string> shuffle_keys() const override { return lk_; }
  std::vector<std::string> side_shuffle_keys() const override { return rk_; }
  Status Apply(Block* b) override { return Finish(b); }
  Status Finish(Block* all) override {
    Block out;
    STRATA_RETURN_IF_ERROR(HashJoin(*all, right_, lk_, rk_, how_, &out));
    *all = std::move(out);
    return OkStatus();
  }

 private:
  json right_spec_;
  std::vector<std::string> lk_, rk_;
  std::string how_;
  std::string strategy_;  // auto (broadcast when the right side is small), broadcast, shuffle
  Block right_;
};

class DedupStep : public Step {
 public:
  explicit DedupStep(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  std::vector<std::string> shuffle_keys() const override {
    return columns_.empty() ? std::vector<std::string>{"*"} : columns_;
  }
  Status Finish(Block* all) override {
    Block out;
    STRATA_RETURN_IF_ERROR(Dedup(*all, columns_, &out));
    *all = std::move(out);
    return OkStatus();
  }

 private:
  std::vector<std::string> columns_;
};

// The rows of another source after these (columns matched by name; a column
// the other source lacks is null there).
class UnionStep : public Step {
 public:
  explicit UnionStep(json source) : source_(std::move(source)) {}
  const json* side_input() const override { return &source_; }
  void SetSideInput(Block other) override { other_ = std::move(other); }
  Status Finish(Block* all) override {
    all->Append(other_);
    return OkStatus();
  }

 private:
  json source_;
  Block other_;
};

template <class F>
StepInfo Info(std::set<std::string> params, std::set<std::string> required, F make) {
  return StepInfo{std::move(params), std::move(required), make};
}

Result<ExprPtr> ExprParam(const json& p, const std::string& what) {
  if (!p.is_string()) return InvalidArgument(what + " must be an expression in quotes");
  const std::string text = p.get<std::string>();
  auto e = ParseExpr(text);
  if (!e.ok()) return e.status().WithContext(what + " '" + text + "': ");
  return e;
}

}  // namespace

std::map<std::string, StepInfo>& StepRegistry() {
  static std::map<std::string, StepInfo> registry = [] {
    std::map<std::string, StepInfo> r;
    // A step given as a bare value ("filter: expr") arrives as {"value": ...}.
    r["filter"] = Info({"value", "expr"}, {}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      const json expr = p.contains("expr") ? p["expr"] : p.value("value", json());
      STRATA_ASSIGN_OR_RETURN(ExprPtr x, ExprParam(expr, "the filter"));
      return std::make_unique<FilterStep>(x);
    });
    r["with_column"] = Info({"name", "expr"}, {"name", "expr"}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      STRATA_ASSIGN_OR_RETURN(ExprPtr x, ExprParam(p["expr"], "expr"));
      return std::make_unique<WithColumnStep>(p["name"].get<std::string>(), x);
    });
    r["select"] = Info({"value", "columns"}, {}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      return std::make_unique<ProjectStep>(ProjectStep::kSelect, Names(p.contains("columns") ? p["columns"] : p["value"]),
                                           std::map<std::string, std::string>{});
    });
    r["drop"] = Info({"value", "columns"}, {}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      return std::make_unique<ProjectStep>(ProjectStep::kDrop, Names(p.contains("columns") ? p["columns"] : p["value"]),
                                           std::map<std::string, std::string>{});
    });
    r["rename"] = Info({"value"}, {"value"}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      if (!p["value"].is_object()) {
        return InvalidArgument("rename takes a mapping {old: new}");
      }
      return std::make_unique<ProjectStep>(ProjectStep::kRename, std::vector<std::string>{},
                                           p["value"].get<std::map<std::string, std::string>>());
    });
    r["limit"] = Info({"value"}, {"value"}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      const json& v = p["value"];
      if (!v.is_number_integer() || v.get<int64_t>() < 0) {
        return InvalidArgument("limit takes a whole number of rows");
      }
      return std::make_unique<LimitStep>(v.get<int64_t>());
    });
    r["groupby"] = Info({"by", "agg"}, {"agg"}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      std::vector<std::string> by = p.contains("by") ? Names(p["by"]) : std::vector<std::string>{};
      if (!p["agg"].is_object() || p["agg"].empty()) {
        return InvalidArgument("agg must map output names to aggregations, e.g. {trips: \"count()\"}");
      }
      std::vector<AggSpec> aggs;
      for (auto it = p["agg"].begin(); it != p["agg"].end(); ++it) {
        AggSpec a;
        if (!it.value().is_string()) {
          return InvalidArgument("agg '" + it.key() + "' must be a string such as \"sum(x)\"");
        }
        STRATA_RETURN_IF_ERROR(ParseAgg(it.key(), it.value().get<std::string>(), &a));
        aggs.push_back(a);
      }
      return std::make_unique<GroupByStep>(by, aggs);
    });
    r["dedup"] = Info({"value", "columns"}, {}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      const json& c = p.contains("columns") ? p["columns"] : p.value("value", json::array());
      return std::make_unique<DedupStep>(c.is_null() ? std::vector<std::string>{} : Names(c));
    });
    r["union"] = Info({"format", "paths", "header", "on_bad_record", "schema", "n", "items"}, {"format"},
                      [](const json& p) -> Result<std::unique_ptr<Step>> {
      return std::make_unique<UnionStep>(p);
    });
    r["sort"] = Info({"by", "descending"}, {"by"}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      std::vector<std::string> by = Names(p["by"]);
      std::vector<bool> desc(by.size(), false);
      if (p.contains("descending")) {
        if (p["descending"].is_boolean()) desc.assign(by.size(), p["descending"].get<bool>());
        else desc = p["descending"].get<std::vector<bool>>();
      }
      desc.resize(by.size(), false);
      return std::make_unique<SortStep>(by, desc);
    });
    r["join"] = Info({"right", "on", "how", "strategy"}, {"right", "on"}, [](const json& p) -> Result<std::unique_ptr<Step>> {
      std::vector<std::string> lk, rk;
      const json& on = p["on"];
      if (on.is_string()) {
        lk = rk = {on.get<std::string>()};
      } else if (on.is_object()) {
        for (auto it = on.begin(); it != on.end(); ++it) {
          lk.push_back(it.key());
          rk.push_back(it.value().get<std::string>());
        }
      } else {
        return InvalidArgument("on must be a column name or a mapping {left_column: right_column}");
      }
      const std::string how = p.value("how", "inner");
      if (how != "inner" && how != "left" && how != "right" && how != "full" && how != "semi" && how != "anti") {
        return InvalidArgument("how must be inner, left, right, full, semi or anti, not '" + how + "'");
      }
      const std::string strategy = p.value("strategy", "auto");
      if (strategy != "auto" && strategy != "broadcast" && strategy != "shuffle") {
        return InvalidArgument("strategy must be auto, broadcast or shuffle, not '" + strategy + "'");
      }
      if (strategy == "broadcast" && (how == "right" || how == "full")) {
        return InvalidArgument("a " + how +
                               " join cannot be broadcast (every task would add the unmatched right rows)");
      }
      return std::make_unique<JoinStep>(p["right"], lk, rk, how, strategy);
    });
    AddReshapeSteps(&r);
    return r;
  }();
  return registry;
}

Result<std::unique_ptr<Step>> MakeStep(const std::string& name, const json& params) {
  auto& reg = StepRegistry();
  auto it = reg.find(name);
  if (it == reg.end()) {
    std::string known;
    for (const auto& [n, info] : reg) known += (known.empty() ? "" : ", ") + n;
    return InvalidArgument("unknown operator '" + name + "' (known: " + known + ")");
  }
  for (auto p = params.begin(); p != params.end(); ++p) {
    if (it->second.params.count(p.key()) == 0) {
      std::string known;
      for (const std::string& k : it->second.params) {
        if (k != "value") known += (known.empty() ? "" : ", ") + k;
      }
      return InvalidArgument(name + ": unknown parameter '" + p.key() + "' (known: " + known + ")");
    }
  }
  for (const std::string& r : it->second.required) {
    if (!params.contains(r)) {
      return InvalidArgument(name + (r == "value" ? " needs a value" : ": missing parameter '" + r + "'"));
    }
  }
  try {
    return it->second.make(params);
  } catch (const json::exception& e) {
    return InvalidArgument(name + ": a parameter has the wrong type (" + e.what() + ")");
  }
}

StepCall CallOf(const std::string& op, const json& params) { return StepCall{op, params.dump()}; }

std::string StepContext(size_t index, const std::string& op) {
  return "step " + std::to_string(index + 1) + " (" + op + "): ";
}

Result<std::unique_ptr<Step>> MakeStep(const StepCall& call) {
  const json params = json::parse(call.params, nullptr, /*allow_exceptions=*/false);
  if (params.is_discarded()) return InvalidArgument(call.op + ": its parameters are not JSON: " + call.params);
  return MakeStep(call.op, params);
}

Status MakeSteps(const std::vector<StepCall>& calls, std::vector<std::unique_ptr<Step>>* steps) {
  for (const StepCall& call : calls) {
    auto step = MakeStep(call);
    if (!step.ok()) return step.status().WithContext("step " + call.op + ": ");
    steps->push_back(std::move(step).value());
  }
  return OkStatus();
}

}  // namespace strata::data
