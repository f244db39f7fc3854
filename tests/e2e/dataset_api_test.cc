// The C++ Dataset API: the golden ETL case written as code, run as tasks of
// this test program (its own workers), with the same result as the file.
#include <strata/data.h>
#include <strata/strata.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "data/exec/run_events.h"
#include "data/exec/pipeline.h"

namespace {

using strata::data::Block;
using strata::data::Dataset;

// A batch function: runs in the workers (this same program).
bool FareWithTip(Block& b, std::string* error) {
  const auto* fare = b.Get("fare");
  const auto* tip = b.Get("tip");
  if (fare == nullptr || tip == nullptr) {
    *error = "FareWithTip needs fare and tip";
    return false;
  }
  auto total = strata::data::Column::OfType(strata::data::Type::kDouble);
  for (int64_t r = 0; r < b.num_rows; ++r) {
    if (fare->IsNull(r) || tip->IsNull(r)) total.AppendNull();
    else total.AppendDouble(fare->AsDouble(r) + tip->AsDouble(r));
  }
  b.Add("fare_with_tip", std::move(total));
  return true;
}
STRATA_BATCH_FUNCTION(FareWithTip);

// A batch class: made once per actor; it stamps each row with its process
// and how many times that process made one.
int made_in_this_process = 0;
class Stamper : public strata::data::BatchProcessor {
 public:
  Stamper() { ++made_in_this_process; }
  bool Process(Block& b, std::string*) override {
    auto pid = strata::data::Column::OfType(strata::data::Type::kInt64);
    auto made = strata::data::Column::OfType(strata::data::Type::kInt64);
    for (int64_t r = 0; r < b.num_rows; ++r) {
      pid.AppendInt(getpid());
      made.AppendInt(made_in_this_process);
    }
    b.Add("pid", std::move(pid));
    b.Add("made", std::move(made));
    ++batches_;
    return true;
  }

 private:
  int batches_ = 0;
};
STRATA_BATCH_CLASS(Stamper);

// A row function: reads by name, sets new columns, skips some rows.
void Classify(const strata::data::RowView& row, strata::data::RowWriter& out) {
  if (row.IsNull("fare")) {
    out.Skip();
    return;
  }
  out.SetString("band", row.Double("fare") >= 100 ? "high" : "low");
  if (row.Int("id") % 2 == 0) out.SetInt("even_id", row.Int("id"));
  out.SetDouble("fare", row.Double("fare") * 2);  // replaces the column
}
STRATA_ROW_FUNCTION(Classify);

bool AlwaysFails(Block&, std::string* error) {
  *error = "this batch is not welcome";
  return false;
}
STRATA_BATCH_FUNCTION(AlwaysFails);

// Kills the worker that runs it: the task fails for good after its retries.
bool KillsItsWorker(Block&, std::string*) { std::_Exit(3); }
STRATA_BATCH_FUNCTION(KillsItsWorker);

std::string ReadAll(const std::string& dir) {
  std::string out;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream s;
    s << in.rdbuf();
    out += s.str();
  }
  return out;
}

class DatasetApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    strata::InitOptions o;
    o.num_cpus = 2;
    strata::Init(o);
  }
  static void TearDownTestSuite() { strata::Shutdown(); }
};

TEST_F(DatasetApi, TheGoldenEtlCaseAsCode) {
  const std::string data = std::string(STRATA_GOLDEN_DIR) + "/etl_borough/data";
  const std::string out = std::filesystem::temp_directory_path() / "strata_dataset_api_out";
  strata::data::ReadOptions lenient;
  lenient.on_bad_record = "quarantine";
  lenient.quarantine_path = out + ".bad.jsonl";
  auto r = Dataset::ReadCsv({data + "/trips*.csv"}, lenient)
               .Filter("fare > 50 and passenger_count is not null")
               .WithColumn("total", "fare + tip")
               .Join(Dataset::ReadCsv({data + "/zones.csv"}), {{"pickup_zone", "zone_id"}})
               .GroupBy({"borough"}, {{"trips", "count()"}, {"km", "sum(distance_km)"},
                                      {"avg_total", "mean(total)"}})
               .Sort({"borough"})
               .WriteJsonl(out);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rows_read, 7);
  EXPECT_EQ(r.rows_bad, 1);
  EXPECT_EQ(r.rows_written, 3);
  std::ifstream expected(std::string(STRATA_GOLDEN_DIR) + "/etl_borough/expected.out");
  std::stringstream want;
  want << expected.rdbuf();
  EXPECT_EQ(ReadAll(out), want.str());
}

