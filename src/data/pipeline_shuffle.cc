#include "data/pipeline_shuffle.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "data/operators.h"
#include "data/steps.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

struct ReduceTask {
  std::string op, params;
  bool merge_partials = false;
  std::vector<std::string> after_ops, after_params;
  WriteSpec write;
  int64_t part_index = 0;
  STRATA_STRUCT(op, params, merge_partials, after_ops, after_params, write, part_index);
};

struct ReduceResult {
  Block block;
  int64_t rows_out = 0;
  std::vector<int64_t> rows_after;
  int64_t rows_written = 0;
  std::string error;
  STRATA_STRUCT(block, rows_out, rows_after, rows_written, error);
};

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
      if (step->side_input() != nullptr) {
        Block right;
        for (const Block& b : strata::Get(side)) right.Append(b);
        step->SetSideInput(std::move(right));
      }
      if (!step->Finish(&all, &r.error)) return r;
    }
    r.rows_out = all.num_rows;
    for (size_t i = 0; i < t.after_ops.size(); ++i) {
      auto next = MakeStep(t.after_ops[i], json::parse(t.after_params[i]), &r.error);
      if (!next || !next->Apply(&all, &r.error)) {
        r.error = "step " + t.after_ops[i] + ": " + r.error;
        return r;
      }
      r.rows_after.push_back(all.num_rows);
    }
    if (!t.write.path.empty()) {
      if (all.num_rows > 0 && !WriteOutput(all, t.write, static_cast<int>(t.part_index), &r.error)) return r;
      r.rows_written = all.num_rows;
      all = Block();
    }
    r.block = std::move(all);
  } catch (const std::exception& e) {
    r.error = std::string("shuffle part ") + std::to_string(t.part_index) + ": " + e.what();
  }
  return r;
}
STRATA_REMOTE(RunReduceTask);

}  // namespace

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
                 stage.write, static_cast<int64_t>(p)};
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
