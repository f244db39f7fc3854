#include "data/exec/pipeline_publisher.h"

#include <atomic>

#include "client/cluster_status.h"

namespace strata::data {

namespace {

// Runs of this process, numbered from 1 (the head keys them by job and run).
std::atomic<uint32_t> g_runs{0};

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

rpc::PipelineStep ToWire(const StepRows& s) {
  return {static_cast<uint32_t>(s.step), s.op, s.rows_in, s.rows_out, s.row_local, s.counters};
}

}  // namespace

PipelinePublisher::PipelinePublisher(std::string name, std::chrono::milliseconds interval)
    : start_(std::chrono::steady_clock::now()), interval_(interval) {
  record_.run = ++g_runs;
  record_.name = std::move(name);
  record_.start_time_ms = NowUnixMs();
  Publish(true);  // listed from its start
}

rpc::PipelineStage& PipelinePublisher::Stage(const std::string& name) {
  for (rpc::PipelineStage& s : record_.stages) {
    if (s.name == name) return s;
  }
  record_.stages.push_back({});
  record_.stages.back().name = name;
  return record_.stages.back();
}

void PipelinePublisher::OnProgress(const StageProgress& p) {
  rpc::PipelineStage& s = Stage(p.stage);
  s.done = p.done;
  s.total = p.total;
  s.rows = p.rows;
  s.seconds = p.seconds;
  if (p.stage == "read") record_.rows_read = p.rows;
  Publish(false);
}

void PipelinePublisher::OnStageEnd(const std::string& stage) {
  Stage(stage).ended = true;
  Publish(true);
}

void PipelinePublisher::OnStepRows(const std::vector<StepRows>& steps) {
  record_.steps.clear();
  for (const StepRows& s : steps) record_.steps.push_back(ToWire(s));
  // Sent with the next progress report.
}

void PipelinePublisher::OnFinish(const RunReport& report) {
  record_.state = report.error.empty() ? rpc::PipelineState::kSucceeded : rpc::PipelineState::kFailed;
  record_.error = report.error;
  record_.source = report.source;
  if (report.error.empty()) {
    record_.rows_read = report.rows_read;
    record_.bytes_read = report.bytes_read;
    record_.rows_written = report.rows_written;
    record_.steps.clear();
    for (const StepRows& s : report.steps) record_.steps.push_back(ToWire(s));
  }
  Publish(true);
}

void PipelinePublisher::Publish(bool now) {
  const auto t = std::chrono::steady_clock::now();
  if (!now && t - last_sent_ < interval_) return;
  last_sent_ = t;
  record_.seconds = std::chrono::duration<double>(t - start_).count();
  client::ReportPipeline(record_);
}

}  // namespace strata::data
