// The planner: which stages a pipeline becomes, and what --explain says.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "data/plan/physical_plan.h"

namespace strata::data {
namespace {

PhysicalPlan PlanOf(const std::string& yaml, PipelineSpec* spec, bool collect = false) {
  const auto dir = std::filesystem::temp_directory_path() / ("strata-plan-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "right.csv") << "id,w\n1,2\n";
  const auto path = dir / "p.yaml";
  std::ofstream(path) << yaml;
  Result<PipelineSpec> loaded = LoadPipeline(path.string());
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  if (loaded.ok()) *spec = std::move(loaded).value();
  std::vector<std::unique_ptr<Step>> steps;
  for (const auto& [op, params] : spec->steps) {
    auto step = MakeStep(op, params);
    EXPECT_TRUE(step.ok()) << step.status().message();
    steps.push_back(step.ok() ? std::move(step).value() : nullptr);
  }
  PlanInputs in;
  in.collect = collect;
  in.shuffle_parts = [] { return 7; };
  Result<PhysicalPlan> plan = PlanPipeline(*spec, steps, in);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? std::move(plan).value() : PhysicalPlan{};
}

std::vector<StageKind> Kinds(const PhysicalPlan& p) {
  std::vector<StageKind> k;
  for (const auto& s : p.stages) k.push_back(s.kind);
  return k;
}

TEST(PhysicalPlan, RowLocalStepsAloneAreOneMapStageThatWrites) {
  PipelineSpec spec;
  const auto plan = PlanOf(R"Y(
read: {format: csv, paths: [in.csv]}
steps:
  - filter: "a > 1"
  - with_column: {name: b, expr: "a + 1"}
write: {format: jsonl, path: out}
)Y", &spec);
  ASSERT_EQ(Kinds(plan), std::vector<StageKind>{StageKind::kMap});
  EXPECT_EQ(plan.map().steps, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(plan.map().output, StageOutput::kWrite);
}

TEST(PhysicalPlan, AMultiPassStepGetsTheMapStagesPartsWhole) {
  PipelineSpec spec;
  const auto plan = PlanOf(R"Y(
read: {format: jsonl, paths: [in.jsonl]}
steps:
  - filter: "length(text) > 10"
  - minhash_dedup: {}
  - select: [text]
write: {format: jsonl, path: out}
)Y", &spec);
  // The row-local step after it runs in its last tasks, which write.
  ASSERT_EQ(Kinds(plan), (std::vector<StageKind>{StageKind::kMap, StageKind::kMultiPass}));
  EXPECT_EQ(plan.map().steps, (std::vector<size_t>{0}));
  EXPECT_EQ(plan.map().output, StageOutput::kWholeParts);
  EXPECT_EQ(plan.stages[1].steps, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(plan.stages[1].parts, 7);
  EXPECT_EQ(plan.stages[1].output, StageOutput::kWrite);
  EXPECT_NE(ExplainPlan(spec, plan).find("connected components in rounds of tasks"), std::string::npos);
}

TEST(PhysicalPlan, GroupByThenSortAreTwoShufflesWithPartialAggregation) {
  PipelineSpec spec;
  const auto plan = PlanOf(R"Y(
read: {format: csv, paths: [in.csv]}
steps:
  - filter: "a > 1"
  - groupby: {by: [k], agg: {n: "count()"}}
  - with_column: {name: m, expr: "n * 2"}
  - sort: {by: [n], descending: [true]}
write: {format: csv, path: out}
)Y", &spec);
  ASSERT_EQ(Kinds(plan), (std::vector<StageKind>{StageKind::kMap, StageKind::kShuffle, StageKind::kShuffle}));
  const PlanStage& map = plan.stages[0];
  EXPECT_TRUE(map.partial_groupby);
  EXPECT_EQ(map.output, StageOutput::kHashParts);
  EXPECT_EQ(map.keys, std::vector<std::string>{"k"});
  EXPECT_EQ(map.parts, 7);
  const PlanStage& group = plan.stages[1];
  EXPECT_TRUE(group.merges_partials);
  EXPECT_EQ(group.steps, (std::vector<size_t>{1, 2}));  // the row-local step rides along
  EXPECT_EQ(group.output, StageOutput::kRangeParts);
  EXPECT_EQ(group.descending, std::vector<bool>{true});
  EXPECT_EQ(plan.stages[2].output, StageOutput::kWrite);

  const Result<std::string> explained = ExplainPipeline(spec);
  ASSERT_TRUE(explained.ok()) << explained.status().message();
  const std::string& text = *explained;
  EXPECT_NE(text.find("stage 2: shuffle"), std::string::npos) << text;
  EXPECT_NE(text.find("SHUFFLE: hash-partitioned by [k]"), std::string::npos) << text;
  EXPECT_NE(text.find("SHUFFLE: range-partitioned by [n]"), std::string::npos) << text;
}

TEST(PhysicalPlan, SmallJoinIsBroadcastAndWhatCannotShuffleRunsOnTheDriver) {
  PipelineSpec spec;
  const auto plan = PlanOf(R"Y(
read: {format: csv, paths: [in.csv]}
steps:
  - join: {right: {format: csv, paths: [right.csv]}, on: id}
  - limit: 3
  - repartition: 2
write: {format: csv, path: out}
)Y", &spec);
  ASSERT_EQ(Kinds(plan), (std::vector<StageKind>{StageKind::kMap, StageKind::kDriver}));
  EXPECT_EQ(plan.map().broadcast, std::vector<size_t>{0});
  EXPECT_EQ(plan.map().output, StageOutput::kDriver);
  EXPECT_EQ(plan.stages[1].steps, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(plan.stages[1].write_parts, 2);
}

TEST(PhysicalPlan, CollectingEndsOnTheDriverEvenForAMapOnlyPipeline) {
  PipelineSpec spec;
  const auto plan = PlanOf(R"Y(
read: {format: csv, paths: [in.csv]}
steps:
  - filter: "a > 1"
write: {format: csv, path: out}
)Y", &spec, /*collect=*/true);
  ASSERT_EQ(Kinds(plan), (std::vector<StageKind>{StageKind::kMap, StageKind::kDriver}));
  EXPECT_EQ(plan.map().output, StageOutput::kDriver);
  EXPECT_EQ(plan.stages[1].output, StageOutput::kCollect);
}

}  // namespace
}  // namespace strata::data
