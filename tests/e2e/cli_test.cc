// The `strata` binary for real: start a head daemon, read its status, run a
// driver against it, feed it garbage, stop it; and bad flags.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <random>

#include <gtest/gtest.h>

#include "e2e/shell.h"
#include <nlohmann/json.hpp>

#include "rpc/framing.h"

namespace {

using strata::testing::Result;
using strata::testing::Shell;

const std::string kCli = STRATA_CLI_PATH;

// Each test gets its own STRATA_TMPDIR (so its own cluster record): ctest runs
// tests in parallel, and `strata stop` acts on whatever the record names.
class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("STRATA_TMPDIR");
    const std::string dir = std::string(base ? base : "/tmp/strata") + "/" +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    setenv("STRATA_TMPDIR", dir.c_str(), 1);
  }
};

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  return ntohs(sa.sin_port);
}

void SendRaw(int port, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  char buf[256];
  while (read(fd, buf, sizeof(buf)) > 0) {
  }  // the agent closes on us
  close(fd);
}

TEST_F(Cli, StartStatusDriverStop) {
  Shell(kCli + " stop");
  const int port = FreePort();
  Result start = Shell(kCli + " start --head --port " + std::to_string(port) +
                     " --num-cpus 2 --resources '{\"intel\": 1}'");
  ASSERT_EQ(start.code, 0) << start.output;
  EXPECT_NE(start.output.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << start.output;

  Result again = Shell(kCli + " start --head --port " + std::to_string(FreePort()));
  EXPECT_NE(again.code, 0);
  EXPECT_NE(again.output.find("already running"), std::string::npos) << again.output;

  Result status = Shell(kCli + " status --json");
  ASSERT_EQ(status.code, 0) << status.output;
  nlohmann::json s = nlohmann::json::parse(status.output);
  ASSERT_EQ(s["nodes"].size(), 1u);
  EXPECT_EQ(s["nodes"][0]["resources_total"]["CPU"], 2.0);
  EXPECT_EQ(s["nodes"][0]["resources_total"]["intel"], 1.0);
  EXPECT_EQ(s["nodes"][0]["state"], "ALIVE");

  // A driver with no configuration finds the running cluster and uses it.
  Result driver = Shell(std::string(STRATA_QUICKSTART_PATH) + " 8 2000");
  EXPECT_EQ(driver.code, 0) << driver.output;
  EXPECT_NE(driver.output.find("matching results"), std::string::npos) << driver.output;

  // Garbage on the wire closes that connection; the agent keeps serving.
  SendRaw(port, std::string("\xff\xff\xff\x7fgarbage", 11));
  SendRaw(port, std::string("\x03\x00\x00\x00\x01\xc1\xc1", 7));  // Hello with a bad body

  Result text = Shell(kCli + " status");
  ASSERT_EQ(text.code, 0) << text.output;
  EXPECT_NE(text.output.find("2 CPU"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("1 total"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Logs:"), std::string::npos) << text.output;

  // The cluster token: without the right one, nothing gets in, and the head logs it.
  Result wrong = Shell("STRATA_TOKEN=not-the-token " + kCli + " status");
  EXPECT_NE(wrong.code, 0);
  EXPECT_NE(wrong.output.find("wrong cluster token"), std::string::npos) << wrong.output;
  // No record to read the token from (another STRATA_TMPDIR), none given.
  Result missing = Shell("STRATA_TMPDIR=/nonexistent " + kCli + " status --address 127.0.0.1:" +
                         std::to_string(port));
  EXPECT_NE(missing.code, 0);
  EXPECT_NE(missing.output.find("missing cluster token"), std::string::npos) << missing.output;
  Result bad_driver = Shell("STRATA_TOKEN=not-the-token " + std::string(STRATA_QUICKSTART_PATH) +
                            " 2 100");
  EXPECT_NE(bad_driver.code, 0);
  EXPECT_NE(bad_driver.output.find("wrong cluster token"), std::string::npos) << bad_driver.output;
  const char* tmp = std::getenv("STRATA_TMPDIR");
  const std::string record_path = std::string(tmp ? tmp : "/tmp/strata") + "/cluster.json";
  const nlohmann::json record = nlohmann::json::parse(Shell("cat " + record_path).output);
  const std::string session = record["session_dir"];
  const std::string token = record["token"];
  EXPECT_EQ(token.size(), 32u);
  EXPECT_EQ(Shell("stat -c %a " + record_path).output, "600\n");
  EXPECT_EQ(Shell("stat -c %a " + session + "/token").output, "600\n");
  Result right = Shell("STRATA_TOKEN=" + token + " " + kCli + " status --address 127.0.0.1:" +
                       std::to_string(port));
  EXPECT_EQ(right.code, 0) << right.output;
  Result log = Shell("grep -c 'refused a connection' " + session + "/logs/head.log");
  EXPECT_GE(std::atoi(log.output.c_str()), 3) << log.output;

  Result stop = Shell(kCli + " stop");
  EXPECT_EQ(stop.code, 0) << stop.output;
  Result gone = Shell(kCli + " status");
  EXPECT_NE(gone.code, 0);
  EXPECT_NE(gone.output.find("no running cluster"), std::string::npos) << gone.output;
}

// Connects, says a valid Hello with the token, then sends `frames` raw bytes
// and reads until the agent closes or 30 ms pass.
void HelloThenRaw(int port, const std::string& token, strata::rpc::Role role,
                  const std::string& frames) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  timeval tv{0, 30000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  strata::rpc::Hello hello;
  hello.role = role;
  hello.token = token;
  std::string bytes;
  strata::rpc::AppendFrame(&bytes, strata::rpc::MsgType::kHello, hello);
  bytes += frames;
  [[maybe_unused]] ssize_t n = write(fd, bytes.data(), bytes.size());
  char buf[4096];
  while (read(fd, buf, sizeof(buf)) > 0) {
  }
  close(fd);
}

TEST_F(Cli, HostileMessagesNeverCrashTheAgent) {
  Shell(kCli + " stop");
  const int port = FreePort();
  ASSERT_EQ(Shell(kCli + " start --head --port " + std::to_string(port) + " --token fuzz").code, 0);
  std::mt19937 rng(42);
  // Valid bodies of every message type, then mutated: flipped bytes, cut short.
  std::vector<std::string> seeds;
  {
    std::vector<strata::rpc::TaskSpec> specs(2);
    specs[0].function = "Square";
    specs[0].args.push_back({true, strata::ObjectId::Generate(), ""});
    std::vector<strata::rpc::ObjectInfo> objects(1);
    objects[0].state = strata::rpc::ObjectState::kSpilled;
    objects[0].path = "/etc/passwd";  // outside the spill directory: must be refused
    std::string f;
    strata::rpc::AppendFrame(&f, strata::rpc::MsgType::kSubmitTasks, specs);
    seeds.push_back(f);
    f.clear();
    strata::rpc::AppendFrame(&f, strata::rpc::MsgType::kPutObjects, objects);
    seeds.push_back(f);
    f.clear();
    strata::rpc::AppendFrame(&f, strata::rpc::MsgType::kRefDeltas,
                             std::vector<strata::rpc::RefDelta>{{strata::ObjectId::Generate(), -5}});
    seeds.push_back(f);
    f.clear();
    strata::rpc::AppendFrame(&f, strata::rpc::MsgType::kTaskResults,
                             std::vector<strata::rpc::TaskResult>(1));
    seeds.push_back(f);
  }
  for (int i = 0; i < 300; ++i) {
    std::string frame = seeds[rng() % seeds.size()];
    const int mode = i % 3;
    if (mode == 1) {
      for (int k = 0; k < 3; ++k) {
        const size_t at = strata::rpc::kFrameHeaderBytes + rng() % (frame.size() - 5);
        frame[at] = static_cast<char>(rng());
      }
    } else if (mode == 2) {
      frame[4] = static_cast<char>(1 + rng() % strata::rpc::kMaxMsgType);  // any type, this body
    }
    // Mostly as a driver, whose handlers accept the most message types.
    HelloThenRaw(port, "fuzz", i % 5 == 0 ? strata::rpc::Role::kCli : strata::rpc::Role::kDriver,
                 frame);
  }
  Result status = Shell("STRATA_TOKEN=fuzz " + kCli + " status --json");
  EXPECT_EQ(status.code, 0) << status.output;
  EXPECT_EQ(nlohmann::json::parse(status.output)["nodes"][0]["state"], "ALIVE");
  Result driver = Shell(std::string(STRATA_QUICKSTART_PATH) + " 4 1000");
  EXPECT_EQ(driver.code, 0) << driver.output;
  EXPECT_EQ(Shell(kCli + " stop").code, 0);
}

TEST_F(Cli, BadFlagsGiveAClearError) {
  Result r = Shell(kCli + " start --head --num-cpus lots");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--num-cpus"), std::string::npos) << r.output;

  r = Shell(kCli + " start --head --resources '{\"intel\": '");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("--resources is not valid JSON"), std::string::npos) << r.output;

  r = Shell(kCli + " start --head --resources '{\"intel\": -1}'");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("non-negative"), std::string::npos) << r.output;

  r = Shell(kCli + " frobnicate");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("frobnicate"), std::string::npos) << r.output;

  r = Shell(kCli + " status --address 127.0.0.1:1");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("127.0.0.1:1"), std::string::npos) << r.output;
}