TEST_F(DatasetApi, AWorkerThatDiesIsAnErrorNotAnException) {
  const std::string data = std::string(STRATA_GOLDEN_DIR) + "/etl_borough/data";
  Dataset::Rows r;
  EXPECT_NO_THROW(r = Dataset::ReadCsv({data + "/zones.csv"}).MapBatches("KillsItsWorker").Collect());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("died"), std::string::npos) << r.error;
  Dataset::CountResult c;
  EXPECT_NO_THROW(c = Dataset::ReadCsv({data + "/zones.csv"}).MapBatches("KillsItsWorker").Count());
  EXPECT_FALSE(c.ok);
  EXPECT_FALSE(c.error.empty());
}

TEST_F(DatasetApi, ErrorsComeBackNamingTheStep) {
  const std::string data = std::string(STRATA_GOLDEN_DIR) + "/etl_borough/data";
  auto r = Dataset::ReadCsv({data + "/zones.csv"}).Filter("borough = ").WriteJsonl("/tmp/never");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("step 1 (filter)"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("at column 11"), std::string::npos) << r.error;
  auto bad = Dataset::ReadCsv({data + "/trips.csv"}).Select({"fare"}).WriteJsonl("/tmp/never2");
  EXPECT_FALSE(bad.ok) << "on_bad_record defaults to fail";
  EXPECT_NE(bad.error.find("trips.csv:7: bad record"), std::string::npos) << bad.error;
  auto missing = Dataset::ReadCsv({data + "/nope*.csv"}).WriteJsonl("/tmp/never3");
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("no input matches"), std::string::npos) << missing.error;
}

TEST_F(DatasetApi, MapBatchesFlatMapShuffleRepartitionAndCollect) {
  const std::string dir = std::filesystem::temp_directory_path() / "strata_reshape";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir + "/in.csv");
    csv << "id,fare,tip,tags\n";
    for (int i = 0; i < 1000; ++i) {
      csv << i << "," << i * 0.5 << "," << (i % 4 == 0 ? "" : "1") << "," << (i % 10 == 0 ? "" : "a;b" + std::string(i % 2 ? ";c" : "")) << "\n";
    }
  }
  const auto in = Dataset::ReadCsv({dir + "/in.csv"});
  // map_batches: the registered function ran in the tasks.
  auto mapped = in.MapBatches("FareWithTip").Filter("id = 3").Collect();
  ASSERT_TRUE(mapped.ok) << mapped.error;
  ASSERT_EQ(mapped.block.num_rows, 1);
  EXPECT_DOUBLE_EQ(mapped.block.Get("fare_with_tip")->f64[0], 2.5);
  auto failing = in.MapBatches("AlwaysFails").Collect();
  EXPECT_FALSE(failing.ok);
  EXPECT_NE(failing.error.find("step 1 (map_batches): this batch is not welcome"), std::string::npos) << failing.error;
  auto unknown = in.MapBatches("Nope").Collect();
  EXPECT_NE(unknown.error.find("no batch function 'Nope'"), std::string::npos) << unknown.error;
  EXPECT_NE(unknown.error.find("FareWithTip"), std::string::npos) << unknown.error;
  // flat_map: 100 null tags give no rows; 400 rows of "a;b", 500 of "a;b;c".
  std::string error;
  const auto counted = in.FlatMap("tags", ";", "tag").Count();
  EXPECT_TRUE(counted.ok) << counted.error;
  EXPECT_EQ(counted.rows, 400 * 2 + 500 * 3);
  auto tags = in.FlatMap("tags", ";", "tag").GroupBy({"tag"}, {{"n", "count()"}}).Sort({"tag"}).Collect();
  ASSERT_TRUE(tags.ok) << tags.error;
  ASSERT_EQ(tags.block.num_rows, 3);
  EXPECT_EQ(tags.block.Get("n")->i64[0], 900);
  EXPECT_EQ(tags.block.Get("n")->i64[2], 500);
  // random_shuffle: a permutation, the same for the same seed.
  auto a = in.RandomShuffle(7).Collect(), b = in.RandomShuffle(7).Collect(), c = in.RandomShuffle(8).Collect();
  ASSERT_TRUE(a.ok && b.ok && c.ok);
  EXPECT_EQ(a.block.Get("id")->i64, b.block.Get("id")->i64);
  EXPECT_NE(a.block.Get("id")->i64, c.block.Get("id")->i64);
  std::vector<int64_t> ids = a.block.Get("id")->i64;
  std::sort(ids.begin(), ids.end());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(ids[static_cast<size_t>(i)], i);
  // repartition: that many files, every row once.
  auto w = in.Repartition(4).WriteCsv(dir + "/four");
  ASSERT_TRUE(w.ok) << w.error;
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/four")) files += e.is_regular_file();
  EXPECT_EQ(files, 4);
  EXPECT_EQ(Dataset::ReadCsv({dir + "/four"}).Count().rows, 1000);
  // take, and the Arrow C data interface.
  auto few = in.Take(5);
  ASSERT_TRUE(few.ok);
  EXPECT_EQ(few.block.num_rows, 5);
  ArrowSchema schema{};
  ArrowArray array{};
  const auto exported = in.Select({"id", "tags"}).Limit(10).ToArrow(&schema, &array);
  ASSERT_TRUE(exported.ok) << exported.error;
  EXPECT_STREQ(schema.format, "+s");
  ASSERT_EQ(schema.n_children, 2);
  EXPECT_STREQ(schema.children[0]->format, "l");
  EXPECT_STREQ(schema.children[1]->format, "u");
  EXPECT_EQ(array.length, 10);
  EXPECT_EQ(array.children[1]->null_count, 1);  // row 0's tags
  EXPECT_EQ(static_cast<const int64_t*>(array.children[0]->buffers[1])[9], 9);
  array.release(&array);
  schema.release(&schema);
}

