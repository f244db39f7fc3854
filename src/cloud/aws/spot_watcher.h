// Watches the instance metadata service for a spot interruption notice
// (IMDSv2, /latest/meta-data/spot/instance-action: 404 until AWS decides to
// reclaim the instance, then {"action": "terminate", "time": "..."}), and
// calls `on_notice` once with the seconds left (at most 120). The node then
// drains itself, so its work finishes or moves before the machine goes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace strata::aws {

class SpotWatcher {
 public:
  SpotWatcher(std::string metadata_url, std::chrono::milliseconds poll,
              std::function<void(double seconds_left, const std::string& action)> on_notice);
  ~SpotWatcher();  // stops polling

 private:
  void Run();

  std::string metadata_url_;
  std::chrono::milliseconds poll_;
  std::function<void(double, const std::string&)> on_notice_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Seconds from now until an ISO-8601 UTC time ("2026-11-26T04:00:00Z"),
// clamped to [0, 120]; 120 when it cannot be read.
double SecondsUntil(const std::string& iso_time);

}  // namespace strata::aws
