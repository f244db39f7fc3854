// Exceptions the public API throws. All derive from std::runtime_error, so a
// caller that does not care about the kind can catch that.
#pragma once

#include <stdexcept>
#include <string>

namespace strata {

// A misuse of the API or a runtime failure on the caller's side: Init() could
// not reach the cluster, a function was not registered with STRATA_REMOTE, ...
class StrataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A task failed: its code threw, its worker died more often than max_retries
// allowed, or an argument it depended on failed. what() names the task and
// carries the remote message.
class TaskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A task asks for resources that no node in the cluster has, so it cannot run
// until the cluster grows. The task stays queued (and `strata status` lists it),
// but Get() does not wait silently: it throws this.
class InfeasibleError : public TaskError {
 public:
  using TaskError::TaskError;
};

// Get() or Wait() with a timeout ran out of time.
class TimeoutError : public StrataError {
 public:
  using StrataError::StrataError;
};

}  // namespace strata