TEST_F(DatasetApi, MapBatchesOnAPoolOfActorsMakesTheClassOncePerActor) {
  // 8 parts of the range, each a batch: two actors share them.
  auto r = Dataset::Range(8 << 20)
               .MapBatches("Stamper", 2)
               .Filter("id % 1000000 = 0")
               .GroupBy({"pid"}, {{"rows", "count()"}, {"most_made", "max(made)"}})
               .Collect();
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_GE(r.block.num_rows, 1);
  ASSERT_LE(r.block.num_rows, 2) << "two actors, two processes at most";
  int64_t rows = 0;
  for (int64_t i = 0; i < r.block.num_rows; ++i) {
    rows += r.block.Get("rows")->i64[static_cast<size_t>(i)];
    EXPECT_EQ(r.block.Get("most_made")->i64[static_cast<size_t>(i)], 1) << "made once per actor, not per batch";
    EXPECT_NE(r.block.Get("pid")->i64[static_cast<size_t>(i)], getpid());
  }
  EXPECT_EQ(rows, 9);  // ids 0, 1M, ..., 8M under 8 * 2^20
  // Written by the actors themselves, one part each batch.
  const std::string out = std::filesystem::temp_directory_path() / "strata_actor_out";
  auto w = Dataset::Range(3 << 20).MapBatches("Stamper", 2).Filter("id % 2 = 0").WriteParquet(out);
  ASSERT_TRUE(w.ok) << w.error;
  EXPECT_EQ(w.rows_written, 3 << 19);
  EXPECT_EQ(Dataset::ReadParquet({out}).Count().rows, 3 << 19);
  auto unknown = Dataset::Range(10).MapBatches("NoSuchClass", 2).Collect();
  EXPECT_NE(unknown.error.find("no batch class 'NoSuchClass'"), std::string::npos) << unknown.error;
}

TEST_F(DatasetApi, MapWithARowFunctionSchemaAndStats) {
  const auto items = Dataset::FromItems(
      R"([{"id": 1, "fare": 50.5}, {"id": 2, "fare": null}, {"id": 3, "fare": 120}, {"id": 4, "fare": 10},
          {"id": 5, "when": "2024-05-06 07:08:09"}])");
  auto r = items.Map("Classify").Collect();
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.block.num_rows, 3) << "rows without a fare are skipped";
  EXPECT_EQ(JsonValue(*r.block.Get("band"), 1), "\"high\"");
  EXPECT_EQ(JsonValue(*r.block.Get("even_id"), 0), "null");
  EXPECT_EQ(JsonValue(*r.block.Get("even_id"), 2), "4");
  EXPECT_EQ(JsonValue(*r.block.Get("fare"), 1), "240");
  const auto schema = items.Map("Classify").Schema();
  ASSERT_TRUE(schema.ok) << schema.error;
  std::map<std::string, std::string> types(schema.columns.begin(), schema.columns.end());
  EXPECT_EQ(types["id"], "int64");
  EXPECT_EQ(types["fare"], "double");
  EXPECT_EQ(types["band"], "string");
  EXPECT_EQ(types["when"], "timestamp");
  auto stats = items.Stats();
  ASSERT_TRUE(stats.ok) << stats.error;
  EXPECT_EQ(JsonValue(*stats.block.Get("fare.count"), 0), "3");
  EXPECT_EQ(JsonValue(*stats.block.Get("fare.nulls"), 0), "2");
  EXPECT_EQ(JsonValue(*stats.block.Get("fare.max"), 0), "120");
  EXPECT_EQ(JsonValue(*stats.block.Get("id.mean"), 0), "3");
  EXPECT_EQ(JsonValue(*stats.block.Get("when.min"), 0), "\"2024-05-06 07:08:09\"");
  auto unknown = items.Map("Nope").Collect();
  EXPECT_NE(unknown.error.find("no row function 'Nope'"), std::string::npos) << unknown.error;
}

