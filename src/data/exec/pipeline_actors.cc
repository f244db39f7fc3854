#include "data/exec/pipeline_actors.h"

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "data/ops/operators.h"
#include "data/exec/stage_part.h"
#include "data/ops/steps.h"

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

// Batches queued per actor: one running, one waiting.
constexpr size_t kQueuedPerActor = 2;

using BatchResult = PartResult;

// One actor of the pool: its steps are made once and kept, so a batch
// class's object lives as long as the actor.
class PipelineActor {
 public:
  static PipelineActor* Create(const ActorStage& stage) { return new PipelineActor(stage); }

  BatchResult Process(const std::vector<strata::ObjectRef<Block>>& input, int64_t part) {
    BatchResult r;
    if (!error_.empty()) {
      r.error = error_;
      return r;
    }
    try {
      Block b = strata::Get(input.at(0));
      const Counters before = step_->Counters();
      if (Status s = step_->Apply(&b); !s.ok()) {
        r.error = "step " + stage_.step.op + ": " + s.message();
        return r;
      }
      r.counters_out = CountersSince(before, step_->Counters());
      FinishPart(std::move(b), after_, stage_.after, stage_.partial_groupby, stage_.write, part, &r);
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    return r;
  }

 private:
  explicit PipelineActor(const ActorStage& stage) : stage_(stage) {
    auto step = MakeStep(stage.step);
    Status made = step.ok() ? MakeSteps(stage.after, &after_) : step.status();
    if (step.ok()) step_ = std::move(step).value();
    error_ = made.message();
  }
  ActorStage stage_;
  std::unique_ptr<Step> step_;
  std::vector<std::unique_ptr<Step>> after_;
  std::string error_;
};
STRATA_REMOTE(PipelineActor::Create, &PipelineActor::Process);

}  // namespace

struct ActorPool::Impl {
  std::vector<strata::ActorHandle<PipelineActor>> actors;
  std::vector<size_t> queued;  // per actor
  struct Pending {
    strata::ObjectRef<BatchResult> result;
    size_t actor;
    size_t index;
  };
  std::vector<Pending> pending;
  RunObserver* observer = nullptr;
  std::string label;
  size_t done = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

ActorPool::ActorPool(const ActorStage& stage, RunObserver* observer, std::string label)
    : impl_(std::make_unique<Impl>()) {
  impl_->observer = observer;
  impl_->label = std::move(label);
  rows_after.assign(stage.after.size(), 0);
  counters_after.assign(stage.after.size(), Counters());
  for (int i = 0; i < std::max(1, stage.actors); ++i) {
    impl_->actors.push_back(strata::Actor(PipelineActor::Create).SetName("map_batches " + stage.step.op).Remote(stage));
    impl_->queued.push_back(0);
  }
}

ActorPool::~ActorPool() = default;

Status ActorPool::Submit(strata::ObjectRef<Block> block, size_t index) {
  Impl& m = *impl_;
  size_t best = 0;
  for (size_t a = 1; a < m.actors.size(); ++a) best = m.queued[a] < m.queued[best] ? a : best;
  while (m.queued[best] >= kQueuedPerActor) {
    STRATA_RETURN_IF_ERROR(Collect(false));
    for (size_t a = 0; a < m.actors.size(); ++a) best = m.queued[a] < m.queued[best] ? a : best;
  }
  m.pending.push_back({m.actors[best].Task(&PipelineActor::Process).Remote(
                           std::vector<strata::ObjectRef<Block>>{block}, static_cast<int64_t>(index)),
                       best, index});
  ++m.queued[best];
  return OkStatus();
}

Status ActorPool::Finish() {
  Status collected = Collect(true);
  if (impl_->observer != nullptr) impl_->observer->OnStageEnd(impl_->label);
  return collected;
}

// Takes in finished batches: at least one, or (all) every one.
Status ActorPool::Collect(bool all) {
  Impl& m = *impl_;
  while (!m.pending.empty()) {
    std::vector<strata::ObjectRef<BatchResult>> refs;
    for (const auto& p : m.pending) refs.push_back(p.result);
    auto ready = strata::Wait(refs, 1, -1);
    std::vector<Impl::Pending> still;
    for (auto& p : m.pending) {
      bool done = false;
      for (const auto& r : ready.ready) done |= r.id() == p.result.id();
      if (!done) {
        still.push_back(std::move(p));
        continue;
      }
      BatchResult r = strata::Get(p.result);
      --m.queued[p.actor];
      if (!r.error.empty()) return InvalidArgument(r.error);
      rows_out += r.rows_out;
      for (size_t i = 0; i < r.rows_after.size() && i < rows_after.size(); ++i) rows_after[i] += r.rows_after[i];
      AddCounters(r.counters_out, &counters_out);
      for (size_t i = 0; i < r.counters_after.size() && i < counters_after.size(); ++i) {
        AddCounters(r.counters_after[i], &counters_after[i]);
      }
      rows_written += r.rows_written;
      parts_written += r.rows_written > 0;
      if (r.block.num_rows > 0 || !r.block.names.empty()) kept[p.index] = std::move(r.block);
      ++m.done;
      if (m.observer != nullptr) {
        m.observer->OnProgress({m.label, m.done, 0, rows_out,
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - m.start).count()});
      }
    }
    m.pending = std::move(still);
    if (!all) return OkStatus();
  }
  return OkStatus();
}

}  // namespace strata::data
