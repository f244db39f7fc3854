// The dashboard server on its own: the token rule beyond loopback, the JSON
// API over a published status, and /metrics in Prometheus' text format.
#include <httplib.h>

#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dashboard/dashboard_server.h"
#include "dashboard/prometheus_text.h"

namespace strata::dashboard {
namespace {

rpc::ClusterStatus TwoNodes() {
  rpc::ClusterStatus s;
  s.session_dir = "/nonexistent";
  s.time = 1;
  for (int i = 0; i < 2; ++i) {
    rpc::NodeRecord n;
    n.id = NodeId::Generate();
    n.index = static_cast<NodeIndex>(i);
    n.node_type = i == 0 ? "head" : "worker \"x\"";  // a quote to escape in labels
    n.arch = "x86_64";
    n.total = ResourceSet::FromDoubles({{"CPU", 4}});
    n.used = ResourceSet::FromDoubles({{"CPU", i == 1 ? 3.0 : 0.0}});
    n.store.used_bytes = 100;
    n.tasks_finished = 7;
    s.nodes.push_back(n);
  }
  s.nodes[1].pending[ResourceSet::FromDoubles({{"CPU", 2}})] = 5;
  // 3 tasks waited <= 0.1 ms, 1 waited 2 ms, 1 over a minute.
  s.nodes[0].scheduling_latency.counts = {3, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  s.nodes[1].scheduling_latency.counts = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  s.nodes[0].scheduling_latency.sum_seconds = 0.0022;
  s.nodes[1].scheduling_latency.sum_seconds = 75;
  s.nodes[1].transfers.pulled_bytes = 4096;
  rpc::PipelineRecord p;
  p.job = JobId::Generate();
  p.run = 2;
  p.name = "crawl.yaml";
  p.rows_read = 1000;
  p.seconds = 4;
  p.steps.push_back({1, "gopher_quality", 1000, 700, true, {{"gopher_short_doc", 200}, {"gopher_below_alpha_threshold", 100}}});
  p.steps.push_back({2, "exact_dedup", 700, 650, false, {}});
  s.pipelines.push_back(p);
  rpc::AutoscalerReport a;
  a.counters.launches = 6;
  a.counters.terminations = 2;
  a.counters.failures = 1;
  s.autoscaler = a;
  return s;
}

TEST(DashboardServer, BeyondLoopbackEveryRequestNeedsTheToken) {
  DashboardServer server({"0.0.0.0", 0, "s3cret", "/nonexistent"});
  const Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  server.Publish(TwoNodes());
  httplib::Client c("127.0.0.1", server.port());
  EXPECT_EQ(c.Get("/api/cluster")->status, 401);
  EXPECT_EQ(c.Get("/metrics", {{"X-Strata-Token", "wrong"}})->status, 401);
  EXPECT_EQ(c.Get("/", {{"Authorization", "Bearer s3cre"}})->status, 401);
  EXPECT_EQ(c.Get("/login?token=nope")->status, 401);
  auto ok = c.Get("/api/cluster", {{"X-Strata-Token", "s3cret"}});
  ASSERT_EQ(ok->status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok->body)["cpus_busy"], 3.0);
  EXPECT_EQ(c.Get("/", {{"Authorization", "Bearer s3cret"}})->status, 200);
  auto login = c.Get("/login?token=s3cret");
  ASSERT_EQ(login->status, 302);
  const std::string cookie = login->get_header_value("Set-Cookie");
  ASSERT_EQ(cookie.rfind("strata_token=s3cret;", 0), 0u) << cookie;
  EXPECT_EQ(c.Get("/api/nodes", {{"Cookie", "a=b; strata_token=s3cret"}})->status, 200);
}

TEST(DashboardServer, NoTokenNoBindingBeyondLoopback) {
  DashboardServer server({"0.0.0.0", 0, "", "/nonexistent"});
  const Status started = server.Start();
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(started.message().find("token"), std::string::npos) << started.message();
}

TEST(DashboardServer, ApiPagesNodesAndRefusesPathsOutOfTheSession) {
  DashboardServer server({"127.0.0.1", 0, "", "/nonexistent"});
  const Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  server.Publish(TwoNodes());
  httplib::Client c("127.0.0.1", server.port());
  auto page = nlohmann::json::parse(c.Get("/api/nodes?offset=1&limit=1")->body);
  EXPECT_EQ(page["total"], 2);
  ASSERT_EQ(page["nodes"].size(), 1u);
  EXPECT_EQ(page["nodes"][0]["index"], 1);
  auto tasks = nlohmann::json::parse(c.Get("/api/tasks")->body);
  EXPECT_EQ(tasks["pending"], 5);
  EXPECT_EQ(tasks["finished"], 14);
  EXPECT_EQ(c.Get("/api/logs?name=../../etc/passwd")->status, 404);
  EXPECT_EQ(c.Get("/api/logs?name=logs/../../etc/passwd")->status, 404);
  auto history = nlohmann::json::parse(c.Get("/api/history?since_ms=0&step_ms=0")->body);
  ASSERT_EQ(history["cpus_total"].size(), 1u);
  EXPECT_EQ(history["cpus_total"][0], 8.0);
}

TEST(PrometheusText, EveryLineParsesAndFamiliesAreDeclaredOnce) {
  const std::string text = PrometheusText(TwoNodes(), {0, 12.5});
  const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (-?[0-9.eE+-]+)$)");
  const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram|summary|untyped)$)");
  std::set<std::string> declared, histograms;
  std::map<std::string, double> values;
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (std::regex_match(line, m, type)) {
      EXPECT_TRUE(declared.insert(m[1]).second) << "declared twice: " << line;
      if (m[2] == "histogram") histograms.insert(m[1]);
      if (m[2] == "counter") {
        EXPECT_TRUE(m[1].str().ends_with("_total")) << line;
      }
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, sample)) << "not a sample: " << line;
    std::string family = m[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string base = family.substr(0, family.size() - std::min(family.size(), std::strlen(suffix)));
      if (family.ends_with(suffix) && histograms.count(base)) family = base;
    }
    EXPECT_TRUE(declared.count(family)) << "no TYPE before " << line;
    values[m[1].str() + m[2].str()] = std::stod(m[6]);
    ++samples;
  }
  EXPECT_GT(samples, 10);
  EXPECT_EQ(values["strata_resources_used{resource=\"CPU\"}"], 3);
  EXPECT_EQ(values["strata_tasks{state=\"pending\"}"], 5);
  EXPECT_EQ(values["strata_pending_cpus"], 10);
  EXPECT_EQ(values["strata_nodes{state=\"ALIVE\",node_type=\"worker \\\"x\\\"\"}"], 1);
  EXPECT_EQ(values["strata_tasks_per_second"], 12.5);
  // The histogram sums both nodes, cumulatively.
  EXPECT_EQ(values["strata_scheduling_latency_seconds_bucket{le=\"0.0001\"}"], 3);
  EXPECT_EQ(values["strata_scheduling_latency_seconds_bucket{le=\"0.001\"}"], 3);
  EXPECT_EQ(values["strata_scheduling_latency_seconds_bucket{le=\"0.005\"}"], 4);
  EXPECT_EQ(values["strata_scheduling_latency_seconds_bucket{le=\"60\"}"], 4);
  EXPECT_EQ(values["strata_scheduling_latency_seconds_bucket{le=\"+Inf\"}"], 5);
  EXPECT_EQ(values["strata_scheduling_latency_seconds_count"], 5);
  EXPECT_DOUBLE_EQ(values["strata_scheduling_latency_seconds_sum"], 75.0022);
  EXPECT_EQ(values["strata_autoscaler_launches_total"], 6);
  EXPECT_EQ(values["strata_autoscaler_terminations_total"], 2);
  EXPECT_EQ(values["strata_autoscaler_failures_total"], 1);
  // Ids are new in every TwoNodes(): match by the other labels.
  int matched = 0;
  for (const auto& [key, v] : values) {
    if (key.find("strata_object_pulled_bytes_total{") == 0 && v > 0) {
      EXPECT_EQ(v, 4096);
      ++matched;
    }
    if (key.find("strata_pipeline_step_rows_out_total{") == 0 && key.find("op=\"gopher_quality\"") != std::string::npos) {
      EXPECT_EQ(v, 700);
      ++matched;
    }
    if (key.find("strata_pipeline_step_counted_total{") == 0 && key.find("counter=\"gopher_short_doc\"") != std::string::npos) {
      EXPECT_EQ(v, 200);
      ++matched;
    }
    if (key.find("strata_pipelines{state=\"RUNNING\"}") == 0) {
      EXPECT_EQ(v, 1);
      ++matched;
    }
  }
  EXPECT_EQ(matched, 4);
}

}  // namespace
}  // namespace strata::dashboard
