#include "dashboard/dashboard_server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "dashboard/dashboard_api.h"
#include "dashboard/node_logs.h"
#include "dashboard/prometheus_text.h"
#include "dashboard/status_history.h"
#include "dashboard/web_assets.h"
#include "head/status_report.h"

namespace strata::dashboard {

using nlohmann::json;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t IntParam(const httplib::Request& req, const char* name, int64_t fallback, int64_t lo, int64_t hi) {
  if (!req.has_param(name)) return fallback;
  try {
    return std::clamp<int64_t>(std::stoll(req.get_param_value(name)), lo, hi);
  } catch (const std::exception&) {
    return fallback;
  }
}

void SendJson(httplib::Response& res, const json& body) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

std::string CookieToken(const httplib::Request& req) {
  const std::string cookies = req.get_header_value("Cookie");
  const std::string key = "strata_token=";
  for (size_t at = cookies.find(key); at != std::string::npos; at = cookies.find(key, at + 1)) {
    if (at == 0 || cookies[at - 1] == ' ' || cookies[at - 1] == ';') {
      const size_t start = at + key.size();
      return cookies.substr(start, cookies.find(';', start) - start);
    }
  }
  return {};
}

bool SameToken(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct DashboardServer::Impl {
  DashboardOptions options;
  httplib::Server server;
  std::thread thread;
  int port = 0;

  // Requests work on a shared snapshot outside the lock, so the head's loop
  // (Publish) never waits for a page being rendered.
  std::mutex mu;  // guards what follows
  std::shared_ptr<const rpc::ClusterStatus> status = std::make_shared<rpc::ClusterStatus>();
  uint64_t version = 0;
  std::shared_ptr<const json> status_json = std::make_shared<json>(json::object());
  uint64_t status_json_version = 0;
  StatusHistory history;

  std::shared_ptr<const rpc::ClusterStatus> Snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return status;
  }
  // StatusJson of the newest status, made by the first request after a
  // Publish, on a server thread.
  std::shared_ptr<const json> StatusJson() {
    std::shared_ptr<const rpc::ClusterStatus> s;
    uint64_t v;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (status_json_version == version) return status_json;
      s = status, v = version;
    }
    auto rendered = std::make_shared<const json>(head::StatusJson(*s));
    std::lock_guard<std::mutex> lock(mu);
    if (v > status_json_version) status_json = rendered, status_json_version = v;
    return rendered;
  }

