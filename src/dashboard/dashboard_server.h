// The dashboard: an HTTP server in the head's process serving the web page
// (static files built into the binary, web/) and the JSON API behind it
// (/api/...), and /metrics for Prometheus. It reads only what the head
// publishes to it every heartbeat (Publish), so watching the cluster costs
// the task path nothing but one status message per heartbeat.
//
// Bound to loopback it is open, like `strata status` on that machine;
// bound anywhere else every request needs the cluster token — header
// `X-Strata-Token: T` or `Authorization: Bearer T`, or the cookie that
// /login?token=T sets — and a wrong one gets 401 and a log line.
//
// Thread-safety: Publish from any thread; requests run on the server's own
// threads.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "rpc/cluster_messages.h"

namespace strata::dashboard {

struct DashboardOptions {
  std::string host = "127.0.0.1";
  int port = 8265;  // 0: any free port
  std::string token;
  std::string session_dir;  // the head's: its logs and submitted jobs
};

class DashboardServer {
 public:
  explicit DashboardServer(DashboardOptions options);
  ~DashboardServer();  // stops serving
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // Binds and starts serving (errors: port in use, bad host, no token).
  Status Start();
  int port() const;
  std::string url() const;  // http://HOST:PORT/
  // The head's newest status; also a sample for the charts.
  void Publish(rpc::ClusterStatus status);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Loopback: 127.0.0.0/8, ::1, localhost. Anything else needs the token.
bool IsLoopbackHost(const std::string& host);

}  // namespace strata::dashboard
