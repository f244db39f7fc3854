#include "data/plan/physical_plan.h"

#include <algorithm>
#include <cstdlib>

#include "data/ops/operators.h"
#include "data/format/source.h"

namespace strata::data {

const char* StageKindName(StageKind kind) {
  switch (kind) {
    case StageKind::kMap: return "map";
    case StageKind::kActorPool: return "actors";
    case StageKind::kMultiPass: return "multipass";
    case StageKind::kShuffle: return "shuffle";
    case StageKind::kDriver: return "driver";
  }
  return "?";
}

const PlanStage* PhysicalPlan::Find(StageKind kind) const {
  for (const PlanStage& s : stages) {
    if (s.kind == kind) return &s;
  }
  return nullptr;
}

namespace {

// Where a stage's rows go when step `next` follows it: partitioned for it if
// it can run as a shuffle (and `may_shuffle`), else to the driver.
void RouteTo(const std::vector<std::unique_ptr<Step>>& steps, size_t next, const PlanInputs& in,
             bool may_shuffle, PlanStage* stage) {
  if (next >= steps.size()) {
    stage->output = in.collect ? StageOutput::kDriver : StageOutput::kWrite;
    return;
  }
  stage->partial_groupby = steps[next]->MakeGroupBy() != nullptr;
  if (!may_shuffle) return;
  if (std::vector<std::string> keys = steps[next]->shuffle_keys(); !keys.empty()) {
    stage->output = StageOutput::kHashParts;
    stage->keys = std::move(keys);
    stage->parts = in.shuffle_parts ? in.shuffle_parts() : 0;
  } else if (steps[next]->sort_keys(&stage->keys, &stage->descending)) {
    stage->output = StageOutput::kRangeParts;
    stage->parts = in.shuffle_parts ? in.shuffle_parts() : 0;
  }
}

bool PartitionsForNext(const PlanStage& s) {
  return s.output == StageOutput::kHashParts || s.output == StageOutput::kRangeParts;
}

}  // namespace

Result<PhysicalPlan> PlanPipeline(const PipelineSpec& spec, const std::vector<std::unique_ptr<Step>>& steps,
                                  const PlanInputs& in) {
  PhysicalPlan plan;
  const size_t n = steps.size();
  // The map stage: row-local steps, and joins whose right side is small
  // enough to send to every task.
  PlanStage map;
  map.kind = StageKind::kMap;
  size_t local = 0;
  for (; local < n; ++local) {
    const auto* side = steps[local]->side_input();
    if (side != nullptr) {
      if (!steps[local]->broadcastable()) break;
      Result<SourceSpec> right = SourceFromJson(*side, "join right");
      if (!right.ok()) return right.status();
      if (!steps[local]->always_broadcast() && SourceBytes(*right) > in.broadcast_join_bytes) break;
      map.broadcast.push_back(local);
    } else if (!steps[local]->row_local()) {
      break;
    }
    map.steps.push_back(local);
  }
  RouteTo(steps, local, in, in.shuffle, &map);
  if (local < n && steps[local]->actor_pool() > 0) {
    map.output = StageOutput::kActorPool;
    map.partial_groupby = false;
  }
  if (local < n && steps[local]->multi_pass()) map.output = StageOutput::kWholeParts;
  plan.stages.push_back(map);
  size_t next = local;
  if (map.output == StageOutput::kWholeParts) {
    PlanStage multi;
    multi.kind = StageKind::kMultiPass;
    multi.steps.push_back(local);
    // Its last tasks also run the row-local steps after it, and write when
    // nothing else follows.
    for (next = local + 1; next < n && steps[next]->row_local(); ++next) multi.steps.push_back(next);
    const bool last = next == n && !in.collect;
    bool sets_parts = false;
    for (const auto& step : steps) sets_parts |= step->output_parts() > 0;
    multi.output = last && !sets_parts ? StageOutput::kWrite : StageOutput::kDriver;
    multi.parts = in.shuffle_parts ? in.shuffle_parts() : 0;
    plan.stages.push_back(multi);
  } else if (map.output == StageOutput::kActorPool) {
    PlanStage pool;
    pool.kind = StageKind::kActorPool;
    pool.actors = steps[local]->actor_pool();
    pool.steps.push_back(local);
    for (next = local + 1; next < n && steps[next]->row_local(); ++next) pool.steps.push_back(next);
    // The pool's rows go to the driver or are written; a group-by after it
    // runs partially in the actors.
    RouteTo(steps, next, in, /*may_shuffle=*/false, &pool);
    plan.stages.push_back(pool);
  } else if (PartitionsForNext(map)) {
    // Shuffles follow one another while the next global step can shuffle too.
    bool merges = map.partial_groupby;
    while (true) {
      PlanStage shuffle;
      shuffle.kind = StageKind::kShuffle;
      shuffle.merges_partials = merges;
      shuffle.steps.push_back(next);
      for (++next; next < n && steps[next]->row_local(); ++next) shuffle.steps.push_back(next);
      RouteTo(steps, next, in, /*may_shuffle=*/true, &shuffle);
      merges = shuffle.partial_groupby;
      plan.stages.push_back(shuffle);
      if (!PartitionsForNext(shuffle)) break;
    }
  }
  const PlanStage& last = plan.stages.back();
  if (last.output == StageOutput::kWrite) return plan;
  // What is left runs on the driver; a group-by whose partials came back
  // merges them first.
  PlanStage driver;
  driver.kind = StageKind::kDriver;
  driver.merges_partials = last.partial_groupby;
  for (size_t i = next; i < n; ++i) driver.steps.push_back(i);
  driver.output = in.collect ? StageOutput::kCollect : StageOutput::kWrite;
  for (const auto& step : steps) {
    if (step->output_parts() > 0) driver.write_parts = step->output_parts();
  }
  plan.stages.push_back(driver);
  return plan;
}

namespace {

std::string StepList(const PipelineSpec& spec, const PlanStage& s) {
  std::string out;
  for (size_t i : s.steps) {
    out += "    step " + std::to_string(i + 1) + " " + spec.steps[i].first + " " +
           spec.steps[i].second.dump() + "\n";
  }
  return out;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string PartsText(int parts) {
  return parts > 0 ? std::to_string(parts) + " parts" : "one part per CPU of the cluster";
}

std::string OutputText(const PipelineSpec& spec, const PlanStage& s) {
  switch (s.output) {
    case StageOutput::kWrite: return "each task writes its part to " + spec.write.path + " (" + spec.write.format + ")";
    case StageOutput::kDriver: return "rows return to the driver";
    case StageOutput::kCollect: return "rows are the result (collected)";
    case StageOutput::kActorPool: return "blocks go to the actor pool";
    case StageOutput::kWholeParts: return "blocks go whole to the multi-pass stage";
    case StageOutput::kHashParts:
      return "SHUFFLE: hash-partitioned by [" + Joined(s.keys) + "] into " + PartsText(s.parts);
    case StageOutput::kRangeParts:
      return "SHUFFLE: range-partitioned by [" + Joined(s.keys) + "] (sampled bounds) into " + PartsText(s.parts);
  }
  return "?";
}

std::string SourceText(const SourceSpec& read) {
  if (read.format == "range") return "range(" + std::to_string(read.n) + ")";
  if (read.format == "items") return "inline items";
  return read.format + " " + Joined(read.paths);
}

}  // namespace

std::string ExplainPlan(const PipelineSpec& spec, const PhysicalPlan& plan) {
  std::string out = "Plan for " + spec.file + ": " + std::to_string(plan.stages.size()) + " stage(s)\n";
  for (size_t k = 0; k < plan.stages.size(); ++k) {
    const PlanStage& s = plan.stages[k];
    out += "\nstage " + std::to_string(k + 1) + ": " + StageKindName(s.kind);
    switch (s.kind) {
      case StageKind::kMap:
        out += " — one task per input range of " + SourceText(spec.read) + " (on_bad_record: " +
               BadRecordPolicyName(spec.read.on_bad_record) + ")\n";
        break;
      case StageKind::kActorPool:
        out += " — a pool of " + std::to_string(s.actors) + " actors\n";
        break;
      case StageKind::kShuffle:
        out += " — one reduce task per part\n";
        break;
      case StageKind::kMultiPass:
        out += " — signature tasks per part, bands shuffled into " +
               (s.parts > 0 ? std::to_string(s.parts) : std::string("one per CPU")) +
               " parts, connected components in rounds of tasks, a filter task per part\n";
        break;
      case StageKind::kDriver:
        out += " — on the driver\n";
        break;
    }
    if (s.merges_partials) out += "    merges the group-by partials of the stage before\n";
    out += StepList(spec, s);
    for (size_t b : s.broadcast) {
      out += "    (step " + std::to_string(b + 1) + "'s right side is read first and sent to every task)\n";
    }
    if (s.partial_groupby) out += "    then a partial group-by (the next stage's group-by, per task)\n";
    if (s.kind == StageKind::kDriver && s.output == StageOutput::kWrite) {
      out += "    -> writes " + spec.write.path + " (" + spec.write.format + ") in " +
             std::to_string(s.write_parts) + " part(s)\n";
    } else {
      out += "    -> " + OutputText(spec, s) + "\n";
    }
  }
  return out;
}

Result<std::string> ExplainPipeline(const PipelineSpec& spec) {
  std::vector<std::unique_ptr<Step>> steps;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    auto step = MakeStep(spec.steps[i].first, spec.steps[i].second);
    if (!step.ok()) {
      return step.status().WithContext(StepContext(i, spec.steps[i].first));
    }
    steps.push_back(std::move(step).value());
  }
  PlanInputs in;
  in.shuffle_parts = [] {
    const char* env = std::getenv("STRATA_SHUFFLE_PARTS");
    return env != nullptr ? std::max(0, std::atoi(env)) : 0;
  };
  STRATA_ASSIGN_OR_RETURN(const PhysicalPlan plan, PlanPipeline(spec, steps, in));
  return ExplainPlan(spec, plan);
}

}  // namespace strata::data
