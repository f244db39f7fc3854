#include "autoscaler/planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace strata::autoscaler {

namespace {

constexpr int64_t kUnbounded = std::numeric_limits<int32_t>::max();
constexpr int kMinPendingLaunches = 5;

struct Bin {
  ResourceSet free;
  const NodeState* node = nullptr;  // null for a node this plan launches
  bool used = false;                // demand was packed here
};

void TakeCopies(ResourceSet* capacity, const ResourceSet& shape, int64_t copies) {
  ResourceSet::Entries e;
  for (const auto& [name, amount] : shape.entries()) e.emplace_back(name, amount * copies);
  capacity->Subtract(ResourceSet::FromEntries(std::move(e)));
}

std::string Describe(const std::map<ResourceSet, int64_t>& shapes) {
  std::ostringstream out;
  bool first = true;
  for (const auto& [shape, n] : shapes) {
    out << (first ? "" : ", ") << n << " × " << shape.ToString();
    first = false;
  }
  return out.str();
}

}  // namespace

int64_t CopiesThatFit(const ResourceSet& shape, const ResourceSet& capacity) {
  int64_t copies = kUnbounded;
  for (const auto& [name, amount] : shape.entries()) {
    if (amount <= 0) continue;
    copies = std::min(copies, capacity.GetFixed(name) / amount);
  }
  return copies;
}

Plan PlanRound(const ClusterConfig& config, const std::vector<NodeState>& nodes,
               const std::map<ResourceSet, int64_t>& demand, const std::set<std::string>& paused) {
  Plan plan;
  std::vector<Bin> bins;
  std::map<std::string, int> count;  // worker nodes per type (running or launching)
  int workers = 0;
  int launching = 0;
  int alive = 0;
  for (const NodeState& n : nodes) {
    auto type = config.node_types.find(n.node_type);
    if (type != config.node_types.end()) plan.cost_per_hour += type->second.price_per_hour;
    if (n.draining) continue;
    bins.push_back(Bin{n.launching ? n.total : n.available, &n, false});
    if (n.head) continue;
    ++count[n.node_type];
    ++workers;
    launching += n.launching;
    alive += !n.launching;
  }
  // At most this many nodes may be launching at once (Ray's upscaling_speed).
  const int pending_cap = std::max(
      kMinPendingLaunches,
      static_cast<int>(std::ceil(config.upscaling_speed * std::max(alive + 1, 1))));
  int may_launch = std::max(0, pending_cap - launching);
  std::vector<std::string> why;

  auto launch = [&](const NodeTypeConfig& t) {
    ++plan.launch[t.name];
    ++count[t.name];
    ++workers;
    --may_launch;
    plan.cost_per_hour += t.price_per_hour;
    bins.push_back(Bin{ResourceSet::FromDoubles(t.resources), nullptr, false});
  };

  // min_workers come first, whatever the demand.
  for (const auto& [name, t] : config.node_types) {
    int short_by = t.min_workers - count[name];
    if (short_by > 0 && paused.count(name) == 0) {
      why.push_back("min_workers of " + name + " is " + std::to_string(t.min_workers));
      for (; short_by > 0 && workers < config.max_workers; --short_by) launch(t);
    }
  }

  // Biggest shapes first: they are the hardest to place.
  std::vector<std::pair<ResourceSet, int64_t>> shapes(demand.begin(), demand.end());
  std::sort(shapes.begin(), shapes.end(), [](const auto& a, const auto& b) {
    const int64_t ca = a.first.GetFixed("CPU"), cb = b.first.GetFixed("CPU");
    if (ca != cb) return ca > cb;
    return a.first.entries().size() > b.first.entries().size();
  });
  std::map<ResourceSet, int64_t> launched_for;
  for (auto& [shape, left] : shapes) {
    for (Bin& bin : bins) {
      if (left == 0) break;
      const int64_t k = std::min(left, CopiesThatFit(shape, bin.free));
      if (k <= 0) continue;
      TakeCopies(&bin.free, shape, k);
      bin.used = true;
      left -= k;
    }
    while (left > 0) {
      const NodeTypeConfig* best = nullptr;
      double best_cost = 0;
      int64_t best_fit = 0;
      bool could_ever = false;
      for (const auto& [name, t] : config.node_types) {
        const int64_t fit = CopiesThatFit(shape, ResourceSet::FromDoubles(t.resources));
        if (fit <= 0) continue;
        could_ever = true;
        if (name == config.head_node_type && t.max_workers == 0) continue;
        if (paused.count(name) != 0 || count[name] >= t.max_workers) continue;
        const double cost = t.price_per_hour / static_cast<double>(fit);
        if (best == nullptr || cost < best_cost || (cost == best_cost && fit > best_fit)) {
          best = &t;
          best_cost = cost;
          best_fit = fit;
        }
      }
      if (!could_ever) {
        plan.infeasible[shape] += left;
        break;
      }
      if (best == nullptr || workers >= config.max_workers || may_launch <= 0) {
        plan.waiting[shape] += left;
        break;
      }
      launch(*best);
      Bin& bin = bins.back();
      const int64_t k = std::min(left, best_fit);
      TakeCopies(&bin.free, shape, k);
      bin.used = true;
      launched_for[shape] += k;
      left -= k;
    }
  }
  if (!launched_for.empty()) why.push_back("pending demand " + Describe(launched_for));
  if (!plan.waiting.empty()) {
    why.push_back("not launching for " + Describe(plan.waiting) +
                  (workers >= config.max_workers ? ": max_workers reached"
                   : may_launch <= 0           ? ": upscaling_speed limits nodes launching at once"
                                               : ": node types at their max_workers or paused"));
  }
  if (!plan.infeasible.empty()) {
    why.push_back("infeasible (no node type holds it): " + Describe(plan.infeasible));
  }

  // Idle nodes past the timeout go (drained first), down to min_workers; a
  // node that the demand above was packed onto stays.
  const double idle_limit = config.idle_timeout_minutes * 60;
  std::map<std::string, int> remaining = count;
  for (const Bin& bin : bins) {
    const NodeState* n = bin.node;
    if (n == nullptr || n->head || n->launching || bin.used || n->idle_seconds < idle_limit) {
      continue;
    }
    auto type = config.node_types.find(n->node_type);
    const int min = type == config.node_types.end() ? 0 : type->second.min_workers;
    if (remaining[n->node_type] <= min) continue;
    --remaining[n->node_type];
    plan.drain.push_back(n->node_id);
  }
  if (!plan.drain.empty()) {
    why.push_back(std::to_string(plan.drain.size()) + " node(s) idle longer than " +
                  std::to_string(static_cast<int>(config.idle_timeout_minutes * 60)) + " s");
  }
  std::ostringstream reason;
  for (size_t i = 0; i < why.size(); ++i) reason << (i ? "; " : "") << why[i];
  plan.reason = reason.str();
  return plan;
}

}  // namespace strata::autoscaler
