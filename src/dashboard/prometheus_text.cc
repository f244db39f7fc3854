#include "dashboard/prometheus_text.h"

#include <cstdio>
#include <iterator>
#include <map>
#include <vector>

namespace strata::dashboard {

namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

class Writer {
 public:
  // A family: its HELP and TYPE lines come before its first sample.
  void Family(const char* name, const char* type, const char* help) {
    text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    name_ = name;
  }
  // `suffix`: a histogram's _bucket, _sum or _count.
  void Sample(const Labels& labels, double value, const char* suffix = "") {
    text_ += name_;
    text_ += suffix;
    if (!labels.empty()) {
      text_ += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) text_ += ',';
        text_ += labels[i].first + "=\"" + Escape(labels[i].second) + "\"";
      }
      text_ += '}';
    }
    char v[64];
    std::snprintf(v, sizeof v, " %.17g\n", value);
    text_ += v;
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
  std::string name_;
};

double Cpus(const ResourceSet& r) {
  const auto d = r.ToDoubles();
  const auto it = d.find("CPU");
  return it == d.end() ? 0.0 : it->second;
}

}  // namespace

std::string PrometheusText(const rpc::ClusterStatus& s, const MetricsHistory& history) {
  Writer w;
  std::map<std::pair<std::string, std::string>, int> nodes;  // (state, type) -> count
  for (const rpc::NodeRecord& n : s.nodes) ++nodes[{rpc::NodeStateName(n.state), n.node_type}];
  w.Family("strata_nodes", "gauge", "Nodes the head knows, by state and node type.");
  for (const auto& [key, count] : nodes) w.Sample({{"state", key.first}, {"node_type", key.second}}, count);

  w.Family("strata_resources_total", "gauge", "Resources of the alive nodes.");
  for (const auto& [name, v] : rpc::AliveTotal(s).ToDoubles()) w.Sample({{"resource", name}}, v);
  w.Family("strata_resources_used", "gauge", "Resources leased by running work on the alive nodes.");
  for (const auto& [name, v] : rpc::AliveUsed(s).ToDoubles()) w.Sample({{"resource", name}}, v);

  int64_t pending = 0, infeasible = 0;
  double pending_cpus = 0;
  for (const auto& [shape, count] : rpc::PendingDemands(s)) {
    pending += count;
    pending_cpus += Cpus(shape) * static_cast<double>(count);
  }
  for (const auto& [shape, count] : rpc::InfeasibleDemands(s)) infeasible += count;
  int busy = 0, idle = 0, blocked = 0, actors = 0, starting = 0;
  for (const rpc::NodeRecord& n : s.nodes) {
    if (n.state != rpc::NodeState::kAlive) continue;
    busy += n.workers.busy, idle += n.workers.idle, blocked += n.workers.blocked;
    actors += n.workers.actors, starting += n.workers.starting;
  }
  w.Family("strata_tasks", "gauge", "Tasks now: queued for resources, running, or asking for more than any node has.");
  w.Sample({{"state", "pending"}}, static_cast<double>(pending));
  w.Sample({{"state", "running"}}, busy);
  w.Sample({{"state", "infeasible"}}, static_cast<double>(infeasible));
  w.Family("strata_pending_cpus", "gauge", "CPUs the queued tasks ask for (what the autoscaler scales on).");
  w.Sample({}, pending_cpus);
  w.Family("strata_workers", "gauge", "Worker processes on the alive nodes, by state.");
  w.Sample({{"state", "busy"}}, busy);
  w.Sample({{"state", "idle"}}, idle);
  w.Sample({{"state", "blocked"}}, blocked);
  w.Sample({{"state", "actor"}}, actors);
  w.Sample({{"state", "starting"}}, starting);

  w.Family("strata_node_tasks_finished_total", "counter", "Tasks finished on each node since it started.");
  for (const rpc::NodeRecord& n : s.nodes) w.Sample({{"node_id", n.id.Hex()}}, static_cast<double>(n.tasks_finished));
  w.Family("strata_tasks_per_second", "gauge", "Tasks finished per second over the cluster, over the last 10 s.");
  w.Sample({}, history.tasks_per_second);

  // Summed over the nodes the head knows (each counts since it started).
  constexpr size_t kBounds = std::size(rpc::kSchedulingBucketsSeconds);
  std::vector<uint64_t> buckets(kBounds + 1, 0);
  double latency_sum = 0;
  for (const rpc::NodeRecord& n : s.nodes) {
    const rpc::LatencyHistogram& h = n.scheduling_latency;
    for (size_t b = 0; b < h.counts.size() && b < buckets.size(); ++b) buckets[b] += h.counts[b];
    latency_sum += h.sum_seconds;
  }
  w.Family("strata_scheduling_latency_seconds", "histogram",
           "From a task reaching the node that runs it to a worker getting it.");
  uint64_t cumulative = 0;
  for (size_t b = 0; b < kBounds; ++b) {
    cumulative += buckets[b];
    char le[32];
    std::snprintf(le, sizeof le, "%g", rpc::kSchedulingBucketsSeconds[b]);
    w.Sample({{"le", le}}, static_cast<double>(cumulative), "_bucket");
  }
  cumulative += buckets[kBounds];
  w.Sample({{"le", "+Inf"}}, static_cast<double>(cumulative), "_bucket");
  w.Sample({}, latency_sum, "_sum");
  w.Sample({}, static_cast<double>(cumulative), "_count");

  struct TransferFamily {
    const char* name;
    const char* help;
    uint64_t rpc::TransferStats::*field;
  };
  static const TransferFamily kTransfers[] = {
      {"strata_object_pulls_total", "Objects each node pulled from other nodes.", &rpc::TransferStats::pulls},
      {"strata_object_pull_failures_total", "Pulls that failed (the holder left, a bad chunk).",
       &rpc::TransferStats::pull_failures},
      {"strata_object_pulled_bytes_total", "Object bytes each node pulled from other nodes.",
       &rpc::TransferStats::pulled_bytes},
      {"strata_object_served_bytes_total", "Object bytes each node sent to pulling nodes.",
       &rpc::TransferStats::served_bytes},
  };
  for (const TransferFamily& f : kTransfers) {
    w.Family(f.name, "counter", f.help);
    for (const rpc::NodeRecord& n : s.nodes) w.Sample({{"node_id", n.id.Hex()}}, static_cast<double>(n.transfers.*f.field));
  }
  struct StoreFamily {
    const char* name;
    const char* type;
    const char* help;
    uint64_t rpc::StoreStats::*field;
  };
  static const StoreFamily kStore[] = {
      {"strata_object_store_capacity_bytes", "gauge", "Shared memory each node's object store may use.",
       &rpc::StoreStats::capacity_bytes},
      {"strata_object_store_used_bytes", "gauge", "Bytes of objects in shared memory.", &rpc::StoreStats::used_bytes},
      {"strata_object_store_spilled_bytes", "gauge", "Bytes of objects spilled to local disk.",
       &rpc::StoreStats::spilled_bytes},
      {"strata_object_store_objects", "gauge", "Objects in the store.", &rpc::StoreStats::num_objects},
      {"strata_object_store_spills_total", "counter", "Objects spilled to disk since the node started.",
       &rpc::StoreStats::spill_count},
      {"strata_object_store_refused_total", "counter", "Objects refused (store full, spilling failing).",
       &rpc::StoreStats::refused},
  };
  for (const StoreFamily& f : kStore) {
    w.Family(f.name, f.type, f.help);
    for (const rpc::NodeRecord& n : s.nodes) {
      if (n.state == rpc::NodeState::kAlive) w.Sample({{"node_id", n.id.Hex()}}, static_cast<double>(n.store.*f.field));
    }
  }

  std::map<std::string, int> jobs;
  for (const rpc::JobRecord& j : s.jobs) ++jobs[rpc::JobStateName(j.state)];
  w.Family("strata_jobs", "gauge", "Driver jobs by state.");
  for (const auto& [state, count] : jobs) w.Sample({{"state", state}}, count);

  std::map<std::string, int> pipelines;
  for (const rpc::PipelineRecord& p : s.pipelines) ++pipelines[rpc::PipelineStateName(p.state)];
  w.Family("strata_pipelines", "gauge", "Pipeline runs the head lists (every running one, the latest ended ones), by state.");
  for (const auto& [state, count] : pipelines) w.Sample({{"state", state}}, count);
  auto run_labels = [](const rpc::PipelineRecord& p) {
    return Labels{{"pipeline", p.name}, {"job_id", p.job.Hex()}, {"run", std::to_string(p.run)}};
  };
  w.Family("strata_pipeline_rows_read_total", "counter", "Rows a pipeline run has read so far.");
  for (const rpc::PipelineRecord& p : s.pipelines) w.Sample(run_labels(p), static_cast<double>(p.rows_read));
  struct StepFamily {
    const char* name;
    const char* help;
    int64_t rpc::PipelineStep::*field;
  };
  static const StepFamily kSteps[] = {
      {"strata_pipeline_step_rows_in_total", "Rows into each step of a pipeline run so far.", &rpc::PipelineStep::rows_in},
      {"strata_pipeline_step_rows_out_total", "Rows out of each step of a pipeline run so far.", &rpc::PipelineStep::rows_out},
  };
  for (const StepFamily& f : kSteps) {
    w.Family(f.name, "counter", f.help);
    for (const rpc::PipelineRecord& p : s.pipelines) {
      for (const rpc::PipelineStep& st : p.steps) {
        Labels l = run_labels(p);
        l.emplace_back("step", std::to_string(st.step));
        l.emplace_back("op", st.op);
        w.Sample(l, static_cast<double>(st.*f.field));
      }
    }
  }
  w.Family("strata_pipeline_step_counted_total", "counter", "What a step counted (a filter's drops per rule), per pipeline run.");
  for (const rpc::PipelineRecord& p : s.pipelines) {
    for (const rpc::PipelineStep& st : p.steps) {
      for (const auto& [name, n] : st.counters) {
        Labels l = run_labels(p);
        l.emplace_back("step", std::to_string(st.step));
        l.emplace_back("op", st.op);
        l.emplace_back("counter", name);
        w.Sample(l, static_cast<double>(n));
      }
    }
  }

  if (s.autoscaler) {
    w.Family("strata_autoscaler_nodes", "gauge", "Nodes the autoscaler manages, by node type and state.");
    for (const rpc::AutoscalerNodeType& t : s.autoscaler->node_types) {
      w.Sample({{"node_type", t.name}, {"state", "running"}}, t.running);
      w.Sample({{"node_type", t.name}, {"state", "launching"}}, t.launching);
      w.Sample({{"node_type", t.name}, {"state", "idle"}}, t.idle);
    }
    w.Family("strata_autoscaler_paused", "gauge", "1 where launching a node type is paused (quota, capacity, failures).");
    for (const rpc::AutoscalerNodeType& t : s.autoscaler->node_types) w.Sample({{"node_type", t.name}}, t.paused.empty() ? 0 : 1);
    w.Family("strata_cost_per_hour_dollars", "gauge", "What the running nodes cost per hour.");
    w.Sample({}, s.autoscaler->cost_per_hour);
    w.Family("strata_autoscaler_actions_total", "counter", "Autoscaler actions (launches, terminations) seen by the head.");
    w.Sample({}, static_cast<double>(history.autoscaler_actions));
    const rpc::AutoscalerCounters& c = s.autoscaler->counters;
    w.Family("strata_autoscaler_launches_total", "counter", "Instances the autoscaler's provider started.");
    w.Sample({}, static_cast<double>(c.launches));
    w.Family("strata_autoscaler_terminations_total", "counter", "Instances the autoscaler ended (dead, drained, never joined).");
    w.Sample({}, static_cast<double>(c.terminations));
    w.Family("strata_autoscaler_drains_total", "counter", "Idle nodes the autoscaler asked to drain.");
    w.Sample({}, static_cast<double>(c.drains));
    w.Family("strata_autoscaler_failures_total", "counter", "Launches refused and nodes that never joined.");
    w.Sample({}, static_cast<double>(c.failures));
  }
  return w.Take();
}

}  // namespace strata::dashboard
