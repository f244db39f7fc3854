#include <cstdio>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>

#include <strata/strata.h>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // `strata run` uses the cluster: its workers are this binary re-run in
  // worker mode, where Init() serves tasks and never returns.
  if (std::getenv("STRATA_WORKER_MODE") != nullptr) strata::Init();
  CLI::App app{"Strata: a distributed computing engine for data preprocessing", "strata"};
  // At most one; an unknown word is then reported by name, not as "missing".
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", "strata 0.1.0");

  strata::cli::StartFlags start;
  CLI::App* start_cmd = app.add_subcommand("start", "Start the head and this machine's node agent");
  auto* head_flag = start_cmd->add_flag("--head", start.head, "Start the head node");
  start_cmd->add_option("--address", start.address, "Join the head at HOST:PORT as a node")
      ->excludes(head_flag);
  start_cmd->add_option("--host", start.host,
                        "Interface to listen on (default 127.0.0.1; 0.0.0.0 for other machines)");
  start_cmd->add_option("--port", start.port,
                        "TCP port to listen on (default 6380 for a head, any free port for a node)")
      ->check(CLI::Range(0, 65535));
  start_cmd->add_option("--node-timeout", start.node_timeout_s,
                        "Head: seconds of silence before a node is declared dead (default 10)")
      ->check(CLI::Range(0.1, 3600.0));
  start_cmd->add_option("--dead-node-retention", start.dead_node_retention_s,
                        "Head: seconds a dead or drained node stays listed in status (default 600)")
      ->check(CLI::Range(0.0, 86400.0 * 30));
  start_cmd->add_option("--num-cpus", start.num_cpus, "CPUs to offer (default: all cores; 0: none, a head that only coordinates)")
      ->check(CLI::Range(0, 1 << 20));
  start_cmd->add_option("--resources", start.resources_json,
                        "Custom resources as JSON, e.g. '{\"intel\": 1}'");
  start_cmd->add_option("--object-store-memory", start.object_store_memory,
                        "Shared-memory store size in bytes (default: 30% of RAM)")
      ->check(CLI::Range(int64_t{1} << 20, int64_t{1} << 50));
  start_cmd->add_option("--spill-dir", start.spill_dir,
                        "Where objects spill when the store is full (default: in the session dir)");
  start_cmd->add_flag("--block", start.block, "Stay in the foreground instead of daemonizing");
  start_cmd->add_option("--dashboard-host", start.dashboard_host,
                        "Head: interface the dashboard listens on (default 127.0.0.1; any other needs the "
                        "cluster token from browsers)");
  start_cmd->add_option("--dashboard-port", start.dashboard_port, "Head: dashboard port (default 8265; 0: any free)")
      ->check(CLI::Range(0, 65535));
  start_cmd->add_flag("--no-dashboard", start.no_dashboard, "Head: serve no dashboard and no /metrics");
  start_cmd->add_option("--token", start.token,
                        "Cluster token every connection must present (default: $STRATA_TOKEN when "
                        "joining, else a new random one). Visible in ps: prefer --token-file");
  std::string token_file;
  start_cmd->add_option("--token-file", token_file, "Read the cluster token from this file")
      ->check(CLI::ExistingFile);

  start_cmd->add_option("--node-type", start.node_type,
                        "Node type name shown in status (default: head, or worker)");
  start_cmd->add_option("--instance-id", start.instance_id,
                        "The provider's id for this machine (set by the autoscaler)");
  start_cmd->add_option("--spot-metadata-url", start.spot_metadata_url,
                        "Watch this instance metadata service (http://169.254.169.254 on EC2) for "
                        "spot interruption notices; on one, the node drains itself");
  start_cmd->add_option("--spot-poll-ms", start.spot_poll_ms,
                        "How often to ask for a spot notice (default 5000)")
      ->check(CLI::Range(10, 600000));

  app.add_subcommand("stop", "Stop the cluster started on this machine");

  std::string address;
  std::string token;
  std::string cluster_file;
  CLI::App* up_cmd = app.add_subcommand(
      "up", "Start a cluster from a cluster file: the head, its min_workers, and the autoscaler");
  up_cmd->add_option("cluster_file", cluster_file, "The cluster YAML file")->required();
  up_cmd->add_option("--port", start.port, "Head port (default 6380)")->check(CLI::Range(0, 65535));
  up_cmd->add_option("--host", start.host, "Interface the head listens on (default 127.0.0.1)");
  bool up_here = false;
  up_cmd->add_flag("--here", up_here,
                   "Run the head on this machine (aws: default is to launch it on EC2)");
  CLI::App* down_cmd =
      app.add_subcommand("down", "End everything `strata up` started for a cluster file");
  down_cmd->add_option("cluster_file", cluster_file, "The cluster YAML file")->required();
  std::string state_dir;
  CLI::App* autoscaler_cmd =
      app.add_subcommand("autoscaler", "Run the autoscaler in the foreground (strata up starts it)");
  autoscaler_cmd->add_option("cluster_file", cluster_file, "The cluster YAML file")->required();
  autoscaler_cmd->add_option("--address", address, "The head")->required();
  autoscaler_cmd->add_option("--token", token, "Cluster token");
  autoscaler_cmd->add_option("--state-dir", state_dir, "Where to keep instance records")
      ->required();

  bool json = false;
  CLI::App* status_cmd = app.add_subcommand("status", "Show nodes, resources and demand");
  status_cmd->add_option("--address", address, "Cluster address host:port (default: the local one)");
  status_cmd->add_flag("--json", json, "Machine-readable output");
  std::string watch;
  auto* watch_opt = status_cmd->add_option("--watch", watch, "Redraw every SECONDS (default 1) in place, like watch -n 1")
                        ->expected(0, 1);
  status_cmd->add_option("--token", token, "Cluster token (default: $STRATA_TOKEN or the local record)");

  std::string drain_node;
  double drain_deadline = 600;
  CLI::App* drain_cmd =
      app.add_subcommand("drain", "Let a node finish its work, hand over its results, and leave");
  drain_cmd->add_option("node_id", drain_node, "The node's id (strata status --json)")->required();
  drain_cmd->add_option("--deadline", drain_deadline,
                        "Seconds before it leaves anyway; what it still runs is retried elsewhere "
                        "(default 600)")
      ->check(CLI::Range(0.0, 86400.0));
  drain_cmd->add_option("--address", address, "The head (default: the local one)");
  drain_cmd->add_option("--token", token, "Cluster token (default: $STRATA_TOKEN or the record)");

  CLI::App* timeline_cmd = app.add_subcommand("timeline", "Task executions per worker per node as a Chrome trace (Perfetto)");
  std::string timeline_job, timeline_out = "timeline.json";
  timeline_cmd->add_option("--job", timeline_job, "Only this job's tasks (its id, as `strata status --json` shows)");
  timeline_cmd->add_option("-o,--output", timeline_out, "Where the trace goes (default timeline.json)");
  timeline_cmd->add_option("--address", address, "Cluster address host:port (default: the local one)");
  timeline_cmd->add_option("--token", token, "Cluster token (default: $STRATA_TOKEN or the local record)");
  CLI::App* job_cmd = app.add_subcommand("job", "Run drivers on the cluster and follow them");
  job_cmd->require_subcommand(1);
  strata::cli::JobSubmitFlags submit;
  CLI::App* submit_cmd = job_cmd->add_subcommand(
      "submit", "Upload a program and run it as a driver on the head: strata job submit -- PROG ARGS");
  submit_cmd->add_option("--address", submit.address, "The head (default: the local one)");
  submit_cmd->add_option("--token", submit.token, "Cluster token (default: $STRATA_TOKEN or the record)");
  submit_cmd->add_option("--binary", submit.binaries,
                         "ARCH=PATH: the program built for another architecture (x86_64, arm64); "
                         "repeatable");
  submit_cmd->add_option("--env", submit.env, "KEY=VALUE for the driver; repeatable");
  submit_cmd->add_flag("--no-wait", submit.no_wait, "Print the job id and return at once");
  submit_cmd->add_option("command", submit.command, "The program and its arguments (after --)")
      ->required();
  std::string job_id;
  bool follow = false;
  CLI::App* list_cmd = job_cmd->add_subcommand("list", "Jobs submitted to this cluster");
  list_cmd->add_option("--address", address, "The head (default: the local one)");
  list_cmd->add_option("--token", token, "Cluster token");
  list_cmd->add_flag("--json", json, "Machine-readable output");
  CLI::App* logs_cmd = job_cmd->add_subcommand("logs", "What a job's driver printed");
  logs_cmd->add_option("job_id", job_id, "The job (strata job list)")->required();
  logs_cmd->add_flag("--follow,-f", follow, "Keep printing until the job ends");
  logs_cmd->add_option("--address", address, "The head (default: the local one)");
  logs_cmd->add_option("--token", token, "Cluster token");
  CLI::App* jstop_cmd = job_cmd->add_subcommand("stop", "Stop a job's driver (SIGTERM, then SIGKILL)");
  jstop_cmd->add_option("job_id", job_id, "The job (strata job list)")->required();
  jstop_cmd->add_option("--address", address, "The head (default: the local one)");
  jstop_cmd->add_option("--token", token, "Cluster token");

  std::string pipeline_file;
  std::string run_address;
  bool no_progress = false;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run a pipeline file (read, steps, write) on all cores, or on a cluster with --address");
  run_cmd->add_option("pipeline", pipeline_file, "The pipeline YAML file")->required();
  run_cmd->add_option("--address", run_address,
                      "A running cluster (default: $STRATA_ADDRESS, else an embedded one)");
  run_cmd->add_flag("--no-progress", no_progress, "No progress line while it runs");
  int run_dashboard_port = -1;
  run_cmd->add_option("--dashboard", run_dashboard_port,
                      "On the embedded cluster: serve the dashboard on 127.0.0.1:PORT while it runs "
                      "(0: any free port); a cluster started with `strata start` has its own")
      ->expected(0, 1)
      ->default_str("8265");
  bool explain = false;
  run_cmd->add_flag("--explain", explain,
                    "Print the plan (stages, what each runs, where the shuffles are) and exit "
                    "without running it");

  CLI11_PARSE(app, argc, argv);
  if (run_cmd->parsed()) {
    if (explain) return strata::cli::ExplainPipelineFile(pipeline_file);
    if (run_cmd->count("--dashboard") > 0 && run_dashboard_port < 0) run_dashboard_port = 8265;
    return strata::cli::RunPipelineFile(pipeline_file, run_address, !no_progress, run_dashboard_port);
  }
  if (submit_cmd->parsed()) return strata::cli::RunJobSubmit(submit);
  if (list_cmd->parsed()) return strata::cli::RunJobList(address, token, json);
  if (logs_cmd->parsed()) return strata::cli::RunJobLogs(job_id, follow, address, token);
  if (jstop_cmd->parsed()) return strata::cli::RunJobStop(job_id, address, token);
  if (drain_cmd->parsed()) {
    return strata::cli::RunDrain(drain_node, drain_deadline, address, token);
  }

  if (start_cmd->parsed()) {
    if (!token_file.empty()) {
      std::ifstream in(token_file);
      std::getline(in, start.token);
      if (start.token.empty()) {
        std::fprintf(stderr, "strata start: %s holds no token on its first line\n", token_file.c_str());
        return 2;
      }
    }
    return strata::cli::RunStart(start);
  }
  if (up_cmd->parsed()) return strata::cli::RunUp(cluster_file, start, up_here);
  if (down_cmd->parsed()) return strata::cli::RunDown(cluster_file);
  if (autoscaler_cmd->parsed()) {
    return strata::cli::RunAutoscaler(cluster_file, address, token, state_dir);
  }
  if (app.got_subcommand("stop")) return strata::cli::RunStop();
  if (timeline_cmd->parsed()) return strata::cli::RunTimeline(address, token, timeline_job, timeline_out);
  if (status_cmd->parsed()) {
    double watch_s = 0;
    if (watch_opt->count() > 0) {
      char* end = nullptr;
      watch_s = watch.empty() ? 1.0 : std::strtod(watch.c_str(), &end);
      if (!watch.empty() && (*end != '\0' || !(watch_s >= 0.1 && watch_s <= 3600))) {
        std::fprintf(stderr, "strata status: --watch takes seconds between 0.1 and 3600, not '%s'\n", watch.c_str());
        return 2;
      }
    }
    return strata::cli::RunStatus(address, token, json, watch_s);
  }
  std::fprintf(stderr, "%s", app.help().c_str());
  return 2;
}
