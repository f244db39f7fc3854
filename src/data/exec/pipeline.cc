#include "data/exec/pipeline.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <strata/strata.h>

#include "common/status.h"
#include "data/format/csv.h"
#include "data/format/format_registry.h"
#include "data/exec/run_events.h"
#include "data/ops/operators.h"
#include "data/exec/map_task.h"
#include "data/exec/multi_pass.h"
#include "data/exec/pipeline_actors.h"
#include "data/exec/pipeline_shuffle.h"
#include "data/plan/physical_plan.h"
#include "data/ops/steps.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

// ------------------------------------------------------------- helpers

// Reads a whole source with map tasks running `ops` (may be empty), handing
// each part to `consume` (with its index in input order) as it completes.
// At most `window` tasks are in flight, so memory stays bounded however big
// the input is: parts are consumed (written, merged) and dropped.
struct SourceStats {
  int64_t rows_read = 0;
  int64_t bytes = 0;
  size_t parts = 0;
};

using PartConsumer = std::function<Status(MapResult&& part, size_t index)>;

struct TaskPlan {
  std::vector<StepCall> steps;  // row-local steps (and broadcast joins)
  StepCall partial_groupby;
  std::vector<Block> sides;              // right sides of the broadcast joins
  WriteSpec write;                       // map-only: tasks write their parts
  bool fail_on_bad = true;
  NextPartition next;
};

