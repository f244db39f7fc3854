// The ML steps of the data layer's registry:
//   - every preprocessor by its name, and `chain: {steps: [...]}`: fitted on
//     everything before it, then applied to it (plan stage `multipass`).
//     `fit: {save: PATH}` writes the fitted state as a readable JSON file.
//   - `transform: {load: PATH}`: a saved fit applied to other data (row-local,
//     fused into the map tasks; the file is read once, on the driver, and its
//     state travels with the step to every task).
// Fitting: each pass is one task per part — the part goes through the steps
// fitted so far, then adds to the partial aggregates of the steps being
// fitted; the driver merges the partials (small: moments, value counts,
// bucket counts) and the steps decide whether they need another pass.
#include <nlohmann/json.hpp>
#include <strata/strata.h>

#include "data/exec/multi_pass.h"
#include "data/exec/stage_part.h"
#include "data/ops/operators.h"
#include "data/ops/steps.h"
#include "ml/chain.h"

namespace strata::ml {

namespace {

using Refs = std::vector<strata::ObjectRef<Block>>;
using ojson = nlohmann::ordered_json;

struct FitRound {
  std::vector<FitPartial> partials;  // one per step of the group
  int64_t rows = 0;
  std::string error;
  STRATA_STRUCT(partials, rows, error);
};

FitRound FitTask(std::string snapshot, int64_t first, int64_t end, Block block) {
  FitRound r;
  Chain chain;
  Status s = Chain::FromSaved(json::parse(snapshot), &chain);
  if (s.ok()) s = chain.Transform(&block, static_cast<size_t>(first));
  r.rows = block.num_rows;
  r.partials.resize(static_cast<size_t>(end - first));
  for (int64_t k = first; s.ok() && k < end; ++k) {
    const Preprocessor& step = chain.at(static_cast<size_t>(k));
    if (!step.fitted()) s = step.Accumulate(block, &r.partials[static_cast<size_t>(k - first)]);
  }
  r.error = s.message();
  return r;
}
STRATA_REMOTE(FitTask);

data::PartResult TransformTask(std::string snapshot, int64_t part, Block block, data::MultiPassTail tail) {
  data::PartResult r;
  Chain chain;
  Status s = Chain::FromSaved(json::parse(snapshot), &chain);
  if (s.ok()) s = chain.Transform(&block, chain.size());
  if (!s.ok()) {
    r.error = s.message();
    return r;
  }
  std::vector<std::unique_ptr<data::Step>> after;
  if (Status s = data::MakeSteps(tail.after, &after); !s.ok()) {
    r.error = s.message();
    return r;
  }
  data::FinishPart(std::move(block), after, tail.after, data::StepCall(), tail.write, part, &r);
  return r;
}
STRATA_REMOTE(TransformTask);

// The chain a step names: `chain`'s steps, or the one preprocessor.
Status ChainOf(const std::string& op, const json& params, Chain* chain) {
  if (op == "chain") return Chain::FromSteps(params.value("steps", json()), chain);
  json p = params;
  p.erase("fit");
  return Chain::FromSteps(json::array({json{{op, p}}}), chain);
}

// fit: {save: PATH}; "" when not saving.
Status SavePath(const json& params, std::string* path) {
  path->clear();
  if (!params.contains("fit")) return OkStatus();
  const json& fit = params["fit"];
  if (!fit.is_object() || (fit.size() > 0 && (!fit.contains("save") || fit.size() != 1)) ||
      (fit.contains("save") && !fit["save"].is_string())) {
    return InvalidArgument("fit: takes {save: PATH}");
  }
  *path = fit.value("save", std::string());
  return OkStatus();
}

Status RunFit(const data::StepCall& call, const Refs& parts, int, const data::MultiPassTail& tail,
              data::MultiPassOutcome* outcome) {
  std::string error;
  const json params = json::parse(call.params);
  Chain chain;
  std::string save;
  Status made = ChainOf(call.op, params, &chain);
  if (made.ok()) made = SavePath(params, &save);
  if (!made.ok()) {
    return InvalidArgument(made.message());
  }
  int64_t passes = 0, rows = 0;
  for (auto group = chain.NextGroup(); group.first < chain.size(); group = chain.NextGroup()) {
    for (int round = 0; !chain.fitted() && chain.NextGroup() == group; ++round) {
      if (round >= 64) {
        return InvalidArgument("the fit did not finish in 64 passes");
      }
      const std::string snapshot = chain.Save().dump();
      std::vector<strata::ObjectRef<FitRound>> pending;
      for (const auto& part : parts) {
        pending.push_back(strata::Task(FitTask).Remote(snapshot, static_cast<int64_t>(group.first),
                                                       static_cast<int64_t>(group.second), part));
      }
      std::vector<FitPartial> merged(group.second - group.first);
      rows = 0;
      for (const FitRound& r : strata::Get(pending)) {
        if (!r.error.empty()) {
          return InvalidArgument(r.error);
        }
        rows += r.rows;
        for (size_t k = 0; k < r.partials.size() && k < merged.size(); ++k) merged[k].Merge(r.partials[k]);
      }
      ++passes;
      for (size_t k = group.first; k < group.second; ++k) {
        if (chain.at(k).fitted()) continue;
        if (Status s = chain.at(k).EndRound(merged[k - group.first]); !s.ok()) {
          return InvalidArgument(s.message());
        }
      }
    }
  }
  if (Status s = save.empty() ? OkStatus() : chain.SaveFile(save, rows); !s.ok()) {
    return InvalidArgument(s.message());
  }
  const std::string snapshot = chain.Save().dump();
  std::vector<strata::ObjectRef<data::PartResult>> pending;
  for (size_t i = 0; i < parts.size(); ++i) {
    pending.push_back(strata::Task(TransformTask).Remote(snapshot, static_cast<int64_t>(i), parts[i], tail));
  }
  STRATA_RETURN_IF_ERROR(data::CollectParts(strata::Get(pending), tail, outcome));
  outcome->counters["fit_passes"] = passes;
  return OkStatus();
}

class FitStep : public data::Step {
 public:
  bool multi_pass() const override { return true; }
  Status Finish(Block*) override { return InternalError("a fit runs as its own stage, not on one block"); }
};

// A saved fit applied block by block.
class TransformStep : public data::Step {
 public:
  // `loaded`: made from a file (whose contents the tasks get instead).
  TransformStep(Chain chain, json state, bool loaded)
      : chain_(std::move(chain)), state_(std::move(state)), loaded_(loaded) {}
  bool row_local() const override { return true; }
  Status Apply(Block* b) override { return chain_.Transform(b, chain_.size()); }
  std::optional<ojson> ShippedParams() const override {
    if (!loaded_) return std::nullopt;
    return ojson{{"state", ojson::parse(state_.dump())}};
  }

