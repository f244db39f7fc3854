#include "head/cluster_state.h"

namespace strata::head {

namespace {

class InMemoryClusterState : public ClusterState {
 public:
  void UpsertNode(const NodeRecord& node) override { nodes_[node.id] = node; }
  void RemoveNode(const NodeId& id) override { nodes_.erase(id); }
  void UpsertJob(const JobRecord& job) override { jobs_[job.id] = job; }
  std::vector<NodeRecord> Nodes() const override {
    std::vector<NodeRecord> out;
    for (const auto& [id, n] : nodes_) out.push_back(n);
    return out;
  }
  std::vector<JobRecord> Jobs() const override {
    std::vector<JobRecord> out;
    for (const auto& [id, j] : jobs_) out.push_back(j);
    return out;
  }

 private:
  std::map<NodeId, NodeRecord> nodes_;
  std::map<JobId, JobRecord> jobs_;
};

}  // namespace

std::unique_ptr<ClusterState> NewInMemoryClusterState() {
  return std::make_unique<InMemoryClusterState>();
}

}  // namespace strata::head
