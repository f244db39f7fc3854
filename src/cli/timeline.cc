// `strata timeline [--job ID] -o trace.json`: asks every alive node for the
// task executions its agent keeps (a ring of the last 100,000) and writes
// them as a Chrome trace: one process per node, one thread per worker, a
// slice per task with its function, duration and argument bytes. Open it in
// https://ui.perfetto.dev or chrome://tracing.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace strata::cli {

namespace {

using nlohmann::json;

Result<rpc::TimelineReply> FetchTimeline(const std::string& address, const std::string& token, const JobId& job) {
  rpc::Channel channel;
  if (!ConnectAsCli(address, token, "timeline", &channel)) return Unavailable("cannot reach the node at " + address);
  std::string body;
  STRATA_RETURN_IF_ERROR(channel
                             .Request(rpc::MsgType::kTimelineRequest, rpc::TimelineRequest{job},
                                      rpc::MsgType::kTimelineReply, &body, 30000)
                             .WithContext("no timeline from " + address + ": "));
  rpc::TimelineReply reply;
  STRATA_RETURN_IF_ERROR(
      rpc::DecodeBody(body.data(), body.size(), &reply).WithContext("malformed timeline from " + address + ": "));
  return reply;
}

}  // namespace

int RunTimeline(const std::string& flag, const std::string& token_flag, const std::string& job_hex,
                const std::string& out) {
  JobId job;
  if (!job_hex.empty()) {
    job = JobId::FromHex(job_hex);
    if (job.IsNil()) {
      std::fprintf(stderr, "strata timeline: --job '%s' is not a job id (hex, as `strata status --json` shows)\n",
                   job_hex.c_str());
      return 2;
    }
  }
  const std::string address = ResolveAddress(flag);
  if (address.empty()) {
    std::fprintf(stderr, "strata timeline: no running cluster found; pass --address HOST:PORT\n");
    return 1;
  }
  // The head's token is every node's: resolve it once, against the head.
  const std::string token = ResolveToken(token_flag, address);
  rpc::Channel channel;
  if (!ConnectAsCli(address, token, "timeline", &channel)) return 1;
  const Result<rpc::ClusterStatus> fetched = FetchStatus(&channel, address);
  if (!fetched.ok()) {
    std::fprintf(stderr, "strata timeline: %s\n", fetched.status().message().c_str());
    return 1;
  }
  const rpc::ClusterStatus& status = *fetched;
  json events = json::array();
  size_t executions = 0, nodes = 0;
  int64_t dropped = 0;
  for (const rpc::NodeRecord& n : status.nodes) {
    if (n.state != rpc::NodeState::kAlive) continue;
    const Result<rpc::TimelineReply> fetched = FetchTimeline(n.address, token, job);
    if (!fetched.ok()) {
      std::fprintf(stderr, "strata timeline: node %s skipped: %s\n", n.id.Hex().c_str(),
                   fetched.status().message().c_str());
      continue;
    }
    const rpc::TimelineReply& reply = *fetched;
    ++nodes;
    dropped += reply.dropped;
    const int pid = static_cast<int>(n.index);
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid},
                      {"args", {{"name", "node " + std::to_string(IndexNumber(n.index)) + " " + n.node_type + " " + n.address}}}});
    std::map<int32_t, bool> workers;
    for (const rpc::TaskExecution& e : reply.executions) {
      if (!workers[e.worker_pid]) {
        workers[e.worker_pid] = true;
        events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", e.worker_pid},
                          {"args", {{"name", "worker " + std::to_string(e.worker_pid)}}}});
      }
      events.push_back({{"name", e.function},
                        {"cat", e.failed ? "task,failed" : "task"},
                        {"ph", "X"},
                        {"ts", e.start_us},
                        {"dur", std::max<int64_t>(1, e.duration_us)},
                        {"pid", pid},
                        {"tid", e.worker_pid},
                        {"args", {{"job", e.job.Hex()}, {"args_bytes", e.args_bytes}, {"failed", e.failed}}}});
      ++executions;
    }
  }
  std::ofstream file(out, std::ios::trunc);
  file << json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() << "\n";
  file.close();
  if (!file) {
    std::fprintf(stderr, "strata timeline: cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("wrote %zu task executions from %zu node(s) to %s (open in https://ui.perfetto.dev or chrome://tracing)\n",
              executions, nodes, out.c_str());
  if (dropped > 0) {
    std::printf("the nodes' rings had dropped %lld older executions (each keeps the last 100,000)\n",
                static_cast<long long>(dropped));
  }
  return 0;
}

}  // namespace strata::cli
