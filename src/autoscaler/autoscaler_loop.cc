#include "autoscaler/autoscaler_loop.h"

#include <thread>

#include <spdlog/spdlog.h>

#include "autoscaler/autoscaler.h"

namespace strata::autoscaler {

int RunAutoscalerLoop(const ClusterConfig& config, NodeProvider* provider, HeadLink* head,
                      const std::atomic<bool>& stop, std::chrono::milliseconds period) {
  Autoscaler::Hooks hooks;
  hooks.drain = [head](const NodeId& node, double deadline_s) {
    if (Status s = head->Drain(node, deadline_s); !s.ok()) {
      spdlog::error("autoscaler: drain of {} was not answered: {}", node.Hex(), s.message());
    }
  };
  Autoscaler scaler(config, provider, hooks);
  while (!stop) {
    const Result<std::optional<rpc::ClusterStatus>> status = head->Poll();
    if (!status.ok()) {
      spdlog::error("autoscaler: lost the head: {}; exiting", status.status().message());
      return 1;
    }
    if (*status) head->Report(scaler.RunOnce(**status, std::chrono::steady_clock::now()));
    // Sleep in short steps so that a stop is noticed at once.
    const auto until = std::chrono::steady_clock::now() + period;
    while (!stop && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return 0;
}

}  // namespace strata::autoscaler
