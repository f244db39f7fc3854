#include "rpc/channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rpc/socket.h"

namespace strata::rpc {

Channel::~Channel() { Stop(); }

Status Channel::Connect(const std::string& address, int timeout_ms) {
  STRATA_ASSIGN_OR_RETURN(fd_, ConnectTo(address, timeout_ms));
  return OkStatus();
}

Status Channel::ConnectAndGreet(const std::string& address, const Hello& hello, int connect_timeout_ms,
                                int reply_timeout_ms) {
  STRATA_RETURN_IF_ERROR(Connect(address, connect_timeout_ms));
  MsgType type = MsgType::kError;
  std::string body;
  if (!SendNow(MsgType::kHello, hello)) return Unavailable("no answer from " + address + ": cannot send");
  STRATA_RETURN_IF_ERROR(ReadFrame(&type, &body, reply_timeout_ms).WithContext("no answer from " + address + ": "));
  if (type == MsgType::kError) {
    return FailedPrecondition(address + " refused the connection: " + ErrorReason(body.data(), body.size()));
  }
  if (type != MsgType::kWelcome) return DataLoss("unexpected answer from " + address + " (is it a Strata node?)");
  return OkStatus();
}

bool Channel::WriteRaw(const std::string& bytes) { return WriteAll(fd_, bytes.data(), bytes.size()); }

Status Channel::ReadFrame(MsgType* type, std::string* body, int timeout_ms) {
  FrameReader reader;
  for (;;) {
    const char* b;
    size_t body_size, frame_size;
    std::string corrupt;
    auto r = reader.Next(pending_in_.data(), pending_in_.size(), type, &b, &body_size, &frame_size, &corrupt);
    if (r == FrameReader::Result::kCorrupt) return DataLoss(corrupt);
    if (r == FrameReader::Result::kFrame) {
      body->assign(b, body_size);
      pending_in_.erase(0, frame_size);
      return OkStatus();
    }
    pollfd p{fd_, POLLIN, 0};
    int pr = poll(&p, 1, timeout_ms);
    if (pr == 0) return DeadlineExceeded("timed out waiting for a reply");
    if (pr < 0 && errno == EINTR) continue;
    char buf[65536];
    ssize_t n = read(fd_, buf, sizeof(buf));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return Unavailable(n == 0 ? "connection closed by peer" : std::strerror(errno));
    }
    pending_in_.append(buf, static_cast<size_t>(n));
  }
}

void Channel::Start(FrameHandler on_frame, Drain drain, CloseHandler on_close) {
  on_frame_ = std::move(on_frame);
  drain_ = std::move(drain);
  on_close_ = std::move(on_close);
  reader_ = std::thread([this] { ReaderLoop(); });
  writer_ = std::thread([this] { WriterLoop(); });
}

void Channel::Wake() {
  if (wake_.exchange(true, std::memory_order_acq_rel)) return;  // already pending
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_one();
}

void Channel::Flush() {
  if (fd_ < 0 || !writer_.joinable()) return;
  std::lock_guard<std::mutex> lock(write_mu_);
  std::string frames;
  drain_(&frames);
  if (!frames.empty()) WriteAll(fd_, frames.data(), frames.size());
}

void Channel::Stop() {
  if (fd_ < 0) return;
  if (writer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    writer_.join();
  }
  shutdown(fd_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  close(fd_);
  fd_ = -1;
}

void Channel::ReaderLoop() {
  FrameReader reader;
  std::string buf = std::move(pending_in_);
  std::string reason;
  for (;;) {
    size_t offset = 0;
    for (;;) {
      MsgType type;
      const char* body;
      size_t body_size, frame_size;
      std::string error;
      auto r = reader.Next(buf.data() + offset, buf.size() - offset, &type, &body, &body_size,
                           &frame_size, &error);
      if (r == FrameReader::Result::kNeedMore) break;
      if (r == FrameReader::Result::kCorrupt) {
        reason = "corrupt frame from peer: " + error;
        if (on_close_) on_close_(reason);
        return;
      }
      on_frame_(type, body, body_size);
      offset += frame_size;
    }
    if (offset > 0) buf.erase(0, offset);
    const size_t old = buf.size();
    buf.resize(old + 256 * 1024);
    ssize_t n = read(fd_, buf.data() + old, 256 * 1024);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) {
        buf.resize(old);
        continue;
      }
      reason = n == 0 ? "connection closed" : std::strerror(errno);
      break;
    }
    buf.resize(old + static_cast<size_t>(n));
  }
  if (on_close_ && !stopping_) on_close_(reason);
}

void Channel::WriterLoop() {
  std::string frames;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return wake_.load() || stopping_.load(); });
    }
    wake_.store(false, std::memory_order_release);
    {
      std::lock_guard<std::mutex> write_lock(write_mu_);
      frames.clear();
      drain_(&frames);
      if (!frames.empty() && !WriteAll(fd_, frames.data(), frames.size())) return;
    }
    if (stopping_ && !wake_.load()) return;
  }
}

}  // namespace strata::rpc
