// The client end of a framed connection (drivers, workers, CLI).
//
// One reader thread hands each incoming frame to a callback. One writer
// thread, woken by Wake(), asks the owner to drain everything it has queued
// into frames and writes them in one go: that is where batching happens —
// while one write is in flight, the next batch accumulates.
//
// Thread-safety: Wake() and Stop() from any thread; callbacks run on the
// channel's threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "rpc/framing.h"

namespace strata::rpc {

class Channel {
 public:
  using FrameHandler = std::function<void(MsgType, const char* body, size_t size)>;
  using Drain = std::function<void(std::string* frames)>;
  using CloseHandler = std::function<void(const std::string& reason)>;

  Channel() = default;
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  Status Connect(const std::string& address, int timeout_ms);
  // Connect, then the Hello/Welcome exchange, synchronously (a CLI's or the
  // dashboard's requests). The error: the connection's, "no answer from A:
  // ...", "A refused the connection: <its reason>", or "unexpected answer
  // from A (is it a Strata node?)".
  Status ConnectAndGreet(const std::string& address, const Hello& hello, int connect_timeout_ms,
                         int reply_timeout_ms);

  // Synchronous use, before Start(): one request, one reply.
  template <class T>
  bool SendNow(MsgType type, const T& body) {
    std::string frame;
    AppendFrame(&frame, type, body);
    return WriteRaw(frame);
  }
  // Reads one whole frame (blocking, at most timeout_ms; <0 waits forever).
  Status ReadFrame(MsgType* type, std::string* body, int timeout_ms);
  // Sends, then reads the reply's body, which must be of type `want`:
  // Unavailable when it cannot be sent, ReadFrame's error, or DataLoss
  // "unexpected reply".
  template <class T>
  Status Request(MsgType type, const T& body, MsgType want, std::string* reply, int timeout_ms) {
    if (!SendNow(type, body)) return Unavailable("cannot send the request");
    MsgType got = MsgType::kError;
    STRATA_RETURN_IF_ERROR(ReadFrame(&got, reply, timeout_ms));
    return got == want ? OkStatus() : DataLoss("unexpected reply");
  }

  void Start(FrameHandler on_frame, Drain drain, CloseHandler on_close);
  void Wake();
  // Drains and writes in the calling thread: for callers about to wait on a
  // reply, where handing off to the writer thread would add a wake-up.
  void Flush();
  // Writes what is still queued, closes the socket, joins the threads.
  void Stop();

 private:
  bool WriteRaw(const std::string& bytes);
  void ReaderLoop();
  void WriterLoop();

  int fd_ = -1;
  std::string pending_in_;  // bytes read past the last synchronous frame
  FrameHandler on_frame_;
  Drain drain_;
  CloseHandler on_close_;
  std::thread reader_;
  std::thread writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::mutex write_mu_;  // drain + write happen together, so frames keep their order
  std::atomic<bool> wake_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace strata::rpc
