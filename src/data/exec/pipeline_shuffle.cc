#include "data/exec/pipeline_shuffle.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "client/cluster_status.h"
#include "data/ops/operators.h"
#include "data/exec/stage_part.h"
#include "data/ops/steps.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

struct ReduceTask {
  StepCall step;
  bool merge_partials = false;
  std::vector<StepCall> after;
  StepCall partial_groupby;
  WriteSpec write;
  int64_t part_index = 0;
  NextPartition next;
  STRATA_STRUCT(step, merge_partials, after, partial_groupby, write, part_index, next);
};

using ReduceResult = PartResult;

ReduceResult RunReduceTask(const ReduceTask& t, const std::vector<strata::ObjectRef<Block>>& parts,
                           const std::vector<strata::ObjectRef<Block>>& side) {
  ReduceResult r;
  try {
    auto made = MakeStep(t.step);
    if (!made.ok()) {
      r.error = made.status().message();
      return r;
    }
    const std::unique_ptr<Step>& step = *made;
    Block all;
    if (t.merge_partials) {
      if (parts.empty()) return r;  // nothing reached this part
      auto g = step->MakeGroupBy();
      for (const Block& b : strata::Get(parts)) {
        if (Status s = g->AddPartial(b); !s.ok()) {
          r.error = s.message();
          return r;
        }
      }
      all = g->Result();
    } else {
      for (const Block& b : strata::Get(parts)) all.Append(b);
      if (all.names.empty() && step->side_input() == nullptr) return r;  // nothing reached this part
      if (step->side_input() != nullptr) {
        Block right;
        for (const Block& b : strata::Get(side)) right.Append(b);
        step->SetSideInput(std::move(right));
      }
      if (Status s = step->Finish(&all); !s.ok()) {
        r.error = s.message();
        return r;
      }
      r.counters_out = step->Counters();  // a step made for this part alone
    }
    std::vector<std::unique_ptr<Step>> after;
    if (Status s = MakeSteps(t.after, &after); !s.ok()) {
      r.error = s.message();
      return r;
    }
    FinishPart(std::move(all), after, t.after, t.partial_groupby, t.write, t.part_index, &r, t.next);
  } catch (const std::exception& e) {
    r.error = std::string("shuffle part ") + std::to_string(t.part_index) + ": " + e.what();
  }
  return r;
}
STRATA_REMOTE(RunReduceTask);

struct SplitTask {
  std::vector<std::string> by;
  std::vector<bool> desc;
  Block bounds;
  STRATA_STRUCT(by, desc, bounds);
};

struct SplitResult {
  std::vector<strata::ObjectRef<Block>> parts;
  std::string error;
  STRATA_STRUCT(parts, error);
};

SplitResult SplitByRange(const SplitTask& t, const std::vector<strata::ObjectRef<Block>>& block) {
  SplitResult r;
  try {
    std::vector<Block> pieces;
    if (Status s = PartitionByRange(strata::Get(block.at(0)), t.by, t.desc, t.bounds, &pieces); !s.ok()) {
      r.error = s.message();
      return r;
    }
    for (Block& piece : pieces) r.parts.push_back(strata::Put(piece));
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}
STRATA_REMOTE(SplitByRange);

}  // namespace

Status RangePartition(const std::vector<std::string>& by, const std::vector<bool>& desc, int parts,
                      const std::vector<Block>& samples, const std::vector<strata::ObjectRef<Block>>& blocks,
                      PartRefs* out) {
  Block all_samples, sorted;
  for (const Block& s : samples) all_samples.Append(s);
  if (all_samples.num_rows == 0) {
    // Nothing to sort (every row filtered out, say): one part, as it is.
    out->assign(1, blocks);
    return OkStatus();
  }
  STRATA_RETURN_IF_ERROR(SortBlock(all_samples, by, desc, &sorted));
  // parts - 1 bounds at even quantiles of the sample (fewer if it is small).
  std::vector<int64_t> at;
  for (int i = 1; i < parts && sorted.num_rows > 0; ++i) {
    const int64_t row = sorted.num_rows * i / parts;
    if (at.empty() || row != at.back()) at.push_back(row);
  }
  SplitTask t{by, desc, sorted.Take(at)};
  std::vector<strata::ObjectRef<SplitResult>> pending;
  for (const auto& b : blocks) pending.push_back(strata::Task(SplitByRange).Remote(t, std::vector<strata::ObjectRef<Block>>{b}));
  out->assign(at.size() + 1, {});
  for (auto& ref : pending) {
    SplitResult r = strata::Get(ref);
    if (!r.error.empty()) return InvalidArgument(r.error);
    for (size_t p = 0; p < r.parts.size() && p < out->size(); ++p) (*out)[p].push_back(r.parts[p]);
  }
  return OkStatus();
}

