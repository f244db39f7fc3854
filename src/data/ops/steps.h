// The step registry: every operator a pipeline file can name. A step is
// made from its parameters (JSON, from the file's YAML) by name, so later
// operator libraries (text, ML, audio) add steps here without touching the
// runner. Unknown steps and parameters are errors naming the step.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "data/block.h"
#include "data/format/csv.h"  // BadRecord

namespace strata::data {

class GroupBy;

class Step {
 public:
  virtual ~Step() = default;
  // Row-local steps run inside the parallel tasks, block by block, fused.
  virtual bool row_local() const { return false; }
  virtual Status Apply(Block* block) { return InternalError("not a row-local step"); }
  // Global steps see everything before them at once (on the driver).
  virtual Status Finish(Block* all) { return InternalError("not a global step"); }
  // A global step that can work on parts and merge (group-by): its partial
  // state runs in the tasks too.
  virtual std::unique_ptr<GroupBy> MakeGroupBy() const { return nullptr; }
  // A step that needs another input (join): its source, read like the main one.
  virtual const nlohmann::ordered_json* side_input() const { return nullptr; }
  virtual void SetSideInput(Block right) {}
  // A step with a side input that can also run per block, with the whole
  // side input in every task (a join with a small right side).
  virtual bool broadcastable() const { return false; }
  // Broadcast whatever the side input's size (join strategy: broadcast).
  virtual bool always_broadcast() const { return false; }
  // A step that sets how many files the output is written as (repartition);
  // 0: it does not.
  virtual int64_t output_parts() const { return 0; }
  // A global step that can run as a shuffle: rows hash-partitioned by these
  // columns ("*": all), each part finished on its own, in parallel (group-by,
  // dedup, join); {"#random", SEED}: rows sent to random parts
  // (random_shuffle). Empty: it cannot.
  virtual std::vector<std::string> shuffle_keys() const { return {}; }
  // A step that runs on a pool of this many actors (map_batches with a
  // batch class); 0: it does not. Its Apply runs inside the actors.
  virtual int actor_pool() const { return 0; }
  // A sort: its keys and directions; it can run range-partitioned.
  virtual bool sort_keys(std::vector<std::string>* by, std::vector<bool>* desc) const { return false; }
  // A join's right side's keys, partitioned the same way.
  virtual std::vector<std::string> side_shuffle_keys() const { return {}; }
  // A step that needs several passes over everything before it (MinHash
  // dedup: signatures -> buckets -> connected components -> filter): the
  // runner hands it the map stage's parts whole (plan stage kMultiPass).
  virtual bool multi_pass() const { return false; }
  // What the step counted so far, by name (a filter: rows dropped per rule);
  // the run adds these up over every task and reports them.
  virtual std::map<std::string, int64_t> Counters() const { return {}; }
  // Rows this step rejected as bad records since the last call (a clip that
  // does not decode): they go where the read's bad records go (fail,
  // skip, quarantine). Collected from steps of the map stage.
  virtual std::vector<BadRecord> TakeBadRecords() { return {}; }
  // Parameters to hand the tasks instead of the pipeline's: a step that read
  // a file on the driver (a saved fit) sends what it read, so the file need
  // not exist on every node. nullopt: the pipeline's.
  virtual std::optional<nlohmann::ordered_json> ShippedParams() const { return std::nullopt; }
};

struct StepInfo {
  std::set<std::string> params;       // accepted parameter names
  std::set<std::string> required;
  std::function<Result<std::unique_ptr<Step>>(const nlohmann::ordered_json& params)> make;
};

std::map<std::string, StepInfo>& StepRegistry();
// An operator library adds its steps with a static one of these (linked
// whole: see src/text/CMakeLists.txt).
struct StepLibrary {
  explicit StepLibrary(void (*add)(std::map<std::string, StepInfo>* registry)) { add(&StepRegistry()); }
};
// Steps that reshape rows (flat_map, map_batches, repartition,
// random_shuffle), added to the registry by steps_reshape.cc.
void AddReshapeSteps(std::map<std::string, StepInfo>* registry);
// Makes step `name` from `params`; an error naming what is wrong.
Result<std::unique_ptr<Step>> MakeStep(const std::string& name, const nlohmann::ordered_json& params);

// A step as the planner hands it to a task, an actor or a reducer: its name
// and its parameters, checked once on the driver (MakeStep succeeded there),
// made into a Step where it runs.
struct StepCall {
  std::string op;      // "" : none
  std::string params;  // JSON text
  bool empty() const { return op.empty(); }
  STRATA_STRUCT(op, params);
};
StepCall CallOf(const std::string& op, const nlohmann::ordered_json& params);
Result<std::unique_ptr<Step>> MakeStep(const StepCall& call);
// Every call's step, in order; an error naming the step that failed.
Status MakeSteps(const std::vector<StepCall>& calls, std::vector<std::unique_ptr<Step>>* steps);
// "step 3 (filter): ", how an error names a pipeline's step; `index` counts
// from 0, the text from 1 as a user reads the file.
std::string StepContext(size_t index, const std::string& op);

}  // namespace strata::data
