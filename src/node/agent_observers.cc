// The agent's answers to those who watch the cluster: the status, the
// timeline of task executions, this node's logs (the CLI and the dashboard
// ask), and drivers' pipeline progress passed on to the head.
#include <algorithm>

#include "common/session_logs.h"
#include "head/status_report.h"
#include "node/agent.h"

namespace strata::node {

using rpc::MsgType;

namespace {

// Runs on the loop: a file read of at most 4 MiB, only when someone opens a
// log on the dashboard.
rpc::LogReply AnswerLogRequest(const std::string& session_dir, const rpc::LogRequest& request) {
  rpc::LogReply reply;
  if (request.name.empty()) {
    for (auto& [name, bytes] : ListSessionLogs(session_dir)) reply.files.push_back({std::move(name), bytes});
  } else if (!TailSessionLog(session_dir, request.name, std::clamp(request.lines, 1, 10000), request.query,
                             &reply.text)) {
    reply.error = "no log named '" + request.name + "' in this node's session";
  }
  return reply;
}

}  // namespace

void Agent::HandleTimelineRequest(rpc::ConnId id, const char* body, size_t size) {
  rpc::TimelineRequest request;
  if (!loop_->DecodeOrRefuse(id, MsgType::kTimelineRequest, body, size, &request)) return;
  const TaskEventLog& log = scheduler_->task_events();
  loop_->Send(id, MsgType::kTimelineReply,
              rpc::TimelineReply{node_index_, options_.node_type, tcp_address_, log.dropped(),
                                 log.Executions(request.job)});
}

void Agent::HandleLogRequest(rpc::ConnId id, const char* body, size_t size) {
  rpc::LogRequest request;
  if (!loop_->DecodeOrRefuse(id, MsgType::kLogRequest, body, size, &request)) return;
  loop_->Send(id, MsgType::kLogReply, AnswerLogRequest(options_.session_dir, request));
}

void Agent::HandlePipelineReport(Peer& peer, rpc::ConnId id, const char* body, size_t size) {
  rpc::PipelineRecord record;
  if (!loop_->DecodeOrRefuse(id, MsgType::kPipelineReport, body, size, &record)) return;
  record.job = peer.job;
  if (record.state == rpc::PipelineState::kRunning) {
    peer.running_pipeline = record;
  } else {
    peer.running_pipeline.reset();
  }
  RoutePipelineReport(std::move(record));
}

void Agent::RoutePipelineReport(rpc::PipelineRecord record) {
  if (head_) {
    head_->OnPipelineReport(std::move(record));
  } else if (head_conn_ != rpc::ConnId::kNone) {
    loop_->Send(head_conn_, MsgType::kPipelineReport, record);
  }
}

void Agent::HandleStatus(rpc::ConnId id) {
  if (head_) {
    loop_->Send(id, MsgType::kStatusReply, head_->Status(SelfRecord()));
    return;
  }
  cluster_->UpsertNode(SelfRecord());
  loop_->Send(id, MsgType::kStatusReply,
              head::BuildStatus(*cluster_, options_.session_dir, std::nullopt));
}

}  // namespace strata::node