// A head told --num-cpus 0 offers no CPU (0 is none, not "all"), and a token
// read from --token-file is the cluster's token yet never on any argv.
TEST_F(Cli, TokenFromAFileAndAHeadWithNoCpus) {
  const std::string dir = std::getenv("STRATA_TMPDIR");
  ASSERT_EQ(Shell("mkdir -p " + dir + " && printf 'from-a-file-1234\\n' > " + dir + "/tok").code, 0);
  Result start = Shell(kCli + " start --head --port 0 --num-cpus 0 --token-file " + dir + "/tok");
  ASSERT_EQ(start.code, 0) << start.output;
  const auto record = nlohmann::json::parse(Shell("cat " + dir + "/cluster.json").output);
  EXPECT_EQ(record["token"], "from-a-file-1234");
  Result argv = Shell("cat /proc/" + std::to_string(record["pid"].get<int>()) + "/cmdline | tr '\\0' ' '");
  EXPECT_EQ(argv.output.find("from-a-file-1234"), std::string::npos) << argv.output;

  Result wrong = Shell("STRATA_TOKEN=not-it " + kCli + " status --json");
  EXPECT_NE(wrong.code, 0);
  Result status = Shell("STRATA_TOKEN=from-a-file-1234 " + kCli + " status --json");
  ASSERT_EQ(status.code, 0) << status.output;
  const auto s = nlohmann::json::parse(status.output);
  ASSERT_EQ(s["nodes"].size(), 1u) << s.dump(1);
  EXPECT_EQ(s["nodes"][0]["resources_total"].value("CPU", 0.0), 0.0) << s.dump(1);
  EXPECT_EQ(s["nodes"][0]["workers"]["total"], 0) << s.dump(1);
  Shell(kCli + " stop");

  Result empty = Shell(": > " + dir + "/empty && " + kCli + " start --head --token-file " + dir + "/empty");
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.output.find(dir + "/empty holds no token"), std::string::npos) << empty.output;
}

}  // namespace
