// `strata run FILE.yaml [--address A]`: runs a pipeline file on the cluster
// at A, or on an embedded cluster on this machine (all cores) by default.
#include <cstdio>
#include <memory>

#include <strata/strata.h>

#include "cli/commands.h"
#include "client/embedded_hook.h"
#include "dashboard/dashboard_server.h"
#include "data/exec/pipeline.h"
#include "data/exec/console_reporter.h"
#include "data/exec/pipeline_publisher.h"
#include "data/plan/physical_plan.h"

namespace strata::cli {

int ExplainPipelineFile(const std::string& file) {
  const Result<data::PipelineSpec> spec = data::LoadPipeline(file);
  if (!spec.ok()) {
    std::fprintf(stderr, "strata run: %s\n", spec.status().message().c_str());
    return 2;
  }
  const Result<std::string> text = data::ExplainPipeline(*spec);
  if (!text.ok()) {
    std::fprintf(stderr, "strata run %s: %s\n", file.c_str(), text.status().message().c_str());
    return 2;
  }
  std::fputs(text->c_str(), stdout);
  return 0;
}

int RunPipelineFile(const std::string& file, const std::string& address, bool progress, int dashboard_port) {
  Result<data::PipelineSpec> loaded = data::LoadPipeline(file);
  if (!loaded.ok()) {
    std::fprintf(stderr, "strata run: %s\n", loaded.status().message().c_str());
    return 2;
  }
  const data::PipelineSpec spec = std::move(loaded).value();
  strata::InitOptions options;
  options.address = address;
  // Declared before Init and gone after Shutdown: the embedded head publishes to it.
  std::unique_ptr<dashboard::DashboardServer> dash;
  bool embedded = false;
  if (dashboard_port >= 0) {
    client::SetEmbeddedAgentHook([&dash, &embedded, dashboard_port](node::AgentOptions* agent) {
      embedded = true;
      auto server = std::make_unique<dashboard::DashboardServer>(
          dashboard::DashboardOptions{"127.0.0.1", dashboard_port, "", agent->session_dir});
      if (Status started = server->Start(); !started.ok()) {
        std::fprintf(stderr, "strata run: dashboard not started: %s\n", started.message().c_str());
        return;
      }
      dash = std::move(server);
      std::fprintf(stderr, "strata run: dashboard at %s (while the run lasts)\n", dash->url().c_str());
      agent->on_head_status = [&dash](rpc::ClusterStatus status) {
        if (dash) dash->Publish(std::move(status));
      };
    });
  }
  try {
    strata::Init(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata run: %s\n", e.what());
    return 1;
  }
  if (dashboard_port >= 0 && !embedded) {
    client::SetEmbeddedAgentHook(nullptr);
    std::fprintf(stderr, "strata run: joined a running cluster; its dashboard is the one `strata status` shows\n");
  }
  data::ConsoleReporter console(file, progress);
  data::RunOptions run;
  int rc = 1;
  try {
    data::PipelinePublisher publisher(file);
    data::FanOutObserver both({&console, &publisher});
    run.observer = &both;
    rc = data::RunPipeline(spec, run);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata run %s: %s\n", file.c_str(), e.what());
  }
  strata::Shutdown();
  client::SetEmbeddedAgentHook(nullptr);
  return rc;
}

}  // namespace strata::cli
