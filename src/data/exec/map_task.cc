#include "data/exec/map_task.h"

#include <memory>

namespace strata::data {

namespace {

// A range's rows (8 MB of text) are more than a core's share of the cache:
// run step after step over the whole block and each step fetches it from
// memory again. Row-local steps (each row's output its own) run instead over
// slices of about this many bytes, every step on a slice before the next.
constexpr size_t kSliceBytes = 1 << 20;

}  // namespace

MapResult RunMapTask(const MapTask& task, const std::vector<Block>& sides) {
  MapResult r;
  if (Status read = ReadPart(task.format, task.range, task.schema, &r.block, &r.bad, &r.bytes); !read.ok()) {
    r.error = read.message();
    return r;
  }
  r.rows_read = r.block.num_rows;
  std::vector<std::unique_ptr<Step>> steps;
  size_t side = 0;
  bool row_local = true;
  for (size_t i = 0; i < task.steps.size(); ++i) {
    auto made = MakeStep(task.steps[i]);
    if (!made.ok()) {
      r.error = StepContext(i, task.steps[i].op) + made.status().message();
      return r;
    }
    std::unique_ptr<Step> step = std::move(made).value();
    if (step->side_input() != nullptr) {
      if (side >= sides.size()) {
        r.error = StepContext(i, task.steps[i].op) + "its side input is missing";
        return r;
      }
      step->SetSideInput(sides[side++]);
    }
    row_local = row_local && step->row_local();
    steps.push_back(std::move(step));
  }
  r.rows_out.assign(steps.size(), 0);
  std::vector<Block> slices;
  if (row_local && !steps.empty()) {
    slices = SliceRows(std::move(r.block), kSliceBytes);
  } else {
    slices.push_back(std::move(r.block));
  }
  for (Block& slice : slices) {
    for (size_t i = 0; i < steps.size(); ++i) {
      if (const Status applied = steps[i]->Apply(&slice); !applied.ok()) {
        r.error = StepContext(i, task.steps[i].op) + applied.message();
        return r;
      }
      r.rows_out[i] += slice.num_rows;
    }
  }
  r.block = std::move(slices[0]);
  for (size_t k = 1; k < slices.size(); ++k) AppendSlice(&r.block, slices[k]);
  for (const std::unique_ptr<Step>& step : steps) {
    r.counters.push_back(step->Counters());
    std::vector<BadRecord> rejected = step->TakeBadRecords();
    r.step_bad += static_cast<int64_t>(rejected.size());
    r.bad.insert(r.bad.end(), rejected.begin(), rejected.end());
  }
  if (!task.partial_groupby.empty()) {
    if (Status s = PartialGroupBy(task.partial_groupby, &r.block); !s.ok()) {
      r.error = s.message();
      return r;
    }
  }
  if (task.next.active() && (r.bad.empty() || !task.fail_on_bad)) {
    r.error = HandOn(r.block, task.next, task.part_index, &r.parts, &r.sample).message();
    r.block = Block();
    return r;
  }
  if (!task.write.path.empty() && (r.bad.empty() || !task.fail_on_bad)) {
    // Written here: the rows need not travel back to the driver.
    if (r.block.num_rows > 0) {
      r.error = WriteOutput(r.block, task.write, static_cast<int>(task.part_index)).message();
    }
    r.rows_written = r.block.num_rows;
    r.block = Block();
  }
  return r;
}
STRATA_REMOTE(RunMapTask);

}  // namespace strata::data
