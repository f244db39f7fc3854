// Tells the head how a run goes (the dashboard's pipelines page, the
// pipeline rows in /metrics), drawn from the run's events like the console's
// lines. At most a few reports a second while it runs, one when it ends; a
// report is one small message on the driver's connection, no reply awaited.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "data/exec/run_events.h"
#include "rpc/cluster_messages.h"

namespace strata::data {

class PipelinePublisher : public RunObserver {
 public:
  // `name`: the pipeline file, or "Dataset".
  explicit PipelinePublisher(std::string name,
                             std::chrono::milliseconds interval = std::chrono::milliseconds(500));
  void OnProgress(const StageProgress& p) override;
  void OnStageEnd(const std::string& stage) override;
  void OnStepRows(const std::vector<StepRows>& steps) override;
  void OnFinish(const RunReport& report) override;

  // What the next report would say (for tests).
  const rpc::PipelineRecord& record() const { return record_; }

 private:
  rpc::PipelineStage& Stage(const std::string& name);
  void Publish(bool now);

  rpc::PipelineRecord record_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_sent_{};
  std::chrono::milliseconds interval_;
};

// Several observers as one (the console and the publisher).
class FanOutObserver : public RunObserver {
 public:
  explicit FanOutObserver(std::vector<RunObserver*> to) : to_(std::move(to)) {}
  void OnProgress(const StageProgress& p) override {
    for (RunObserver* o : to_) o->OnProgress(p);
  }
  void OnStageEnd(const std::string& stage) override {
    for (RunObserver* o : to_) o->OnStageEnd(stage);
  }
  void OnStepRows(const std::vector<StepRows>& steps) override {
    for (RunObserver* o : to_) o->OnStepRows(steps);
  }
  void OnFinish(const RunReport& report) override {
    for (RunObserver* o : to_) o->OnFinish(report);
  }

 private:
  std::vector<RunObserver*> to_;
};

}  // namespace strata::data