TEST_F(DatasetApi, TextRangeAndItemsSources) {
  const std::string dir = std::filesystem::temp_directory_path() / "strata_sources";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/lines.txt") << "the quick brown fox\r\njumps over\n\nthe lazy dog\n";
  auto words = Dataset::ReadText({dir + "/lines.txt"})
                   .FlatMap("text", " ", "word")
                   .Filter("length(word) > 0")
                   .GroupBy({"word"}, {{"n", "count()"}})
                   .Sort({"n", "word"}, true)
                   .Take(1);
  ASSERT_TRUE(words.ok) << words.error;
  EXPECT_EQ(words.block.Get("word")->Str(0), "the");
  EXPECT_EQ(words.block.Get("n")->i64[0], 2);
  EXPECT_EQ(Dataset::ReadText({dir + "/lines.txt"}).Count().rows, 4) << "blank lines are rows too";
  // A range big enough for several tasks: every id once.
  auto sum = Dataset::Range(3'000'000).WithColumn("odd", "id % 2").GroupBy({"odd"}, {{"s", "sum(id)"}, {"n", "count()"}})
                 .Sort({"odd"}).Collect();
  ASSERT_TRUE(sum.ok) << sum.error;
  ASSERT_EQ(sum.block.num_rows, 2);
  EXPECT_EQ(sum.block.Get("n")->i64[0] + sum.block.Get("n")->i64[1], 3'000'000);
  EXPECT_EQ(sum.block.Get("s")->i64[0] + sum.block.Get("s")->i64[1], int64_t{3'000'000} * 2'999'999 / 2);
  auto items = Dataset::FromItems(R"([{"city": "Oslo", "t": 3.5}, {"city": "Lima", "t": 19}, {"city": "Oslo"}])")
                   .GroupBy({"city"}, {{"n", "count()"}, {"max_t", "max(t)"}}).Sort({"city"}).Collect();
  ASSERT_TRUE(items.ok) << items.error;
  ASSERT_EQ(items.block.num_rows, 2);
  EXPECT_EQ(items.block.Get("city")->Str(1), "Oslo");
  EXPECT_EQ(items.block.Get("n")->i64[1], 2);
  EXPECT_DOUBLE_EQ(items.block.Get("max_t")->f64[0], 19);
  auto broken = Dataset::FromItems("[1, 2]").Collect();
  EXPECT_FALSE(broken.ok);
  EXPECT_NE(broken.error.find("every item must be a mapping"), std::string::npos) << broken.error;
}

