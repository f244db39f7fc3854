// A single-threaded epoll loop serving many framed connections.
//
// The node agent runs all its state on this one thread: handlers never lock.
// Outgoing frames are appended to per-connection buffers and written after
// each round of events, so everything one round produces for a peer leaves in
// one write.
//
// Thread-safety: only Stop() may be called from other threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rpc/byte_buffer.h"
#include "rpc/conn_id.h"
#include "rpc/framing.h"

namespace strata::rpc {

class EventLoop {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void OnConnect(ConnId) {}
    virtual void OnFrame(ConnId id, MsgType type, const char* body, size_t size) = 0;
    // The connection is gone (peer closed, error, or Close()). `reason` says why.
    virtual void OnDisconnect(ConnId id, const std::string& reason) = 0;
    // After each round of events, and at least every tick.
    virtual void OnRound() = 0;
  };

  explicit EventLoop(Handler* handler);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Takes ownership of a listening socket.
  void AddListener(int fd);
  // Calls `on_readable` whenever `fd` (not a framed connection: a pipe, say)
  // has data or hangs up. The caller owns the fd; Unwatch before closing it.
  void Watch(int fd, std::function<void()> on_readable);
  void Unwatch(int fd);
  // Runs until Stop(); ticks at least every `tick_ms`.
  void Run(int tick_ms = 50);
  void Stop();

  template <class T>
  void Send(ConnId id, MsgType type, const T& body) {
    Conn* c = Find(id);
    if (c == nullptr || c->closing) return;
    AppendFrame(&c->out, type, body);
    MarkDirty(c);
  }
  // Takes over a connected socket (an outgoing connection). OnConnect is not
  // called for it.
  ConnId Adopt(int fd);
  // Appends bytes the caller writes into `out` (whole frames) to the
  // connection's output, without an intermediate buffer.
  template <class F>
  void SendWith(ConnId id, F&& write) {
    Conn* c = Find(id);
    if (c == nullptr || c->closing) return;
    write(&c->out);
    MarkDirty(c);
  }
  // Bytes queued for `id` and not yet written (flow control for big senders).
  size_t Backlog(ConnId id) const;
  // A connection accepted here is untrusted until the handler has checked its
  // handshake: until then its frames are limited to kMaxUntrustedFrameBytes,
  // it is closed after kHandshakeTimeout, and at most kMaxUntrusted such
  // connections are kept (more are closed on accept). Outgoing ones are trusted.
  void Trust(ConnId id);
  static constexpr uint32_t kMaxUntrustedFrameBytes = 256u << 10;  // a Hello carries the driver's env
  static constexpr std::chrono::milliseconds kHandshakeTimeout{10000};
  void set_handshake_timeout(std::chrono::milliseconds t) { handshake_timeout_ = t; }  // tests
  static constexpr size_t kMaxUntrusted = 128;
  // Closes after writing what is queued. OnDisconnect follows in this round.
  void Close(ConnId id, const std::string& reason);
  // Refuses a peer: logs why, sends it an Error saying so, and closes.
  void Refuse(ConnId id, const std::string& why);
  // Decodes a frame's body; one that does not decode refuses its sender
  // ("malformed TYPE message: why") and gives false.
  template <class T>
  bool DecodeOrRefuse(ConnId id, MsgType type, const char* body, size_t size, T* out) {
    const Status decoded = DecodeBody(body, size, out);
    if (decoded.ok()) return true;
    Refuse(id, std::string("malformed ") + MsgTypeName(type) + " message: " + decoded.message());
    return false;
  }
  // What Send and Close queued takes effect now (Run does this every round;
  // after Stop, the owner calls it itself).
  void FlushAndClose();
  bool IsOpen(ConnId id) const;
  size_t num_connections() const { return conns_.size(); }

 private:
  struct Conn {
    ConnId id;
    int fd;
    ByteBuffer in;
    std::string out;
    size_t out_offset = 0;
    bool dirty = false;
    bool want_write = false;
    bool closing = false;
    bool trusted = true;
    std::chrono::steady_clock::time_point accepted_at;
    std::string close_reason;
  };

  Conn* Find(ConnId id);
  void MarkDirty(Conn* c);
  void Accept(int listen_fd);
  void ReadFrom(Conn* c);
  void FlushConn(Conn* c);
  void FinishClose(Conn* c);
  void UpdateInterest(Conn* c);
  void CloseStaleUntrusted();
  size_t CountUntrusted() const;

  Handler* handler_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::vector<int> listeners_;
  std::unordered_map<int, std::function<void()>> watched_;
  std::unordered_map<ConnId, std::unique_ptr<Conn>> conns_;
  std::unordered_map<int, ConnId> by_fd_;
  std::vector<ConnId> dirty_;
  std::vector<ConnId> to_close_;
  uint64_t next_id_ = 1;
  std::chrono::steady_clock::time_point last_sweep_;
  std::chrono::milliseconds handshake_timeout_ = kHandshakeTimeout;
  std::atomic<bool> stop_{false};
};

}  // namespace strata::rpc
