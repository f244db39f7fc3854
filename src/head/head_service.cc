#include "head/head_service.h"

#include <spdlog/spdlog.h>

#include "head/status_report.h"

namespace strata::head {

using rpc::MsgType;

HeadService::HeadService(HeadOptions options, rpc::EventLoop* loop, ClusterState* cluster,
                         process::BinaryStore* binaries)
    : options_(std::move(options)),
      loop_(loop),
      cluster_(cluster),
      binaries_(binaries),
      nodes_(cluster, options_.node_timeout, options_.dead_node_retention),
      jobs_(JobManagerOptions{options_.session_dir, options_.address, options_.token, options_.arch},
            loop, binaries) {}

HeadService::~HeadService() = default;


Result<NodeIndex> HeadService::Join(rpc::ConnId conn, const std::string& node_address) {
  if (node_address.empty()) return InvalidArgument("a joining node must say where peers reach it");
  rpc::NodeRecord first;  // its id and resources come with its first report
  first.address = node_address;
  first.node_type = "worker";
  return nodes_.Join(conn, first);
}

void HeadService::OnNodeFrame(rpc::ConnId conn, MsgType type, const char* body, size_t size) {
  if (type == MsgType::kPipelineReport) {
    rpc::PipelineRecord record;
    if (loop_->DecodeOrRefuse(conn, type, body, size, &record)) OnPipelineReport(std::move(record));
    return;
  }
  if (type != MsgType::kNodeReport) {
    loop_->Refuse(conn, std::string("a node may not send ") + rpc::MsgTypeName(type));
    return;
  }
  rpc::NodeRecord report;
  if (!loop_->DecodeOrRefuse(conn, type, body, size, &report)) return;
  // New capacity is usable at once, not at the next heartbeat.
  if (nodes_.Report(conn, std::move(report))) ViewChanged();
}

bool HeadService::IsCliRequest(MsgType type) {
  return type == MsgType::kDrainNode || type == MsgType::kAutoscalerReport ||
         type == MsgType::kJobRequest || type == MsgType::kBinaryChunk;
}

void HeadService::OnCliFrame(rpc::ConnId conn, MsgType type, const char* body, size_t size) {
  if (type == MsgType::kDrainNode) {
    Drain(conn, body, size);
  } else if (type == MsgType::kAutoscalerReport) {
    rpc::AutoscalerReport report;
    if (!loop_->DecodeOrRefuse(conn, type, body, size, &report)) return;
    autoscaler_report_ = std::move(report);
  } else {
    JobRequest(conn, type, body, size);
  }
}

void HeadService::Drain(rpc::ConnId conn, const char* body, size_t size) {
  rpc::DrainRequest request;
  if (!loop_->DecodeOrRefuse(conn, MsgType::kDrainNode, body, size, &request)) return;
  std::string reply;
  if (request.node == options_.node) {
    reply = "error: the head cannot be drained; stop the cluster with `strata stop`";
  } else if (const rpc::ConnId node = nodes_.StartDrain(request.node); node == rpc::ConnId::kNone) {
    reply = "error: no alive node has id " + request.node.Hex();
  } else {
    loop_->Send(node, MsgType::kDrainNode, request);
    ViewChanged();  // the head's node sends it nothing more, from now
    reply = "draining node " + request.node.Hex() + ": it takes no new work, finishes what it "
            "has, hands over its results, then leaves (deadline " +
            std::to_string(static_cast<int>(request.deadline_s)) + " s)";
    spdlog::info("{}", reply);
  }
  loop_->Send(conn, MsgType::kDrainReply, reply);
}

void HeadService::JobRequest(rpc::ConnId conn, MsgType type, const char* body, size_t size) {
  if (type == MsgType::kBinaryChunk) {
    rpc::BinaryChunk chunk;
    if (!loop_->DecodeOrRefuse(conn, type, body, size, &chunk)) return;
    if (strata::Status s = binaries_->OnChunk(conn, std::move(chunk), /*allow_upload=*/true); !s.ok()) {
      loop_->Refuse(conn, "bad upload: " + s.message());
    }
    return;
  }
  rpc::JobRequest request;
  if (!loop_->DecodeOrRefuse(conn, type, body, size, &request)) return;
  jobs_.OnRequest(conn, request);
}

bool HeadService::OnDisconnect(rpc::ConnId conn, const std::string& reason) {
  // The view changes at the next heartbeat; peers notice the closed
  // connection sooner.
  if (nodes_.Lost(conn, reason)) return true;
  jobs_.OnDisconnect(conn);
  return false;
}

void HeadService::Heartbeat(const rpc::NodeRecord& self, std::chrono::steady_clock::time_point now) {
  for (rpc::ConnId conn : nodes_.Expire(now)) {
    loop_->Send(conn, MsgType::kError, std::string("declared dead: no heartbeat in time"));
    loop_->Close(conn, "declared dead");
  }
  cluster_->UpsertNode(self);
  ViewChanged();
  std::vector<rpc::NodeRecord> view = cluster_->Nodes();
  // Nodes schedule from the view; what each ran (per function, failures) is
  // for the head's status only: at 500 nodes it would make every node's view
  // megabytes a heartbeat.
  for (rpc::NodeRecord& n : view) {
    n.functions.clear();
    n.failures.clear();
  }
  for (rpc::ConnId conn : nodes_.AliveConnections()) loop_->Send(conn, MsgType::kClusterView, view);
}

void HeadService::Tick() { jobs_.Tick(); }

rpc::ClusterStatus HeadService::Status(const rpc::NodeRecord& self) const {
  cluster_->UpsertNode(self);
  rpc::ClusterStatus status = BuildStatus(*cluster_, options_.session_dir, autoscaler_report_);
  status.pipelines = pipelines_.List();
  return status;
}

}  // namespace strata::head
