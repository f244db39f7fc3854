#include "rpc/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "rpc/socket.h"

namespace strata::rpc {

namespace {
constexpr size_t kReadChunk = 256 * 1024;
}

EventLoop::EventLoop(Handler* handler) : handler_(handler) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
  for (auto& [id, c] : conns_) close(c->fd);
  for (int fd : listeners_) close(fd);
  close(wake_fd_);
  close(epoll_fd_);
}

void EventLoop::AddListener(int fd) {
  SetNonBlocking(fd);
  listeners_.push_back(fd);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
}

void EventLoop::Watch(int fd, std::function<void()> on_readable) {
  SetNonBlocking(fd);
  watched_[fd] = std::move(on_readable);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
}

void EventLoop::Unwatch(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  watched_.erase(fd);
}

void EventLoop::Stop() {
  stop_ = true;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
}

EventLoop::Conn* EventLoop::Find(ConnId id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.get();
}

size_t EventLoop::Backlog(ConnId id) const {
  auto it = conns_.find(id);
  return it == conns_.end() ? 0 : it->second->out.size() - it->second->out_offset;
}

bool EventLoop::IsOpen(ConnId id) const {
  auto it = conns_.find(id);
  return it != conns_.end() && !it->second->closing;
}

void EventLoop::MarkDirty(Conn* c) {
  if (!c->dirty) {
    c->dirty = true;
    dirty_.push_back(c->id);
  }
}

void EventLoop::Refuse(ConnId id, const std::string& why) {
  spdlog::error("closing connection {}: {}", id, why);
  Send(id, MsgType::kError, why);
  Close(id, why);
}

void EventLoop::Close(ConnId id, const std::string& reason) {
  Conn* c = Find(id);
  if (c == nullptr || c->closing) return;
  c->closing = true;
  c->close_reason = reason;
  to_close_.push_back(id);
}

void EventLoop::Run(int tick_ms) {
  std::vector<epoll_event> events(256);
  while (!stop_) {
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), tick_ms);
    if (n < 0 && errno != EINTR) {
      spdlog::error("epoll_wait failed: {}", std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t v;
        [[maybe_unused]] ssize_t r = read(wake_fd_, &v, sizeof(v));
        continue;
      }
      if (auto w = watched_.find(fd); w != watched_.end()) {
        auto callback = w->second;  // a copy: the callback may Unwatch itself
        callback();
        continue;
      }
      bool is_listener = false;
      for (int l : listeners_) is_listener |= (l == fd);
      if (is_listener) {
        Accept(fd);
        continue;
      }
      auto it = by_fd_.find(fd);
      if (it == by_fd_.end()) continue;
      Conn* c = Find(it->second);
      if (c == nullptr || c->closing) continue;
      if (events[i].events & EPOLLOUT) FlushConn(c);
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ReadFrom(c);
    }
    handler_->OnRound();
    CloseStaleUntrusted();
    FlushAndClose();
  }
}

void EventLoop::FlushAndClose() {
  // Closing may trigger more sends (to other peers) and more closes.
  while (!to_close_.empty() || !dirty_.empty()) {
    std::vector<ConnId> dirty;
    dirty.swap(dirty_);
    for (ConnId id : dirty) {
      if (Conn* c = Find(id)) {
        c->dirty = false;
        FlushConn(c);
      }
    }
    std::vector<ConnId> closing;
    closing.swap(to_close_);
    for (ConnId id : closing) {
      if (Conn* c = Find(id)) FinishClose(c);
    }
  }
}

void EventLoop::Trust(ConnId id) {
  if (Conn* c = Find(id)) c->trusted = true;
}

size_t EventLoop::CountUntrusted() const {
  size_t n = 0;
  for (const auto& [id, c] : conns_) n += !c->trusted && !c->closing;
  return n;
}

// Silent or slow peers that never finish the handshake would hold a
// connection (and its buffer) forever.
void EventLoop::CloseStaleUntrusted() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sweep_ < std::min<std::chrono::milliseconds>(handshake_timeout_ / 4, std::chrono::seconds(1))) {
    return;
  }
  last_sweep_ = now;
  for (const auto& [id, c] : conns_) {
    if (!c->trusted && !c->closing && now - c->accepted_at > handshake_timeout_) {
      Close(id, "no handshake within " + std::to_string(handshake_timeout_.count()) + " ms");
    }
  }
}

