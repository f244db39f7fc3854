#include "data/pipeline_shuffle.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "data/operators.h"
#include "data/stage_part.h"
#include "data/steps.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

struct ReduceTask {
  std::string op, params;
  bool merge_partials = false;
  std::vector<std::string> after_ops, after_params;
  std::string partial_groupby;
  WriteSpec write;
  int64_t part_index = 0;
  STRATA_STRUCT(op, params, merge_partials, after_ops, after_params, partial_groupby, write, part_index);
};

using ReduceResult = PartResult;

ReduceResult RunReduceTask(const ReduceTask& t, const std::vector<strata::ObjectRef<Block>>& parts,
                           const std::vector<strata::ObjectRef<Block>>& side) {
  ReduceResult r;
  try {
    auto step = MakeStep(t.op, json::parse(t.params), &r.error);
    if (!step) return r;
    Block all;
    if (t.merge_partials) {
      auto g = step->MakeGroupBy();
      for (const Block& b : strata::Get(parts)) {
        if (!g->AddPartial(b, &r.error)) return r;
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
      if (!step->Finish(&all, &r.error)) return r;
    }
    std::vector<std::unique_ptr<Step>> after;
    for (size_t i = 0; i < t.after_ops.size(); ++i) {
      after.push_back(MakeStep(t.after_ops[i], json::parse(t.after_params[i]), &r.error));
      if (!after.back()) return r;
    }
    FinishPart(std::move(all), after, t.after_ops, t.partial_groupby, t.write, t.part_index, &r);
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
    if (!PartitionByRange(strata::Get(block.at(0)), t.by, t.desc, t.bounds, &pieces, &r.error)) return r;
    for (Block& piece : pieces) r.parts.push_back(strata::Put(piece));
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}
STRATA_REMOTE(SplitByRange);

}  // namespace

bool RangePartition(const std::vector<std::string>& by, const std::vector<bool>& desc, int parts,
                    const std::vector<Block>& samples, const std::vector<strata::ObjectRef<Block>>& blocks,
                    PartRefs* out, std::string* error) {
  Block all_samples, sorted;
  for (const Block& s : samples) all_samples.Append(s);
  if (all_samples.num_rows == 0) {
    // Nothing to sort (every row filtered out, say): one part, as it is.
    out->assign(1, blocks);
    return true;
  }
  if (!SortBlock(all_samples, by, desc, &sorted, error)) return false;
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
    if (!r.error.empty()) {
      *error = r.error;
      return false;
    }
    for (size_t p = 0; p < r.parts.size() && p < out->size(); ++p) (*out)[p].push_back(r.parts[p]);
  }
  return true;
}

int ShuffleParts() {
  if (const char* env = std::getenv("STRATA_SHUFFLE_PARTS"); env != nullptr && std::atoi(env) > 0) {
    return std::atoi(env);
  }
  const auto status = nlohmann::json::parse(strata::ClusterStatus(true), nullptr, false);
  double cpus = 2;
  if (!status.is_discarded()) cpus = status["totals"]["resources_total"].value("CPU", 2.0);
  return std::max(2, static_cast<int>(cpus));
}

ShuffleOutcome RunShuffleStage(const ShuffleStage& stage, const PartRefs& parts, const PartRefs& side) {
  ShuffleOutcome out;
  out.rows_after.assign(stage.after_ops.size(), 0);
  std::vector<strata::ObjectRef<ReduceResult>> pending;
  for (size_t p = 0; p < parts.size(); ++p) {
    ReduceTask t{stage.op, stage.params, stage.merge_partials, stage.after_ops, stage.after_params,
                 stage.partial_groupby, stage.write, static_cast<int64_t>(p)};
    pending.push_back(strata::Task(RunReduceTask).Remote(t, parts[p], side.empty() ? std::vector<strata::ObjectRef<Block>>{} : side[p]));
  }
  // In part order, so the rows that come back are in a stable order.
  for (auto& ref : pending) {
    ReduceResult r = strata::Get(ref);
    if (!r.error.empty()) {
      out.error = r.error;
      return out;
    }
    out.rows_out += r.rows_out;
    for (size_t i = 0; i < r.rows_after.size() && i < out.rows_after.size(); ++i) out.rows_after[i] += r.rows_after[i];
    out.rows_written += r.rows_written;
    out.parts_written += r.rows_written > 0;
    out.rows.Append(r.block);
  }
  return out;
}

}  // namespace strata::data
