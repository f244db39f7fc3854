// The C++ Dataset API: the golden ETL case written as code, run as tasks of
// this test program (its own workers), with the same result as the file.
#include <strata/data.h>
#include <strata/strata.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace {

using strata::data::Dataset;

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

}  // namespace
