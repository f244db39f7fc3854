// What an unauthenticated peer can make a server hold: frames of a few hundred
// KiB at most, for a bounded time, on a bounded number of connections.
#include "rpc/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "rpc/socket.h"

namespace strata::rpc {
namespace {

using namespace std::chrono_literals;

// Trusts a connection once it sends a Hello-typed frame (standing in for a
// checked handshake); records why connections closed.
class Recorder : public EventLoop::Handler {
 public:
  EventLoop* loop = nullptr;
  void OnFrame(ConnId id, MsgType type, const char*, size_t size) override {
    std::lock_guard<std::mutex> lock(mu);
    if (type == MsgType::kHello) loop->Trust(id);
    frames_bytes += size;
  }
  void OnDisconnect(ConnId id, const std::string& reason) override {
    std::lock_guard<std::mutex> lock(mu);
    closed[id] = reason;
  }
  void OnRound() override {}
  std::string AnyReasonContaining(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [id, r] : closed) {
      if (r.find(text) != std::string::npos) return r;
    }
    return "";
  }
  size_t num_closed() {
    std::lock_guard<std::mutex> lock(mu);
    return closed.size();
  }
  std::mutex mu;
  std::map<ConnId, std::string> closed;
  size_t frames_bytes = 0;
};

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_ = std::make_unique<EventLoop>(&recorder_);
    recorder_.loop = loop_.get();
    loop_->set_handshake_timeout(400ms);
    const Result<int> fd = ListenOn("127.0.0.1:0", &address_);
    ASSERT_TRUE(fd.ok()) << fd.status().message();
    loop_->AddListener(*fd);
    thread_ = std::thread([this] { loop_->Run(20); });
  }
  void TearDown() override {
    loop_->Stop();
    thread_.join();
    for (int fd : clients_) close(fd);
  }
  int Connect() {
    const Result<int> fd = ConnectTo(address_, 2000);
    EXPECT_TRUE(fd.ok()) << fd.status().message();
    const int raw = fd.ok() ? *fd : -1;
    clients_.push_back(raw);
    return raw;
  }
  static void SendHeader(int fd, uint32_t len, MsgType type) {
    char h[5];
    for (int i = 0; i < 4; ++i) h[i] = static_cast<char>(len >> (8 * i));
    h[4] = static_cast<char>(type);
    ASSERT_TRUE(WriteAll(fd, h, sizeof(h)));
  }
  template <class Pred>
  static bool Eventually(Pred pred) {
    for (int i = 0; i < 150 && !pred(); ++i) std::this_thread::sleep_for(20ms);
    return pred();
  }

  Recorder recorder_;
  std::unique_ptr<EventLoop> loop_;
  std::string address_;
  std::thread thread_;
  std::vector<int> clients_;
};

TEST_F(LimitsTest, ABigFrameBeforeTheHandshakeIsRefusedAtItsHeader) {
  SendHeader(Connect(), 512u << 20, MsgType::kHello);
  EXPECT_TRUE(Eventually([&] { return !recorder_.AnyReasonContaining("before the handshake").empty(); }))
      << "the announced 512 MiB frame was buffered";
}

TEST_F(LimitsTest, SilentConnectionsAreClosedAfterTheHandshakeTimeout) {
  Connect();
  Connect();
  EXPECT_TRUE(Eventually([&] { return recorder_.num_closed() == 2; }));
  EXPECT_NE(recorder_.AnyReasonContaining("no handshake within 400 ms"), "");
}

TEST_F(LimitsTest, ATrustedConnectionMaySendBigFramesAndStayIdle) {
  const int fd = Connect();
  SendHeader(fd, 1, MsgType::kHello);  // an empty Hello: the recorder trusts it
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(recorder_.mu);
    return recorder_.frames_bytes == 0 && recorder_.closed.empty();
  }));
  SendHeader(fd, 8u << 20, MsgType::kHello);  // announced, not sent
  std::this_thread::sleep_for(800ms);         // twice the handshake timeout
  EXPECT_EQ(recorder_.num_closed(), 0u) << recorder_.AnyReasonContaining("");
}

TEST_F(LimitsTest, UnauthenticatedConnectionsAreCapped) {
  for (size_t i = 0; i < EventLoop::kMaxUntrusted + 20; ++i) Connect();
  // The ones past the cap are closed on accept: their reads see the end.
  int ended = 0;
  for (size_t i = EventLoop::kMaxUntrusted; i < clients_.size(); ++i) {
    char c;
    struct timeval tv{2, 0};
    setsockopt(clients_[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ended += read(clients_[i], &c, 1) == 0;
  }
  EXPECT_EQ(ended, 20);
}

}  // namespace
}  // namespace strata::rpc
