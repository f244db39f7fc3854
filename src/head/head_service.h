// The head: nodes joining and reporting, the cluster view it sends every
// node each heartbeat, drains, `strata job`, the autoscaler's report and the
// cluster status. The head node's agent hosts it — it owns the event loop
// and routes each connection's frames here by the connection's role — but
// implements none of it.
//
// Thread-safety: not thread-safe; runs on the hosting agent's event loop.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "head/cluster_state.h"
#include "head/job_manager.h"
#include "head/node_table.h"
#include "head/pipeline_table.h"
#include "process/binary_store.h"
#include "rpc/event_loop.h"
#include "rpc/framing.h"

namespace strata::head {

struct HeadOptions {
  NodeId node;          // the hosting agent's (the head cannot drain itself)
  std::string session_dir;
  std::string address;  // where nodes, CLIs and submitted drivers reach the head
  std::string token;
  std::string arch;     // the head machine's: submitted drivers run here
  std::chrono::milliseconds node_timeout{10000};          // silent this long: dead
  std::chrono::milliseconds dead_node_retention{600000};  // then forgotten
};

class HeadService {
 public:
  // `cluster` is the hosting agent's table (it adds its own node and its
  // drivers' jobs); `binaries` keeps uploaded programs. Both outlive this.
  HeadService(HeadOptions options, rpc::EventLoop* loop, ClusterState* cluster,
              process::BinaryStore* binaries);
  ~HeadService();

  // Runs whenever which nodes may take work changed (a report, a drain, a
  // death), so the host's scheduler sees it before the next heartbeat.
  void set_on_view_changed(std::function<void()> f) { on_view_changed_ = std::move(f); }

  // A node said Hello on `conn`; peers reach it at `node_address`. Returns
  // the index its ids will carry.
  Result<NodeIndex> Join(rpc::ConnId conn, const std::string& node_address);
  // A frame from a joined node (its reports, and the pipeline reports of its
  // drivers).
  void OnNodeFrame(rpc::ConnId conn, rpc::MsgType type, const char* body, size_t size);
  // Requests a CLI connection may make of the head: drain, job requests and
  // program uploads, the autoscaler's report.
  static bool IsCliRequest(rpc::MsgType type);
  void OnCliFrame(rpc::ConnId conn, rpc::MsgType type, const char* body, size_t size);
  // A driver's pipeline progress (from the hosting agent or a node's).
  void OnPipelineReport(rpc::PipelineRecord record) { pipelines_.Report(std::move(record)); }
  // A connection closed. True if it was a node's (nothing else to do for it).
  bool OnDisconnect(rpc::ConnId conn, const std::string& reason);

  // Every heartbeat, with the host's own record: expires silent nodes and
  // sends the cluster view to every alive node.
  void Heartbeat(const rpc::NodeRecord& self, std::chrono::steady_clock::time_point now);
  // Periodically: submitted drivers that exited, stops to escalate.
  void Tick();
  // With the host's own record, current.
  rpc::ClusterStatus Status(const rpc::NodeRecord& self) const;

 private:
  void Drain(rpc::ConnId conn, const char* body, size_t size);
  void JobRequest(rpc::ConnId conn, rpc::MsgType type, const char* body, size_t size);
  void ViewChanged() {
    if (on_view_changed_) on_view_changed_();
  }

  HeadOptions options_;
  rpc::EventLoop* loop_;
  ClusterState* cluster_;
  process::BinaryStore* binaries_;
  NodeTable nodes_;
  JobManager jobs_;
  std::optional<rpc::AutoscalerReport> autoscaler_report_;
  PipelineTable pipelines_;
  std::function<void()> on_view_changed_;
};

}  // namespace strata::head
