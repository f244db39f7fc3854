#include "node/spiller.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include "common/store_files.h"

namespace strata::node {

Spiller::Spiller() : notify_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  thread_ = std::thread([this] { Run(); });
}

Spiller::~Spiller() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  close(notify_fd_);
}

void Spiller::Submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(job));
    ++in_flight_;
  }
  cv_.notify_all();
}

std::vector<Spiller::Done> Spiller::TakeDone() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = read(notify_fd_, &count, sizeof(count));
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Done> out;
  out.swap(done_);
  return out;
}

std::vector<Spiller::Done> Spiller::WaitAll() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
  }
  return TakeDone();
}

void Spiller::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to copy
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Done done;
    done.copied = CopyObjectFile(job.from, job.to);
    done.job = std::move(job);
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back(std::move(done));
      --in_flight_;
    }
    cv_.notify_all();
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(notify_fd_, &one, sizeof(one));
  }
}

}  // namespace strata::node