Status RunShuffleChain(const PipelineSpec& spec, const std::vector<std::unique_ptr<Step>>& steps,
                       const std::vector<PlanStage>& stages, PartRefs parts, RunObserver* observer,
                       const SideReader& read_side, ChainResult* out) {
  for (const PlanStage& planned : stages) {
    // The step, the row-local steps after it, and what follows them.
    const size_t cur = planned.steps.front();
    const size_t next = planned.steps.back() + 1;
    ShuffleStage stage;
    stage.step = CallOf(spec.steps[cur].first, spec.steps[cur].second);
    stage.merge_partials = planned.merges_partials;
    stage.label = "step " + std::to_string(cur + 1) + " " + stage.step.op;
    stage.observer = observer;
    for (size_t k = 1; k < planned.steps.size(); ++k) {
      const auto& [op, params] = spec.steps[planned.steps[k]];
      stage.after.push_back(CallOf(op, params));
    }
    if (planned.partial_groupby) stage.partial_groupby = CallOf("groupby", spec.steps[next].second);
    const bool chain = planned.output == StageOutput::kHashParts || planned.output == StageOutput::kRangeParts;
    if (planned.output == StageOutput::kHashParts) {
      stage.next.hash_keys = planned.keys;
      stage.next.parts = planned.parts;
    } else if (planned.output == StageOutput::kRangeParts) {
      stage.next.sample_keys = planned.keys;
    } else if (planned.output == StageOutput::kWrite) {
      stage.write = spec.write;
    }
    PartRefs side;
    if (const auto* s = steps[cur]->side_input(); s != nullptr) {
      STRATA_RETURN_IF_ERROR(read_side(*s, steps[cur]->side_shuffle_keys(), static_cast<int>(parts.size()), &side));
    }
    ShuffleOutcome o = RunShuffleStage(stage, parts, side);
    if (!o.error.empty()) return InvalidArgument(StepContext(cur, stage.step.op) + o.error);
    out->step_rows.push_back({stage.step.op, o.rows_out, o.counters_out});
    for (size_t i = 0; i < stage.after.size(); ++i) {
      out->step_rows.push_back({stage.after[i].op, o.rows_after[i], o.counters_after[i]});
    }
    if (!chain) {
      out->written = !stage.write.path.empty();
      out->rows_written = o.rows_written;
      out->parts_written = o.parts_written;
      out->rows = std::move(o.rows);
      out->next = next;
      return OkStatus();
    }
    // The next stage's inputs: every reducer's objects, by part.
    PartRefs next_parts;
    if (stage.next.parts > 0) {
      next_parts.assign(static_cast<size_t>(stage.next.parts), {});
      for (const auto& refs : o.next_parts) {
        for (size_t p = 0; p < refs.size() && p < next_parts.size(); ++p) next_parts[p].push_back(refs[p]);
      }
    } else {
      std::vector<strata::ObjectRef<Block>> blocks;
      std::vector<Block> samples;
      for (size_t i = 0; i < o.next_parts.size(); ++i) {
        if (o.next_parts[i].empty()) continue;
        blocks.push_back(o.next_parts[i][0]);
        samples.push_back(std::move(o.samples[i]));
      }
      STRATA_RETURN_IF_ERROR(RangePartition(planned.keys, planned.descending, planned.parts, samples, blocks, &next_parts)
                                 .WithContext(StepContext(next, "sort")));
    }
    parts = std::move(next_parts);
  }
  return InternalError("the plan's last shuffle stage partitions for a stage that does not follow");
}

int ClusterCpus() {
  const auto total = rpc::AliveTotal(client::CurrentClusterStatus()).ToDoubles();
  const auto cpu = total.find("CPU");
  return cpu == total.end() ? 2 : static_cast<int>(cpu->second);
}

int ShuffleParts() {
  if (const char* env = std::getenv("STRATA_SHUFFLE_PARTS"); env != nullptr && std::atoi(env) > 0) {
    return std::atoi(env);
  }
  return std::max(2, ClusterCpus());
}

ShuffleOutcome RunShuffleStage(const ShuffleStage& stage, const PartRefs& parts, const PartRefs& side) {
  ShuffleOutcome out;
  out.rows_after.assign(stage.after.size(), 0);
  out.counters_after.assign(stage.after.size(), Counters());
  std::vector<strata::ObjectRef<ReduceResult>> pending;
  for (size_t p = 0; p < parts.size(); ++p) {
    ReduceTask t{stage.step, stage.merge_partials, stage.after, stage.partial_groupby, stage.write,
                 static_cast<int64_t>(p), stage.next};
    pending.push_back(strata::Task(RunReduceTask).Remote(t, parts[p], side.empty() ? std::vector<strata::ObjectRef<Block>>{} : side[p]));
  }
  // In part order, so the rows that come back are in a stable order.
  const auto start = std::chrono::steady_clock::now();
  size_t done = 0;
  for (auto& ref : pending) {
    ReduceResult r = strata::Get(ref);
    if (!r.error.empty()) {
      out.error = r.error;
      return out;
    }
    out.rows_out += r.rows_out;
    for (size_t i = 0; i < r.rows_after.size() && i < out.rows_after.size(); ++i) out.rows_after[i] += r.rows_after[i];
    AddCounters(r.counters_out, &out.counters_out);
    for (size_t i = 0; i < r.counters_after.size() && i < out.counters_after.size(); ++i) {
      AddCounters(r.counters_after[i], &out.counters_after[i]);
    }
    out.rows_written += r.rows_written;
    out.parts_written += r.rows_written > 0;
    out.rows.Append(r.block);
    out.next_parts.push_back(std::move(r.parts));
    out.samples.push_back(std::move(r.sample));
    ++done;
    if (stage.observer != nullptr) {
      stage.observer->OnProgress({stage.label, done, pending.size(), out.rows_out,
                                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
    }
  }
  if (stage.observer != nullptr) stage.observer->OnStageEnd(stage.label);
  return out;
}

}  // namespace strata::data