void EventLoop::Accept(int listen_fd) {
  for (;;) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        spdlog::warn("accept failed: {}", std::strerror(errno));
      }
      return;
    }
    if (CountUntrusted() >= kMaxUntrusted) {
      spdlog::warn("refused a connection: {} connections have not finished their handshake",
                   kMaxUntrusted);
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));  // fails harmlessly on unix sockets
    const ConnId id = Adopt(fd);
    Conn* c = Find(id);
    c->trusted = false;
    c->accepted_at = std::chrono::steady_clock::now();
    handler_->OnConnect(id);
  }
}

ConnId EventLoop::Adopt(int fd) {
  SetNonBlocking(fd);
  auto conn = std::make_unique<Conn>();
  conn->id = static_cast<ConnId>(next_id_++);
  conn->fd = fd;
  const ConnId id = conn->id;
  by_fd_[fd] = id;
  conns_[id] = std::move(conn);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  return id;
}

void EventLoop::ReadFrom(Conn* c) {
  FrameReader reader;
  std::string gone;  // set when the peer is gone; frames already read still count
  for (;;) {
    char* into = c->in.Reserve(kReadChunk);
    ssize_t n = read(c->fd, into, kReadChunk);
    if (n <= 0) {
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      gone = n == 0 ? "peer closed the connection" : std::strerror(errno);
      break;
    }
    c->in.Commit(static_cast<size_t>(n));
    if (static_cast<size_t>(n) < kReadChunk) break;
  }
  const ConnId id = c->id;
  size_t offset = 0;
  while (!c->closing) {
    MsgType type;
    const char* body;
    size_t body_size, frame_size;
    std::string error;
    if (!c->trusted && c->in.size() - offset >= 4) {
      uint32_t len = 0;
      for (int i = 0; i < 4; ++i) {
        len |= static_cast<uint32_t>(static_cast<uint8_t>(c->in.data()[offset + i])) << (8 * i);
      }
      if (len > kMaxUntrustedFrameBytes) {
        Close(id, "a frame of " + std::to_string(len) + " bytes before the handshake (at most " +
                      std::to_string(kMaxUntrustedFrameBytes) + ")");
        break;
      }
    }
    auto r = reader.Next(c->in.data() + offset, c->in.size() - offset, &type, &body, &body_size,
                         &frame_size, &error);
    if (r == FrameReader::Result::kNeedMore) break;
    if (r == FrameReader::Result::kCorrupt) {
      Close(id, "corrupt frame: " + error);
      break;
    }
    handler_->OnFrame(id, type, body, body_size);
    offset += frame_size;
  }
  if (offset > 0) c->in.Consume(offset);
  if (!gone.empty()) Close(id, gone);
}

void EventLoop::FlushConn(Conn* c) {
  while (c->out_offset < c->out.size()) {
    ssize_t n = send(c->fd, c->out.data() + c->out_offset, c->out.size() - c->out_offset,
                     MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Close(c->id, std::string("write failed: ") + std::strerror(errno));
      c->out.clear();
      c->out_offset = 0;
      break;
    }
    c->out_offset += static_cast<size_t>(n);
  }
  if (c->out_offset == c->out.size()) {
    c->out.clear();
    c->out_offset = 0;
  } else if (c->out_offset > (1u << 20) && c->out_offset * 2 > c->out.size()) {
    // Compact only once most of the buffer is sent: compacting after every
    // partial write of a large backlog would move megabytes each time.
    c->out.erase(0, c->out_offset);
    c->out_offset = 0;
  }
  const bool want = !c->out.empty();
  if (want != c->want_write) {
    c->want_write = want;
    UpdateInterest(c);
  }
}

void EventLoop::UpdateInterest(Conn* c) {
  epoll_event ev{};
  ev.events = EPOLLIN | (c->want_write ? static_cast<uint32_t>(EPOLLOUT) : 0u);
  ev.data.fd = c->fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
}

void EventLoop::FinishClose(Conn* c) {
  // Best effort: an error message queued just before closing should arrive.
  if (!c->out.empty()) {
    [[maybe_unused]] ssize_t n = send(c->fd, c->out.data() + c->out_offset,
                                      c->out.size() - c->out_offset, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  by_fd_.erase(c->fd);
  const ConnId id = c->id;
  const std::string reason = c->close_reason;
  conns_.erase(id);
  handler_->OnDisconnect(id, reason);
}

}  // namespace strata::rpc
