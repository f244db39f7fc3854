// Copies objects from shared memory to the spill directory on a thread of its
// own, so that the agent's event loop never stalls behind a disk write (a
// 1 GiB spill takes about a second).
//
// Thread-safety: Submit, TakeDone and WaitAll from the owner's thread; the
// copying happens on the spiller's thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "strata/internal/ids.h"

namespace strata::node {

class Spiller {
 public:
  struct Job {
    ObjectId id;
    std::string from;
    std::string to;
    uint64_t size = 0;
  };
  struct Done {
    Job job;
    Status copied;
  };

  Spiller();
  ~Spiller();  // finishes the jobs already submitted
  Spiller(const Spiller&) = delete;
  Spiller& operator=(const Spiller&) = delete;

  void Submit(Job job);
  // Becomes readable when finished jobs wait to be taken (an eventfd).
  int notify_fd() const { return notify_fd_; }
  // Finished jobs since the last call; never blocks.
  std::vector<Done> TakeDone();
  // Blocks until every submitted job has finished, then takes them all.
  std::vector<Done> WaitAll();

 private:
  void Run();

  int notify_fd_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;     // guarded by mu_
  std::vector<Done> done_;    // guarded by mu_
  size_t in_flight_ = 0;      // guarded by mu_: queued + copying
  bool stop_ = false;         // guarded by mu_
  std::thread thread_;
};

}  // namespace strata::node
