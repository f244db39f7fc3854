// Pipelines for real: a dataset ten times larger than the object store
// streams through (bounded memory, exact results), and group-by and join run
// on a cluster of three node processes with the same results as on one.
#include <fstream>
#include <string>

#include "e2e/cluster_fixture.h"

namespace {

using strata::testing::ClusterTest;
using strata::testing::CountState;
using strata::testing::kCli;
using strata::testing::Result;
using strata::testing::Shell;
using strata::testing::StatusWhen;

const std::string kGolden = STRATA_GOLDEN_DIR;

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST_F(ClusterTest, DatasetTenTimesTheObjectStoreStreamsThrough) {
  // 8 MiB of store; about 90 MB of CSV.
  const std::string address = StartHead("--num-cpus 2 --object-store-memory 8388608");
  const std::string data = dir_ + "/big";
  std::filesystem::create_directories(data);
  ASSERT_EQ(Shell("seq 1 4000000 | awk 'BEGIN {print \"id,bucket,amount,label\"} "
                  "{printf \"%d,%d,%.1f,row-%d\\n\", $1, $1 % 7, ($1 % 1000) / 10, $1}' > " +
                  data + "/big.csv")
                .code,
            0);
  EXPECT_GT(std::filesystem::file_size(data + "/big.csv"), 80u << 20);
  Write(data + "/agg.yaml", R"Y(read: {format: csv, paths: [big.csv]}
steps:
  - filter: "amount >= 50"
  - groupby: {by: [bucket], agg: {n: "count()", total: "sum(id)"}}
  - sort: {by: [bucket]}
write: {format: jsonl, path: out/agg}
)Y");
  Write(data + "/copy.yaml", R"Y(read: {format: csv, paths: [big.csv]}
steps:
  - filter: "id % 3 = 0"
  - select: [id, label]
write: {format: csv, path: out/copy}
)Y");
  Result agg = Shell("cd " + data + " && STRATA_ADDRESS=" + address + " " + kCli +
                     " run agg.yaml --no-progress");
  ASSERT_EQ(agg.code, 0) << agg.output;
  // The same computed by awk, independently.
  const std::string expected =
      Shell("awk -F, 'NR > 1 && $3 >= 50 {n[$2]++; t[$2] += $1} END {for (b = 0; b < 7; b++) "
            "printf \"{\\\"bucket\\\":%d,\\\"n\\\":%d,\\\"total\\\":%.0f}\\n\", b, n[b], t[b]}' " +
            data + "/big.csv")
          .output;
  EXPECT_EQ(Shell("cat " + data + "/out/agg/*").output, expected);
  EXPECT_NE(agg.output.find("read 4,000,000 rows"), std::string::npos) << agg.output;

  Result copy = Shell("cd " + data + " && STRATA_ADDRESS=" + address + " " + kCli +
                      " run copy.yaml --no-progress");
  ASSERT_EQ(copy.code, 0) << copy.output;
  // Every third row, each part with its header line.
  const std::string rows = Shell("cat " + data + "/out/copy/* | grep -vc '^id,label$'").output;
  EXPECT_EQ(rows, "1333333\n");
  EXPECT_NE(copy.output.find("wrote 1,333,333 rows"), std::string::npos) << copy.output;
  const std::string files = Shell("ls " + data + "/out/copy | wc -l").output;
  EXPECT_GT(std::stoi(files), 5) << "one file per part";

  // A sort of all of it: a range shuffle whose parts go through the 8 MiB
  // store (spilling), each range sorted by its own task and written in order.
  Write(data + "/sort.yaml", R"Y(read: {format: csv, paths: [big.csv]}
steps:
  - sort: {by: [amount, id], descending: [true, false]}
write: {format: csv, path: out/sorted}
)Y");
  Result sorted = Shell("cd " + data + " && STRATA_ADDRESS=" + address + " " + kCli +
                        " run sort.yaml --no-progress");
  ASSERT_EQ(sorted.code, 0) << sorted.output;
  EXPECT_EQ(Shell("cd " + data + " && for f in out/sorted/*; do tail -n +2 $f; done | awk -F, "
                  "'NR > 1 && ($3 > a || ($3 == a && $1 < i)) {bad++} {a = $3; i = $1} END {print NR, bad + 0}'")
                .output,
            "4000000 0\n");
  EXPECT_GT(std::stoi(Shell("ls " + data + "/out/sorted | wc -l").output), 1) << "one file per range";
  // (Spills finish in the background: the count may trail the run a little.)
  auto spills = [](const nlohmann::json& j) {
    int64_t n = 0;
    for (const auto& node : j["nodes"]) n += node["object_store"]["spill_count"].get<int64_t>();
    return n;
  };
  EXPECT_GT(spills(StatusWhen([&](const nlohmann::json& j) { return spills(j) > 0; })), 0)
      << "ten times the store went through it: some of it was spilled";
}

TEST_F(ClusterTest, GroupByAndJoinOnThreeNodesMatchOneNode) {
  const std::string address = StartHead("--num-cpus 1");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(Shell(kCli + " start --address " + address + " --num-cpus 2").code, 0);
  }
  StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 3; });
  // The golden ETL case, run on the cluster with small parts so that every
  // node gets some.
  const std::string work = dir_ + "/etl";
  ASSERT_EQ(Shell("cp -r " + kGolden + "/etl_borough " + work).code, 0);
  // Many copies of the input: enough parts to spread.
  for (int i = 0; i < 40; ++i) {
    Shell("tail -n +2 " + work + "/data/trips.csv >> " + work + "/data/trips_more.csv");
  }
  Shell("(head -1 " + work + "/data/trips.csv; cat " + work + "/data/trips_more.csv) > " + work +
        "/data/trips_big.csv && rm " + work + "/data/trips_more.csv");
  Result r = Shell("cd " + work + " && STRATA_ADDRESS=" + address + " " + kCli +
                   " run pipeline.yaml --no-progress");
  ASSERT_EQ(r.code, 0) << r.output;
  // 41 copies of each trip: counts and sums are 41 times the golden ones.
  const std::string got = Shell("cat " + work + "/out/result/*").output;
  EXPECT_EQ(got,
            "{\"borough\":\"Brooklyn\",\"trips\":41,\"km\":451,\"avg_total\":53}\n"
            "{\"borough\":\"Manhattan\",\"trips\":41,\"km\":512.5,\"avg_total\":60.5}\n"
            "{\"borough\":\"Queens\",\"trips\":41,\"km\":615,\"avg_total\":61}\n");
  EXPECT_EQ(Shell("wc -l < " + work + "/out/result.quarantine.jsonl").output, "41\n")
      << "the bad row of every copy is quarantined";
  // The same join as a shuffle (both sides hash-partitioned, joined part by
  // part on every node), then a shuffled dedup: the same numbers.
  Shell("sed -i 's/how: inner}/how: inner, strategy: shuffle}/' " + work + "/pipeline.yaml");
  r = Shell("cd " + work + " && STRATA_ADDRESS=" + address + " " + kCli + " run pipeline.yaml --no-progress");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(Shell("cat " + work + "/out/result/*").output, got);
  std::ofstream(work + "/dedup.yaml") << "read: {format: csv, paths: [data/trips_big.csv], on_bad_record: skip}\n"
                                         "steps:\n  - dedup: [trip_id]\n  - sort: {by: [trip_id]}\n"
                                         "write: {format: csv, path: out/dedup}\n";
  r = Shell("cd " + work + " && STRATA_ADDRESS=" + address + " " + kCli + " run dedup.yaml --no-progress");
  ASSERT_EQ(r.code, 0) << r.output;
  // A sort across the nodes: sampled key ranges, one sorted part per range.
  std::ofstream(work + "/sort.yaml") << "read: {format: csv, paths: [data/trips_big.csv]}\n"
                                        "steps:\n  - sort: {by: [distance_km, trip_id], descending: [true, false]}\n"
                                        "write: {format: csv, path: out/sorted}\n";
  r = Shell("cd " + work + " && STRATA_ADDRESS=" + address + " " + kCli + " run sort.yaml --no-progress");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(Shell("cd " + work + " && for f in out/sorted/*; do tail -n +2 $f; done | cut -d, -f1,6 | md5sum").output,
            Shell("cd " + work + " && tail -n +2 data/trips_big.csv | cut -d, -f1,6 | sort -t, -k2,2gr -k1,1g | md5sum").output);
  // (dedup, then sort: two shuffles in a row; each sorted range is a part
  // with its own header line.)
  EXPECT_EQ(Shell("cd " + work + " && for f in out/dedup/*; do tail -n +2 $f; done | cut -d, -f1 | tr '\\n' ' '").output,
            Shell("tail -n +2 " + work + "/data/trips.csv | cut -d, -f1 | sort -n | tr '\\n' ' '").output);
  EXPECT_GT(std::stoi(Shell("ls " + work + "/out/dedup | wc -l").output), 1)
      << "the sort after the dedup ran as its own shuffle, one part per range";
}

}  // namespace