  // Every request but the login page shows the token when the server is
  // reachable from other machines.
  bool Authorized(const httplib::Request& req) const {
    if (IsLoopbackHost(options.host)) return true;
    std::string given = req.get_header_value("X-Strata-Token");
    const std::string auth = req.get_header_value("Authorization");
    if (given.empty() && auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
    if (given.empty()) given = CookieToken(req);
    return SameToken(given, options.token);
  }

  void Routes();
};

void DashboardServer::Impl::Routes() {
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/login" || Authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
    spdlog::warn("dashboard: refused {} {} from {} (no or wrong cluster token)", req.method, req.path, req.remote_addr);
    res.status = 401;
    res.set_content("401: this dashboard needs the cluster token (header X-Strata-Token, or open /login?token=...)\n",
                    "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  server.Get("/login", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string token = req.get_param_value("token");
    if (!IsLoopbackHost(options.host) && !SameToken(token, options.token)) {
      spdlog::warn("dashboard: wrong token at /login from {}", req.remote_addr);
      res.status = 401;
      res.set_content("401: wrong cluster token\n", "text/plain");
      return;
    }
    res.set_header("Set-Cookie", "strata_token=" + token + "; Path=/; HttpOnly; SameSite=Strict");
    res.set_redirect("/");
  });
  for (const WebAsset& a : WebAssets()) {
    const std::string path = a.path == "/index.html" ? "/" : a.path;
    server.Get(path, [a](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(a.bytes, a.size), a.content_type);
    });
  }
  server.Get("/api/status", [this](const httplib::Request&, httplib::Response& res) {
    SendJson(res, *StatusJson());
  });
  server.Get("/api/cluster", [this](const httplib::Request&, httplib::Response& res) {
    SendJson(res, ClusterSummaryJson(*Snapshot()));
  });
  server.Get("/api/nodes", [this](const httplib::Request& req, httplib::Response& res) {
    const int64_t offset = IntParam(req, "offset", 0, 0, INT64_MAX / 2), limit = IntParam(req, "limit", 100, 1, 1000);
    SendJson(res, NodesPageJson(*StatusJson(), req.get_param_value("state"), offset, limit));
  });
  server.Get("/api/history", [this](const httplib::Request& req, httplib::Response& res) {
    const int64_t since = IntParam(req, "since_ms", NowMs() - 3600 * 1000, 0, INT64_MAX);
    const int64_t step = IntParam(req, "step_ms", 1000, 0, 3600 * 1000);
    std::lock_guard<std::mutex> lock(mu);
    SendJson(res, history.SamplesJson(since, step));
  });
  server.Get("/api/autoscaler", [this](const httplib::Request&, httplib::Response& res) {
    const std::shared_ptr<const json> full_json = StatusJson();
    const json& full = *full_json;
    json out;
    {
      std::lock_guard<std::mutex> lock(mu);
      out = {{"running", status->autoscaler.has_value()}, {"events", history.EventsJson()}};
    }
    if (full.contains("autoscaler")) out["report"] = full["autoscaler"];
    out["pending_demands"] = full.value("pending_demands", json::array());
    out["infeasible_demands"] = full.value("infeasible_demands", json::array());
    SendJson(res, out);
  });
  server.Get("/api/tasks", [this](const httplib::Request&, httplib::Response& res) {
    SendJson(res, TasksJson(*Snapshot()));
  });
  server.Get("/api/jobs", [this](const httplib::Request& req, httplib::Response& res) {
    const int tail = static_cast<int>(IntParam(req, "tail", 20, 0, 1000));
    SendJson(res, JobsJson(*StatusJson(), options.session_dir, tail));
  });
  server.Get("/api/pipelines", [this](const httplib::Request&, httplib::Response& res) {
    const std::shared_ptr<const json> full = StatusJson();
    SendJson(res, {{"pipelines", full->value("pipelines", json::array())}});
  });
  server.Get("/api/logs", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.get_param_value("name"), query = req.get_param_value("q");
    const int lines = static_cast<int>(IntParam(req, "lines", 200, 1, 10000));
    // Another node's logs: its agent answers (its machine, its session).
    if (const std::string node = req.get_param_value("node"); !node.empty()) {
      std::string address;
      bool own = false;
      for (const rpc::NodeRecord& n : Snapshot()->nodes) {
        if (n.id.Hex() != node) continue;
        address = n.address;
        own = n.index == NodeIndex::kHead;
      }
      if (address.empty() && !own) {
        res.status = 404;
        SendJson(res, {{"error", "no node " + node + " in the cluster (see /api/nodes)"}});
        return;
      }
      if (!own) {
        const Result<rpc::LogReply> fetched = FetchNodeLog(address, options.token, rpc::LogRequest{name, lines, query});
        if (!fetched.ok()) {
          res.status = 502;
          SendJson(res, {{"error", "node " + node + ": " + fetched.status().message()}});
          return;
        }
        const rpc::LogReply& reply = *fetched;
        if (!reply.error.empty()) {
          res.status = 404;
          SendJson(res, {{"error", reply.error}});
          return;
        }
        if (name.empty()) {
          json files = json::array();
          for (const rpc::LogFile& f : reply.files) files.push_back({{"name", f.name}, {"bytes", f.bytes}});
          SendJson(res, {{"node_id", node}, {"files", files}});
        } else {
          SendJson(res, {{"node_id", node}, {"name", name}, {"query", query}, {"text", reply.text}});
        }
        return;
      }
    }
    if (name.empty()) {
      SendJson(res, {{"files", LogFilesJson(options.session_dir)}});
      return;
    }
    json out;
    if (!LogTailJson(options.session_dir, name, lines, query, &out)) {
      res.status = 404;
      SendJson(res, {{"error", "no log named '" + name + "' (see /api/logs)"}});
      return;
    }
    SendJson(res, out);
  });
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<const rpc::ClusterStatus> s;
    MetricsHistory h;
    {
      std::lock_guard<std::mutex> lock(mu);
      s = status;
      h.autoscaler_actions = static_cast<int64_t>(history.events().size());
      h.tasks_per_second = history.TasksPerSecond(10000);
    }
    res.set_content(PrometheusText(*s, h), "text/plain; version=0.0.4; charset=utf-8");
  });
}

DashboardServer::DashboardServer(DashboardOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

DashboardServer::~DashboardServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Status DashboardServer::Start() {
  if (!IsLoopbackHost(impl_->options.host) && impl_->options.token.empty()) {
    return InvalidArgument("dashboard: binding " + impl_->options.host + " (beyond loopback) needs the cluster token");
  }
  // A thread serves one connection for as long as the client keeps it alive,
  // and a browser opens up to six: with too few threads a page's third
  // request waits out another connection's keep-alive (it was 2 threads and a
  // 5 s stall per page load). Idle threads cost no CPU; the keep-alive is
  // short so a closed tab frees its threads soon.
  impl_->server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  impl_->server.set_keep_alive_timeout(2);
  impl_->Routes();
  if (impl_->options.port == 0) {
    impl_->port = impl_->server.bind_to_any_port(impl_->options.host);
  } else if (impl_->server.bind_to_port(impl_->options.host, impl_->options.port)) {
    impl_->port = impl_->options.port;
  } else {
    impl_->port = -1;
  }
  if (impl_->port <= 0) {
    return Unavailable("dashboard: cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                       " (in use? pick another with --dashboard-port, or --no-dashboard)");
  }
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  return OkStatus();
}

int DashboardServer::port() const { return impl_->port; }

std::string DashboardServer::url() const {
  const std::string& h = impl_->options.host;
  const std::string host = h == "0.0.0.0" ? "127.0.0.1" : h.find(':') != std::string::npos ? "[" + h + "]" : h;
  return "http://" + host + ":" + std::to_string(impl_->port) + "/";
}

void DashboardServer::Publish(rpc::ClusterStatus status) {
  // On the head's loop: keep it to a sample and a move; the JSON is made
  // when a request wants it.
  const Sample sample = SampleOf(status, NowMs());
  auto snapshot = std::make_shared<const rpc::ClusterStatus>(std::move(status));
  std::shared_ptr<const rpc::ClusterStatus> old;  // freed after the lock
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->history.Add(sample, snapshot->autoscaler);
  old = std::move(impl_->status);
  impl_->status = std::move(snapshot);
  ++impl_->version;
}

}  // namespace strata::dashboard