// ML preprocessors from code: a chain fitted across tasks (a 3M-row range:
// many parts), saved, and applied to other data with transform.
TEST_F(DatasetApi, AChainIsFittedSavedAndAppliedFromCode) {
  const std::string fit = std::filesystem::temp_directory_path() / "strata_api_fit.json";
  std::filesystem::remove(fit);
  auto scaled = Dataset::Range(3'000'000)
                    .WithColumn("x", "id % 10")
                    .With("chain", R"({"steps": [{"standard_scaler": {"columns": ["x"]}},
                                                 {"min_max_scaler": {"columns": ["id"]}}],
                                       "fit": {"save": ")" + fit + R"("}})")
                    .GroupBy({}, {{"mean_x", "sum(x)"}, {"max_id", "max(id)"}, {"min_id", "min(id)"}})
                    .Collect();
  ASSERT_TRUE(scaled.ok) << scaled.error;
  // x is 0..9 evenly: mean 4.5, population std sqrt(8.25).
  EXPECT_NEAR(scaled.block.Get("mean_x")->f64[0], 0.0, 1e-6);
  EXPECT_DOUBLE_EQ(scaled.block.Get("max_id")->f64[0], 1.0);
  EXPECT_DOUBLE_EQ(scaled.block.Get("min_id")->f64[0], 0.0);
  auto applied = Dataset::FromItems(R"([{"id": 1500000, "x": 9}])")
                     .With("transform", R"({"load": ")" + fit + R"("})")
                     .Collect();
  ASSERT_TRUE(applied.ok) << applied.error;
  EXPECT_NEAR(applied.block.Get("x")->f64[0], 4.5 / std::sqrt(8.25), 1e-12);
  EXPECT_NEAR(applied.block.Get("id")->f64[0], 1500000.0 / 2999999.0, 1e-15);
  auto missing = Dataset::FromItems(R"([{"id": 1}])").With("transform", R"({"load": ")" + fit + R"("})").Collect();
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("standard_scaler: no column 'x'"), std::string::npos) << missing.error;
}

TEST_F(DatasetApi, EveryFormatRoundTrips) {
  // Every column type, nulls, and text that needs quoting, through
  // CSV -> Parquet -> JSONL -> CSV and back: the same rows each time.
  const std::string dir = std::filesystem::temp_directory_path() / "strata_roundtrip";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir + "/in.csv");
    csv << "id,price,ok,name,at\n";
    for (int i = 0; i < 500; ++i) {
      csv << i << "," << (i % 7 == 0 ? "" : std::to_string(i * 0.25)) << "," << (i % 5 == 0 ? "" : i % 2 ? "true" : "false")
          << "," << (i % 9 == 0 ? "" : i % 3 ? "\"say \"\"hi\"\", " + std::to_string(i) + "\"" : "plain")
          << "," << (i % 11 == 0 ? "" : "2024-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10) + " 0" +
                                            std::to_string(i % 10) + ":30:15") << "\n";
    }
  }
  auto direct = Dataset::ReadCsv({dir + "/in.csv"}).WriteJsonl(dir + "/direct");
  ASSERT_TRUE(direct.ok) << direct.error;
  const std::string want = ReadAll(dir + "/direct");
  EXPECT_NE(want.find("\"at\":\"2024-02-11 01:30:15\""), std::string::npos) << "timestamps inferred";
  for (const std::string codec : {"snappy", "zstd", "gzip", "none"}) {
    auto p = Dataset::ReadCsv({dir + "/in.csv"}).WriteParquet(dir + "/pq-" + codec, codec);
    ASSERT_TRUE(p.ok) << p.error;
    auto back = Dataset::ReadParquet({dir + "/pq-" + codec}).WriteJsonl(dir + "/from-pq-" + codec);
    ASSERT_TRUE(back.ok) << back.error;
    EXPECT_EQ(back.rows_written, 500);
    EXPECT_EQ(ReadAll(dir + "/from-pq-" + codec), want) << codec;
  }
  auto j = Dataset::ReadJsonl({dir + "/direct"}).WriteCsv(dir + "/csv2");
  ASSERT_TRUE(j.ok) << j.error;
  auto c = Dataset::ReadCsv({dir + "/csv2"}).WriteJsonl(dir + "/final");
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(ReadAll(dir + "/final"), want);
  auto wrong = Dataset::ReadCsv({dir + "/in.csv"}).WriteParquet(dir + "/x", "lz4");
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.error.find("compression must be snappy, zstd, gzip or none"), std::string::npos) << wrong.error;
  auto not_parquet = Dataset::ReadParquet({dir + "/in.csv"}).WriteJsonl(dir + "/y");
  EXPECT_FALSE(not_parquet.ok);
  EXPECT_NE(not_parquet.error.find("in.csv: not a Parquet file"), std::string::npos) << not_parquet.error;
}

// The runner only emits events; what the CLI prints is drawn from them. A
// recording observer sees every stage's parts finish and a report that
// accounts for every row, step by step.
class Recorder : public strata::data::RunObserver {
 public:
  void OnProgress(const strata::data::StageProgress& p) override { last[p.stage] = p; }
  void OnStageEnd(const std::string& stage) override { ended.push_back(stage); }
  void OnFinish(const strata::data::RunReport& r) override {
    report = r;
    ++finishes;
  }
  std::map<std::string, strata::data::StageProgress> last;
  std::vector<std::string> ended;
  strata::data::RunReport report;
  int finishes = 0;
};