 private:
  Chain chain_;
  json state_;
  bool loaded_;
};

void AddMlSteps(std::map<std::string, data::StepInfo>* r) {
  auto make_fit = [](const std::string& op) {
    return [op](const ojson& p) -> Result<std::unique_ptr<data::Step>> {
      const json params = json::parse(p.dump());
      Chain chain;
      std::string save;
      STRATA_RETURN_IF_ERROR(ChainOf(op, params, &chain));
      STRATA_RETURN_IF_ERROR(SavePath(params, &save));
      return std::make_unique<FitStep>();
    };
  };
  for (const auto& [kind, info] : Preprocessors()) {
    data::StepInfo& s = (*r)[kind];
    s.params = {"columns", "output_columns", "fit"};
    s.params.insert(info.params.begin(), info.params.end());
    s.make = make_fit(kind);
    data::MultiPassRunners()[kind] = RunFit;
  }
  (*r)["chain"].params = {"steps", "fit"};
  (*r)["chain"].required = {"steps"};
  (*r)["chain"].make = make_fit("chain");
  data::MultiPassRunners()["chain"] = RunFit;

  (*r)["transform"].params = {"load", "state"};
  (*r)["transform"].make = [](const ojson& p) -> Result<std::unique_ptr<data::Step>> {
    Chain chain;
    json state;
    if (p.contains("state")) {
      state = json::parse(p["state"].dump());
      STRATA_RETURN_IF_ERROR(Chain::FromSaved(state, &chain));
    } else if (p.contains("load") && p["load"].is_string()) {
      STRATA_RETURN_IF_ERROR(Chain::FromFile(p["load"].get<std::string>(), &chain));
      state = chain.Save();
    } else {
      return InvalidArgument("transform: needs load: PATH (a fit file written by fit: {save: PATH})");
    }
    const bool loaded = !p.contains("state");
    return std::make_unique<TransformStep>(std::move(chain), std::move(state), loaded);
  };
}

}  // namespace

const data::StepLibrary kMlSteps(AddMlSteps);

}  // namespace strata::ml
