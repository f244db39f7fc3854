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

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

struct Result {
  int code;
  std::string output;
};

Result Shell(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

const std::string kCli = STRATA_CLI_PATH;

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

TEST(Cli, StartStatusDriverStop) {
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

  Result stop = Shell(kCli + " stop");
  EXPECT_EQ(stop.code, 0) << stop.output;
  Result gone = Shell(kCli + " status");
  EXPECT_NE(gone.code, 0);
  EXPECT_NE(gone.output.find("no running cluster"), std::string::npos) << gone.output;
}

TEST(Cli, BadFlagsGiveAClearError) {
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

}  // namespace