TEST_F(DatasetApi, TheRunnerReportsProgressAndEveryRowThroughEvents) {
  namespace d = strata::data;
  const auto dir = std::filesystem::temp_directory_path() / ("strata-events-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir / "in.csv");
    csv << "k,v\n";
    for (int i = 0; i < 1000; ++i) csv << i % 5 << "," << i << "\n";
    csv << "oops\n";  // a bad record: wrong field count
  }
  std::ofstream(dir / "p.yaml") << "read: {format: csv, paths: [" << (dir / "in.csv").string()
                                << "], on_bad_record: skip}\n"
                                   "steps:\n  - filter: \"v >= 100\"\n"
                                   "  - groupby: {by: [k], agg: {n: \"count()\"}}\n"
                                   "write: {format: jsonl, path: " << (dir / "out").string() << "}\n";
  const strata::Result<d::PipelineSpec> spec = d::LoadPipeline((dir / "p.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  Recorder rec;
  d::RunOptions options;
  options.observer = &rec;
  d::RunReport report;
  ASSERT_EQ(d::RunPipeline(*spec, options, &report), 0) << report.error;
  EXPECT_EQ(rec.finishes, 1);
  ASSERT_TRUE(rec.last.count("read"));
  EXPECT_EQ(rec.last["read"].done, rec.last["read"].total);
  EXPECT_EQ(rec.last["read"].rows, 1000);
  ASSERT_TRUE(rec.last.count("step 2 groupby")) << "the shuffle stage reports its parts";
  EXPECT_EQ(rec.last["step 2 groupby"].done, rec.last["step 2 groupby"].total);
  EXPECT_EQ(rec.ended.front(), "read");
  EXPECT_EQ(rec.report.rows_read, 1001);
  EXPECT_EQ(rec.report.rows_bad, 1);
  EXPECT_EQ(rec.report.rows_written, 5);
  ASSERT_EQ(rec.report.steps.size(), 2u);
  EXPECT_EQ(rec.report.steps[0].op, "filter");
  EXPECT_EQ(rec.report.steps[0].rows_in, 1000);
  EXPECT_EQ(rec.report.steps[0].rows_out, 900);
  EXPECT_EQ(rec.report.steps[1].rows_in, 900);
  EXPECT_EQ(rec.report.steps[1].rows_out, 5);
  EXPECT_EQ(report.rows_written, rec.report.rows_written);  // the caller's copy matches
}

TEST_F(DatasetApi, StepCountersAddUpBeforeAndAfterAShuffle) {
  namespace d = strata::data;
  const auto dir = std::filesystem::temp_directory_path() / ("strata-counters-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream docs(dir / "docs.jsonl");
    for (int i = 0; i < 40; ++i) {
      // 10 too short; 10 copies of one lorem ipsum page; 20 different good ones.
      if (i < 10) docs << "{\"text\": \"Too short " << i << ".\"}\n";
      else if (i < 20) docs << "{\"text\": \"The text says lorem ipsum dolor sit amet here.\"}\n";
      else docs << "{\"text\": \"Document number " << i << " has a few words and ends well.\"}\n";
    }
  }
  std::ofstream(dir / "p.yaml") << "read: {format: jsonl, paths: [" << (dir / "docs.jsonl").string() << "]}\n"
                                   "steps:\n  - gopher_quality: {min_doc_words: 5, min_stop_words: 0}\n"
                                   "  - dedup: {columns: [text]}\n"
                                   "  - c4_quality: {min_num_sentences: 1}\n"
                                   "write: {format: jsonl, path: " << (dir / "out").string() << "}\n";
  const strata::Result<d::PipelineSpec> spec = d::LoadPipeline((dir / "p.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  d::RunReport report;
  ASSERT_EQ(d::RunPipeline(*spec, d::RunOptions(), &report), 0) << report.error;
  ASSERT_EQ(report.steps.size(), 3u);
  EXPECT_EQ(report.steps[0].counters["gopher_short_doc"], 10);  // in the map tasks
  EXPECT_EQ(report.steps[1].rows_out, 21);                       // the copies went
  EXPECT_TRUE(report.steps[2].row_local);                        // after the shuffle, in the reducers
  EXPECT_EQ(report.steps[2].counters["lorem_ipsum"], 1);
  EXPECT_EQ(report.rows_written, 20);
}

}  // namespace