Status ReadSource(const SourceSpec& src, const TaskPlan& plan, const RunOptions& options,
                  const std::string& label, const PartConsumer& consume, SourceStats* stats) {
  STRATA_ASSIGN_OR_RETURN(SourcePlan planned, PlanSource(src, options.target_range_bytes));
  const CsvSchema& schema = planned.schema;
  std::vector<FileRange>& ranges = planned.ranges;
  if (options.max_ranges > 0 && static_cast<int64_t>(ranges.size()) > options.max_ranges) {
    ranges.resize(static_cast<size_t>(options.max_ranges));
  }
  // Two tasks per CPU of the cluster in flight: every core busy, one part
  // each waiting, nothing more held.
  const size_t window = std::max<size_t>(4, 2 * static_cast<size_t>(ClusterCpus()));
  const auto start = std::chrono::steady_clock::now();
  std::vector<strata::ObjectRef<MapResult>> pending;
  std::map<ObjectId, size_t> index_of;
  size_t next = 0;
  const auto sides = strata::Put(plan.sides);
  while (next < ranges.size() || !pending.empty()) {
    while (next < ranges.size() && pending.size() < window) {
      MapTask t{ranges[next], src.format, schema, plan.steps, plan.partial_groupby,
                plan.write, static_cast<int64_t>(next), plan.fail_on_bad, plan.next};
      pending.push_back(strata::Task(RunMapTask).Remote(t, sides));
      index_of[pending.back().id()] = next++;
    }
    auto w = strata::Wait(pending, 1, 500);
    for (auto& ref : w.ready) {
      MapResult r = strata::Get(ref);
      stats->rows_read += r.rows_read;
      stats->bytes += r.bytes;
      ++stats->parts;
      const size_t index = index_of[ref.id()];
      index_of.erase(ref.id());
      if (!r.error.empty()) return InvalidArgument(r.error);
      STRATA_RETURN_IF_ERROR(consume(std::move(r), index));
    }
    pending = w.unready;
    if (options.observer != nullptr && !w.ready.empty()) {
      options.observer->OnProgress(
          {label, stats->parts, ranges.size(), stats->rows_read,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
    }
  }
  if (options.observer != nullptr) options.observer->OnStageEnd(label);
  return OkStatus();
}

// A join's right side may hold no bad record: the first is the error.
std::string SideBadRecord(const BadRecord& b) {
  return "join right: " + b.file + ":" + std::to_string(b.line) + ": bad record: " + b.reason;
}

// A join's right side, read whole (any bad record in it is an error).
Status ReadSideInput(const json& side, const RunOptions& options, Block* out, int64_t* bytes) {
  STRATA_ASSIGN_OR_RETURN(const SourceSpec right, SourceFromJson(side, "join right"));
  SourceStats stats;
  std::map<size_t, Block> parts;  // in input order, whichever finished first
  auto keep = [&](MapResult&& part, size_t index) {
    if (!part.bad.empty()) return InvalidArgument(SideBadRecord(part.bad[0]));
    parts[index] = std::move(part.block);
    return OkStatus();
  };
  STRATA_RETURN_IF_ERROR(ReadSource(right, TaskPlan{}, options, "join right", keep, &stats));
  for (auto& [index, block] : parts) out->Append(block);
  *bytes = stats.bytes;
  return OkStatus();
}

// A join's right side, hash-partitioned by its keys into `count` parts of
// objects (for a shuffled join); any bad record in it is an error.
Status ReadSideShuffled(const json& side, const RunOptions& options, const std::vector<std::string>& keys,
                        int count, PartRefs* out) {
  STRATA_ASSIGN_OR_RETURN(const SourceSpec right, SourceFromJson(side, "join right"));
  TaskPlan plan;
  plan.next.hash_keys = keys;
  plan.next.parts = count;
  std::map<size_t, std::vector<strata::ObjectRef<Block>>> by_task;
  auto keep = [&](MapResult&& part, size_t index) {
    if (!part.bad.empty()) return InvalidArgument(SideBadRecord(part.bad[0]));
    by_task[index] = std::move(part.parts);
    return OkStatus();
  };
  SourceStats stats;
  STRATA_RETURN_IF_ERROR(ReadSource(right, plan, options, "join right", keep, &stats));
  out->assign(static_cast<size_t>(count), {});
  for (auto& [index, refs] : by_task) {
    for (size_t p = 0; p < refs.size() && p < out->size(); ++p) (*out)[p].push_back(refs[p]);
  }
  return OkStatus();
}

}  // namespace

PlanInputs PlanInputsFor(const RunOptions& options) {
  PlanInputs in;
  in.shuffle = options.shuffle;
  in.collect = options.collect != nullptr;
  in.broadcast_join_bytes = options.broadcast_join_bytes;
  auto parts = std::make_shared<int>(0);  // asked once, and only when a shuffle runs
  in.shuffle_parts = [parts] { return *parts > 0 ? *parts : (*parts = ShuffleParts()); };
  return in;
}

int RunPipeline(const PipelineSpec& given, const RunOptions& options, RunReport* report) {
  const auto start = std::chrono::steady_clock::now();
  RunReport local_report;
  if (report == nullptr) report = &local_report;
  *report = RunReport();
  auto fail = [&](const std::string& what) {
    report->error = what;
    if (options.observer != nullptr) options.observer->OnFinish(*report);
    return 1;
  };
  // The row-local prefix runs in the tasks, and a group-by right after it
  // runs there partially.
  std::vector<std::unique_ptr<Step>> steps;
  for (const auto& [op, params] : given.steps) {
    auto step = MakeStep(op, params);
    if (!step.ok()) return fail(step.status().message());
    steps.push_back(std::move(step).value());
  }
  // Steps that read files here hand their contents to the tasks instead:
  // from here on, the spec is the one the tasks get.
  std::optional<PipelineSpec> shipped;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (auto params = steps[i]->ShippedParams()) {
      if (!shipped) shipped = given;
      shipped->steps[i].second = std::move(*params);
    }
  }
  const PipelineSpec& spec = shipped ? *shipped : given;
  const bool collect = options.collect != nullptr;
  Result<PhysicalPlan> planned = PlanPipeline(spec, steps, PlanInputsFor(options));
  if (!planned.ok()) return fail(planned.status().message());
  const PhysicalPlan physical = std::move(planned).value();
  const PlanStage& map_stage = physical.map();
  // The steps the tasks run: row-local ones, and joins whose right side is
  // small enough to send to every task (read first, here).
  TaskPlan plan;
  const size_t local = map_stage.steps.size();
  for (size_t i : map_stage.steps) {
    if (std::find(map_stage.broadcast.begin(), map_stage.broadcast.end(), i) != map_stage.broadcast.end()) {
      Block rb;
      int64_t bytes = 0;
      if (Status s = ReadSideInput(*steps[i]->side_input(), options, &rb, &bytes); !s.ok()) return fail(s.message());
      plan.sides.push_back(std::move(rb));
    }
    plan.steps.push_back(CallOf(spec.steps[i].first, spec.steps[i].second));
  }
  const bool partial = map_stage.partial_groupby;
  const bool map_only = map_stage.output == StageOutput::kWrite;
  const bool range_shuffle = map_stage.output == StageOutput::kRangeParts;
  const bool shuffle = range_shuffle || map_stage.output == StageOutput::kHashParts;
  if (map_stage.output == StageOutput::kHashParts) {
    plan.next.hash_keys = map_stage.keys;
    plan.next.parts = map_stage.parts;
  }
  if (range_shuffle) plan.next.sample_keys = map_stage.keys;
  // map_batches with a batch class: the blocks go to a pool of actors, which
  // also run the row-local steps after it (and write, when nothing global
  // follows).
  std::unique_ptr<ActorPool> pool;
  size_t after_pool = local;
  if (const PlanStage* pool_stage = physical.Find(StageKind::kActorPool)) {
    ActorStage stage;
    stage.step = CallOf(spec.steps[local].first, spec.steps[local].second);
    stage.actors = pool_stage->actors;
    for (size_t k = 1; k < pool_stage->steps.size(); ++k) {
      const auto& [op, params] = spec.steps[pool_stage->steps[k]];
      stage.after.push_back(CallOf(op, params));
    }
    after_pool = pool_stage->steps.back() + 1;
    if (pool_stage->output == StageOutput::kWrite) stage.write = spec.write;
    if (pool_stage->partial_groupby) stage.partial_groupby = CallOf("groupby", spec.steps[after_pool].second);
    pool = std::make_unique<ActorPool>(stage, options.observer, "step " + std::to_string(local + 1) + " " + stage.step.op);
    plan.next.whole = true;
  }
  if (partial) plan.partial_groupby = CallOf("groupby", spec.steps[local].second);
  const PlanStage* multi = physical.Find(StageKind::kMultiPass);
  if (multi != nullptr) plan.next.whole = true;
  std::map<size_t, strata::ObjectRef<Block>> whole;  // multi-pass input, by position in the input
  if (map_only) plan.write = spec.write;
  const BadRecordPolicy policy = spec.read.on_bad_record;
  plan.fail_on_bad = policy == BadRecordPolicy::kFail;
  std::error_code ec;
  std::filesystem::remove_all(spec.write.path, ec);
  std::vector<BadRecord> bad;
  int64_t step_bad = 0;  // of `bad`: rows a step rejected (counted in its drops, not in the reads)
  std::vector<int64_t> rows_after(local, 0);
  std::vector<std::map<std::string, int64_t>> counters(local);
  int64_t written = 0;
  int parts_written = 0;
  std::unique_ptr<GroupBy> merged = partial && !shuffle ? steps[local]->MakeGroupBy() : nullptr;
  Block all;
  std::map<size_t, Block> kept;  // parts for the global steps, by position in the input
  std::map<size_t, std::vector<strata::ObjectRef<Block>>> shuffled;  // by position in the input
  std::map<size_t, Block> samples;                                   // a sort's, likewise
  // Each part as it arrives: written (map-only), merged (group-by), its
  // shuffle objects noted, or kept for the global steps.
  SourceStats src;
  auto consume = [&](MapResult&& part, size_t index) {
    for (size_t i = 0; i < local && i < part.rows_out.size(); ++i) rows_after[i] += part.rows_out[i];
    for (size_t i = 0; i < local && i < part.counters.size(); ++i) AddCounters(part.counters[i], &counters[i]);
    if (options.observer != nullptr && local > 0) {
      std::vector<StepRows> so_far;
      int64_t in = src.rows_read;
      for (size_t i = 0; i < local; ++i) {
        so_far.push_back({i + 1, spec.steps[i].first, in, rows_after[i], true, counters[i]});
        in = rows_after[i];
      }
      options.observer->OnStepRows(so_far);
    }
    bad.insert(bad.end(), part.bad.begin(), part.bad.end());
    step_bad += part.step_bad;
    if (!part.bad.empty() && policy == BadRecordPolicy::kFail) return OkStatus();  // reported below, in file order
    if (map_only) {
      written += part.rows_written;
      parts_written += part.rows_written > 0;
      return OkStatus();
    }
    if (multi != nullptr) {
      if (!part.parts.empty()) whole[index] = part.parts[0];
      return OkStatus();
    }
    if (pool) {
      if (part.parts.empty()) return OkStatus();
      return pool->Submit(part.parts[0], index).WithContext(StepContext(local, spec.steps[local].first));
    }
    if (shuffle) {
      shuffled[index] = std::move(part.parts);
      if (range_shuffle) samples[index] = std::move(part.sample);
      return OkStatus();
    }
    if (merged) return merged->AddPartial(part.block).WithContext(StepContext(local, "groupby"));
    kept[index] = std::move(part.block);  // parts finish in any order
    return OkStatus();
  };
  if (Status s = ReadSource(spec.read, plan, options, "read", consume, &src); !s.ok()) return fail(s.message());
  // The global steps see the rows in input order, whichever task finished first.
  for (auto& [index, block] : kept) all.Append(block);
  kept.clear();
  // Bad records: fail at the first (in file order), or count, or quarantine.
  std::sort(bad.begin(), bad.end(), [](const BadRecord& a, const BadRecord& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
  if (!bad.empty() && policy == BadRecordPolicy::kFail) {
    std::filesystem::remove_all(spec.write.path, ec);
    // Line 0: a record a step rejected as a whole file (an audio clip).
    const std::string where = bad[0].file + (bad[0].line > 0 ? ":" + std::to_string(bad[0].line) : "");
    return fail(where + ": bad record: " + bad[0].reason +
                " (on_bad_record: skip or quarantine lets the run go on)");
  }
  std::string quarantine = spec.read.quarantine_path;
  if (policy == BadRecordPolicy::kQuarantine) {
    if (quarantine.empty()) quarantine = spec.write.path + ".quarantine.jsonl";
    const auto parent = std::filesystem::path(quarantine).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    std::ofstream q(quarantine);
    for (const BadRecord& b : bad) {
      // A bad record's text may not be UTF-8: such bytes become U+FFFD.
      q << json{{"file", b.file}, {"line", b.line}, {"reason", b.reason}, {"text", b.text}}.dump(
               -1, ' ', false, json::error_handler_t::replace)
        << "\n";
    }
  }
  std::vector<GlobalStepRows> global_rows;
  bool done = map_only;
  size_t next = local;
  if (shuffle) {
    // The map tasks' objects, by part, feed the first stage; stages follow
    // one another while the next global step can shuffle too.
    PartRefs parts(static_cast<size_t>(plan.next.parts));
    if (range_shuffle) {
      std::vector<Block> sample_list;
      std::vector<strata::ObjectRef<Block>> blocks;
      for (auto& [index, refs] : shuffled) {
        if (refs.empty()) continue;
        blocks.push_back(refs[0]);
        sample_list.push_back(std::move(samples[index]));
      }
      if (Status s = RangePartition(map_stage.keys, map_stage.descending, map_stage.parts, sample_list, blocks, &parts);
          !s.ok()) {
        return fail(StepContext(local, "sort") + s.message());
      }
    } else {
      for (auto& [index, refs] : shuffled) {
        for (size_t p = 0; p < refs.size() && p < parts.size(); ++p) parts[p].push_back(refs[p]);
      }
    }
    shuffled.clear();
    auto read_side = [&](const json& side, const std::vector<std::string>& keys, int count, PartRefs* out) {
      return ReadSideShuffled(side, options, keys, count, out);
    };
    ChainResult chain;
    std::vector<PlanStage> chain_stages;
    for (const PlanStage& s : physical.stages) {
      if (s.kind == StageKind::kShuffle) chain_stages.push_back(s);
    }
    if (Status s = RunShuffleChain(spec, steps, chain_stages, std::move(parts), options.observer, read_side, &chain);
        !s.ok()) {
      return fail(s.message());
    }
    global_rows.insert(global_rows.end(), chain.step_rows.begin(), chain.step_rows.end());
    if (chain.written) {
      written = chain.rows_written;
      parts_written = chain.parts_written;
      done = true;
    }
    all = std::move(chain.rows);
    next = chain.next;
  } else if (pool) {
    if (Status s = pool->Finish(); !s.ok()) return fail(StepContext(local, spec.steps[local].first) + s.message());
    global_rows.push_back({spec.steps[local].first, pool->rows_out, pool->counters_out});
    for (size_t i = local + 1; i < after_pool; ++i) {
      global_rows.push_back({spec.steps[i].first, pool->rows_after[i - local - 1], pool->counters_after[i - local - 1]});
    }
    if (after_pool == steps.size() && !collect) {
      written = pool->rows_written;
      parts_written = pool->parts_written;
      done = true;
    }
    for (auto& [index, block] : pool->kept) all.Append(block);
    next = after_pool;
  } else if (multi != nullptr) {
    const std::string& op = spec.steps[local].first;
    auto runner = MultiPassRunners().find(op);
    if (runner == MultiPassRunners().end()) return fail(StepContext(local, op) + "no runner");
    std::vector<strata::ObjectRef<Block>> ordered;
    for (auto& [index, ref] : whole) ordered.push_back(ref);
    MultiPassTail tail;
    for (size_t k = 1; k < multi->steps.size(); ++k) {
      const auto& [tail_op, params] = spec.steps[multi->steps[k]];
      tail.after.push_back(CallOf(tail_op, params));
    }
    if (multi->output == StageOutput::kWrite) tail.write = spec.write;
    MultiPassOutcome outcome;
    const Status ran = runner->second(CallOf(op, spec.steps[local].second), ordered,
                                      multi->parts > 0 ? multi->parts : ShuffleParts(), tail, &outcome);
    if (!ran.ok()) return fail(StepContext(local, op) + ran.message());
    global_rows.push_back({op, outcome.rows_out, outcome.counters});
    for (size_t k = 0; k < tail.after.size(); ++k) {
      global_rows.push_back({tail.after[k].op, outcome.rows_after[k], outcome.counters_after[k]});
    }
    if (!tail.write.path.empty()) {
      written = outcome.rows_written;
      parts_written = outcome.parts_written;
      done = true;
    }
    for (const Block& b : outcome.kept) all.Append(b);
    next = multi->steps.back() + 1;
  } else if (merged) {
    all = merged->Result();
    global_rows.push_back({"groupby", all.num_rows, {}});
    next = local + 1;
  }
  const PlanStage* driver = physical.Find(StageKind::kDriver);
  if (driver != nullptr && driver->merges_partials && (shuffle || pool)) {
    // The stage's parts came back aggregated partially: merge them.
    auto g = steps[next]->MakeGroupBy();
    if (Status s = all.names.empty() ? OkStatus() : g->AddPartial(all); !s.ok()) {
      return fail(StepContext(next, "groupby") + s.message());
    }
    all = g->Result();
    global_rows.push_back({"groupby", all.num_rows, {}});
    ++next;
  }
  if (!done) {
    STRATA_CHECK(driver != nullptr);  // the plan ends on the driver exactly when no stage wrote
    for (size_t i = next; i < steps.size(); ++i) {
      const std::string& op = spec.steps[i].first;
      if (const json* side = steps[i]->side_input(); side != nullptr) {
        Block rb;
        int64_t bytes = 0;
        if (Status s = ReadSideInput(*side, options, &rb, &bytes); !s.ok()) return fail(s.message());
        steps[i]->SetSideInput(std::move(rb));
      }
      const Status done = steps[i]->row_local() ? steps[i]->Apply(&all) : steps[i]->Finish(&all);
      if (!done.ok()) return fail(StepContext(i, op) + done.message());
      global_rows.push_back({op, all.num_rows, steps[i]->Counters()});
    }
    written = all.num_rows;
    const int64_t parts = driver->write_parts;
    if (collect) {
      *options.collect = std::move(all);
    } else if (parts == 1) {
      if (Status s = WriteOutput(all, spec.write, parts_written++); !s.ok()) return fail(s.message());
    } else {
      for (int64_t p = 0; p < parts; ++p) {
        std::vector<int64_t> rows;
        for (int64_t r = all.num_rows * p / parts; r < all.num_rows * (p + 1) / parts; ++r) rows.push_back(r);
        if (Status s = WriteOutput(all.Take(rows), spec.write, parts_written++); !s.ok()) return fail(s.message());
      }
    }
  }
  // The output directory exists even when no row reached it.
  if (!collect) {
    std::filesystem::create_directories(spec.write.path, ec);
    const SinkFormat* sink = FindSinkFormat(spec.write.format);
    if (Status s = sink != nullptr ? sink->Finish(spec.write, &report->write_note) : OkStatus(); !s.ok()) {
      return fail(s.message());
    }
  }
  report->rows_bad = static_cast<int64_t>(bad.size()) - step_bad;
  report->rows_rejected = step_bad;
  report->rows_read = src.rows_read + report->rows_bad;
  report->bytes_read = src.bytes;
  report->bad_policy = BadRecordPolicyName(policy);
  if (policy == BadRecordPolicy::kQuarantine) report->quarantine_path = quarantine;
  report->rows_written = written;
  report->parts_written = parts_written;
  report->write_path = collect ? "" : spec.write.path;
  report->source = spec.read.format == "range"   ? "range(" + std::to_string(spec.read.n) + ")"
                   : spec.read.format == "items" ? std::string("items")
                   : spec.read.paths.size() == 1 ? spec.read.paths[0]
                                                 : std::to_string(spec.read.paths.size()) + " paths";
  // Every input row accounted for, step by step.
  int64_t in = src.rows_read;
  for (size_t i = 0; i < local; ++i) {
    report->steps.push_back({i + 1, spec.steps[i].first, in, rows_after[i], true, counters[i]});
    in = rows_after[i];
  }
  size_t step_no = local;
  for (const GlobalStepRows& g : global_rows) {
    // Row-local steps after a shuffle or an actor pool filter like any other.
    const bool row_local = step_no < steps.size() && steps[step_no]->row_local();
    report->steps.push_back({++step_no, g.op, in, g.rows, row_local, g.counters});
    in = g.rows;
  }
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.observer != nullptr) options.observer->OnFinish(*report);
  return 0;
}

}  // namespace strata::data
