#include "cloud/aws/spot_watcher.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cloud/aws/credentials.h"

namespace strata::aws {

namespace {
constexpr double kNoticeWindowS = 120;
}

double SecondsUntil(const std::string& iso_time) {
  std::tm tm{};
  if (strptime(iso_time.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return kNoticeWindowS;
  const double left = std::difftime(timegm(&tm), std::time(nullptr));
  return std::clamp(left, 0.0, kNoticeWindowS);
}

SpotWatcher::SpotWatcher(std::string metadata_url, std::chrono::milliseconds poll,
                         std::function<void(double, const std::string&)> on_notice)
    : metadata_url_(std::move(metadata_url)), poll_(poll), on_notice_(std::move(on_notice)) {
  thread_ = std::thread([this] { Run(); });
}

SpotWatcher::~SpotWatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SpotWatcher::Run() {
  spdlog::info("watching {} for spot interruption notices", metadata_url_);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    long status = 0;
    const Result<std::string> body = ImdsGet(metadata_url_, "/latest/meta-data/spot/instance-action", &status);
    lock.lock();
    if (body.ok()) {
      const nlohmann::json j = nlohmann::json::parse(*body, nullptr, false);
      const std::string action = j.is_object() ? j.value("action", "terminate") : "terminate";
      const double left = j.is_object() ? SecondsUntil(j.value("time", "")) : kNoticeWindowS;
      spdlog::warn("spot interruption notice: {} in {:.0f} s", action, left);
      lock.unlock();
      on_notice_(left, action);
      return;  // one notice is all there is
    }
    if (status != 404) spdlog::debug("spot notice poll: {}", body.status().message());
    cv_.wait_for(lock, poll_, [this] { return stop_; });
  }
}

}  // namespace strata::aws
