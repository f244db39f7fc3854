// Pipeline files and their runner: `strata run FILE.yaml`.
//
//   read:  {format: csv, paths: ["data/trips/*.csv"], on_bad_record: quarantine}
//          (csv, tsv, jsonl or parquet)
//   steps:
//     - filter: "fare > 50 and passenger_count is not null"
//     - with_column: {name: total, expr: "fare + tip"}
//     - groupby: {by: [borough], agg: {trips: "count()", km: "sum(distance_km)"}}
//   write: {format: jsonl, path: out/borough_stats}   (jsonl, csv or parquet;
//          partition_by: COLUMN; compression: snappy|zstd|gzip|none for parquet)
//
// Execution: each input file is cut into ranges at record boundaries; one
// task per range reads its records and runs the row-local steps before the
// first global one, fused, block by block — and a group-by's partial
// aggregation too — on every core of the cluster. The driver merges what
// comes back and runs the global steps (group-by merge, join, sort, limit),
// then writes. Every input row is accounted for: read = written + filtered
// (per step) + bad.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/exec/run_events.h"
#include "data/format/output.h"
#include "data/format/source.h"

namespace strata::data {

struct PipelineSpec {
  std::string file;
  SourceSpec read;
  std::vector<std::pair<std::string, nlohmann::ordered_json>> steps;  // (operator, parameters)
  std::vector<int> step_lines;
  WriteSpec write;
};

// Parses and checks a pipeline file: unknown keys, operators and parameters
// are errors naming the file, line and step.
Result<PipelineSpec> LoadPipeline(const std::string& path);

struct RunOptions {
  RunObserver* observer = nullptr;  // told of progress and of the end (exec/run_events.h)
  int64_t target_range_bytes = 8 << 20;
  // A join whose right side's files are at most this big is sent to every
  // task (broadcast); a bigger one is shuffled.
  int64_t broadcast_join_bytes = 256 << 20;
  // The first keyed global step (group-by, dedup, join) runs as a shuffle
  // across the cluster; false: on the driver.
  bool shuffle = true;
  // Set: the result comes here instead of being written (Dataset::Collect).
  Block* collect = nullptr;
  // > 0: read only this many ranges of the input (a sample, for a schema).
  int64_t max_ranges = 0;
};

struct PlanInputs;
// What the planner needs to know of these options (plan/physical_plan.h).
PlanInputs PlanInputsFor(const RunOptions& options);

// Runs it on the cluster strata::Init() connected to; prints nothing (the
// observer may). `report`: what it did, or its error. Returns 0, or 1.
int RunPipeline(const PipelineSpec& spec, const RunOptions& options, RunReport* report = nullptr);

}  // namespace strata::data
