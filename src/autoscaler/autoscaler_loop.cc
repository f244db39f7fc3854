#include "autoscaler/autoscaler_loop.h"

#include <thread>

#include <spdlog/spdlog.h>

#include "autoscaler/autoscaler.h"

namespace strata::autoscaler {

int RunAutoscalerLoop(const ClusterConfig& config, NodeProvider* provider, HeadLink* head,
                      const std::atomic<bool>& stop, std::chrono::milliseconds period) {
  Autoscaler::Hooks hooks;
  hooks.drain = [head](const std::string& node, double deadline_s) {
    std::string error;
    if (!head->Drain(node, deadline_s, &error)) {
      spdlog::error("autoscaler: drain of {} was not answered: {}", node, error);
    }
  };
  Autoscaler scaler(config, provider, hooks);
  while (!stop) {
    std::optional<rpc::ClusterStatus> status;
    std::string error;
    if (!head->Status(&status, &error)) {
      spdlog::error("autoscaler: lost the head: {}; exiting", error);
      return 1;
    }
    if (status) head->Report(scaler.RunOnce(*status, std::chrono::steady_clock::now()));
    // Sleep in short steps so that a stop is noticed at once.
    const auto until = std::chrono::steady_clock::now() + period;
    while (!stop && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return 0;
}

}  // namespace strata::autoscaler
