// Job code on other machines: a node that lacks the job's program fetches it
// by content from the node that sends it work; nodes of another architecture
// get none of a job's work unless it brings a binary for them; and
// `strata job submit|list|logs|stop` runs drivers on the head.
#include <algorithm>
#include <map>
#include <string>

#include "e2e/cluster_fixture.h"

namespace {

using strata::testing::ClusterTest;
using strata::testing::CountState;
using strata::testing::kCli;
using strata::testing::kDriver;
using strata::testing::Result;
using strata::testing::Shell;
using strata::testing::StatusWhen;

std::string Sha256Sum(const std::string& path) {
  return Shell("sha256sum " + path + " | cut -d' ' -f1 | tr -d '\\n'").output;
}

nlohmann::json LastJsonLine(const std::string& output) {
  const size_t start = output.rfind("\n{");
  const std::string line = output.substr(start == std::string::npos ? 0 : start + 1);
  return nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
}

TEST_F(ClusterTest, NodeFetchesTheJobProgramByContentIntoItsCache) {
  const std::string address = StartHead("--num-cpus 1");
  const std::string cache = dir_ + "/cache-of-node-b";
  ASSERT_EQ(Shell("STRATA_BINARY_CACHE=" + cache + " " + kCli + " start --address " + address +
                  " --num-cpus 2 --resources '{\"nodeb\": 1}'")
                .code,
            0);
  StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 2; });

  Result r = Shell("STRATA_ADDRESS=" + address + " " + kDriver + " exe 6 0 nodeb");
  ASSERT_EQ(r.code, 0) << r.output;
  const nlohmann::json got = LastJsonLine(r.output);
  // Every task on node B ran the program from B's cache, named by its hash
  // (computed here by another implementation).
  const std::string cached = cache + "/" + Sha256Sum(kDriver);
  ASSERT_EQ(got["nodes"].size(), 1u) << r.output;
  EXPECT_EQ(got["nodes"].begin().key(), cached) << r.output;
  EXPECT_EQ(got["nodes"].begin().value(), 6);
  EXPECT_EQ(Shell("test -x " + cached).code, 0);
  EXPECT_EQ(Sha256Sum(cached), Sha256Sum(kDriver));

  // What a task prints on node B reaches the driver, naming the node.
  Result say = Shell("STRATA_ADDRESS=" + address + " " + kDriver + " say 1 0 nodeb");
  ASSERT_EQ(say.code, 0) << say.output;
  EXPECT_NE(say.output.find(", node="), std::string::npos) << say.output;
  EXPECT_NE(say.output.find(") printed far away"), std::string::npos) << say.output;
}

TEST_F(ClusterTest, NodesOfAnotherArchitectureGetNoWorkWithoutABinaryForThem) {
  const std::string address = StartHead("--num-cpus 2");
  // One machine plays an arm64 node: its agent reports arm64 (testing knob).
  ASSERT_EQ(Shell("STRATA_NODE_ARCH=arm64 " + kCli + " start --address " + address +
                  " --num-cpus 2 --resources '{\"armnode\": 1}'")
                .code,
            0);
  nlohmann::json s = StatusWhen([](const nlohmann::json& j) { return CountState(j, "ALIVE") == 2; });
  std::string arm_node;
  for (const auto& n : s["nodes"]) {
    if (n["arch"] == "arm64") arm_node = n["node_id"];
  }
  ASSERT_FALSE(arm_node.empty()) << s.dump(1);

  // Spread over every node: the arm64 node is skipped, all work runs on x86_64.
  Result spread = Shell("STRATA_ADDRESS=" + address + " " + kDriver + " spreadall 20 5");
  ASSERT_EQ(spread.code, 0) << spread.output;
  const nlohmann::json placed = LastJsonLine(spread.output);
  EXPECT_EQ(placed["count"], 20);
  EXPECT_FALSE(placed["nodes"].contains(arm_node)) << spread.output;

  // Work only the arm64 node can take fails there, saying why.
  Result only_arm = Shell("STRATA_ADDRESS=" + address + " " + kDriver + " exe 2 0 armnode");
  ASSERT_EQ(only_arm.code, 0) << only_arm.output;
  const std::string error = LastJsonLine(only_arm.output).value("error", "");
  EXPECT_NE(error.find("is arm64"), std::string::npos) << only_arm.output;
  EXPECT_NE(error.find("no executable for it (it has: x86_64)"), std::string::npos) << error;

  // A binary of the wrong architecture is refused when the driver starts.
  Result wrong = Shell("STRATA_JOB_BINARIES=arm64=" + kDriver + " STRATA_ADDRESS=" + address +
                       " " + kDriver + " exe 1 0 armnode");
  EXPECT_NE(wrong.code, 0);
  EXPECT_NE(wrong.output.find("is built for x86_64, not arm64"), std::string::npos)
      << wrong.output;
}

