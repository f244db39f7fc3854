// What workers print: each worker's stdout and stderr arrive on a pipe; every
// line goes to the worker's log file and to its job's driver, which shows it
// prefixed with the worker's pid (as a developer expects from a printf in a
// task).
//
// Thread-safety: not thread-safe; runs on the agent's event loop thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <unordered_map>

#include "rpc/event_loop.h"
#include "rpc/messages.h"

namespace strata::process {

class ProcessOutputs {
 public:
  explicit ProcessOutputs(rpc::EventLoop* loop) : loop_(loop) {}
  ~ProcessOutputs();
  ProcessOutputs(const ProcessOutputs&) = delete;
  ProcessOutputs& operator=(const ProcessOutputs&) = delete;

  // Takes ownership of `fd` (a pipe's read end) until the worker closes it.
  void Add(int fd, const std::string& log_path, pid_t pid, rpc::ConnId driver);
  // The same, for any process: its lines go to `sink`; `on_end` runs once the
  // process closed its output.
  using LineSink = std::function<void(const rpc::LogLines&)>;
  void Add(int fd, const std::string& log_path, pid_t pid, LineSink sink,
           std::function<void()> on_end);

 private:
  struct Output {
    int log_fd = -1;
    pid_t pid = 0;
    LineSink sink;
    std::function<void()> on_end;
    std::string partial;  // a line not yet ended
  };
  void OnReadable(int fd);
  void Close(int fd);

  rpc::EventLoop* loop_;
  std::unordered_map<int, Output> outputs_;
};

}  // namespace strata::process
