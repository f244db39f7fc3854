#include "process/output_lines.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "rpc/messages.h"

namespace strata::process {

namespace {
// Longer lines are cut: one runaway print must not become one huge message.
constexpr size_t kMaxLineBytes = 4096;
}  // namespace

ProcessOutputs::~ProcessOutputs() {
  std::vector<int> fds;
  for (const auto& [fd, out] : outputs_) fds.push_back(fd);
  for (int fd : fds) Close(fd);
}

void ProcessOutputs::Add(int fd, const std::string& log_path, pid_t pid, rpc::ConnId driver) {
  Add(
      fd, log_path, pid,
      [this, driver](const rpc::LogLines& msg) {
        if (loop_->IsOpen(driver)) loop_->Send(driver, rpc::MsgType::kLogLines, msg);
      },
      nullptr);
}

void ProcessOutputs::Add(int fd, const std::string& log_path, pid_t pid, LineSink sink,
                        std::function<void()> on_end) {
  Output& out = outputs_[fd];
  out.log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  out.pid = pid;
  out.sink = std::move(sink);
  out.on_end = std::move(on_end);
  loop_->Watch(fd, [this, fd] { OnReadable(fd); });
}

void ProcessOutputs::OnReadable(int fd) {
  auto it = outputs_.find(fd);
  if (it == outputs_.end()) return;
  Output& out = it->second;
  rpc::LogLines msg;
  msg.pid = out.pid;
  bool eof = false;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
      break;
    }
    if (out.log_fd >= 0) {
      [[maybe_unused]] ssize_t w = write(out.log_fd, buf, static_cast<size_t>(n));
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        msg.lines.push_back(std::move(out.partial));
        out.partial.clear();
      } else if (out.partial.size() < kMaxLineBytes) {
        out.partial += buf[i];
      }
    }
  }
  if (eof && !out.partial.empty()) msg.lines.push_back(std::move(out.partial));
  if (!msg.lines.empty()) out.sink(msg);
  if (eof) {
    std::function<void()> on_end = std::move(out.on_end);
    Close(fd);
    if (on_end) on_end();
  }
}

void ProcessOutputs::Close(int fd) {
  auto it = outputs_.find(fd);
  if (it == outputs_.end()) return;
  loop_->Unwatch(fd);
  close(fd);
  if (it->second.log_fd >= 0) close(it->second.log_fd);
  outputs_.erase(it);
}

}  // namespace strata::process