TEST_F(ClusterTest, SubmittedJobsUploadRunStreamAndStop) {
  setenv("STRATA_BINARY_CACHE", (dir_ + "/head-cache").c_str(), 1);
  const std::string address = StartHead("--num-cpus 2");
  unsetenv("STRATA_BINARY_CACHE");
  const std::string submit = kCli + " job submit --address " + address;

  Result first = Shell(submit + " -- " + kDriver + " spread 4 0");
  ASSERT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("uploaded"), std::string::npos) << first.output;
  EXPECT_EQ(LastJsonLine(first.output.substr(0, first.output.find("\njob job-")))["count"], 4)
      << "the driver's output is streamed back: " << first.output;
  EXPECT_NE(first.output.find("SUCCEEDED"), std::string::npos) << first.output;
  EXPECT_EQ(Shell("test -x " + dir_ + "/head-cache/" + Sha256Sum(kDriver)).code, 0);

  // Same content: not sent again. The driver's exit code comes back.
  Result failing = Shell(submit + " -- " + kDriver + " fail");
  EXPECT_EQ(failing.code, 3) << failing.output;
  EXPECT_NE(failing.output.find("already on the cluster"), std::string::npos) << failing.output;
  EXPECT_NE(failing.output.find("failing on purpose"), std::string::npos) << failing.output;

  Result started = Shell(submit + " --no-wait -- " + kDriver + " sleep 60");
  ASSERT_EQ(started.code, 0) << started.output;
  const size_t at = started.output.find("submitted job-");
  ASSERT_NE(at, std::string::npos) << started.output;
  const std::string id = started.output.substr(at + 10, 12);
  ASSERT_EQ(id.rfind("job-", 0), 0u) << started.output;
  Result logs;
  for (int i = 0; i < 100; ++i) {
    logs = Shell(kCli + " job logs --address " + address + " " + id);
    if (logs.output.find("sleeping 60 s") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(logs.output.find("sleeping 60 s"), std::string::npos) << logs.output;
  Result stop = Shell(kCli + " job stop --address " + address + " " + id);
  EXPECT_EQ(stop.code, 0) << stop.output;
  nlohmann::json jobs;
  for (int i = 0; i < 100; ++i) {
    jobs = nlohmann::json::parse(Shell(kCli + " job list --json --address " + address).output);
    if (jobs.size() == 3 && std::none_of(jobs.begin(), jobs.end(), [](const auto& j) {
          return j["state"] == "RUNNING";
        })) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(jobs.size(), 3u) << jobs.dump(1);
  std::map<std::string, std::string> states;
  for (const auto& j : jobs) states[j["entrypoint"].get<std::string>()] = j["state"];
  EXPECT_EQ(states[kDriver + " spread 4 0"], "SUCCEEDED");
  EXPECT_EQ(states[kDriver + " fail"], "FAILED");
  EXPECT_EQ(states[kDriver + " sleep 60"], "STOPPED");

  Result unknown = Shell(kCli + " job logs --address " + address + " job-nope");
  EXPECT_NE(unknown.code, 0);
  EXPECT_NE(unknown.output.find("no job 'job-nope'"), std::string::npos) << unknown.output;
  Result no_program = Shell(submit + " -- /nonexistent/prog");
  EXPECT_EQ(no_program.code, 2);
  EXPECT_NE(no_program.output.find("/nonexistent/prog"), std::string::npos) << no_program.output;
}

}  // namespace
