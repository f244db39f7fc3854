// The C++ face of the data layer: Dataset builds the same plan a pipeline
// file describes (steps by name, parameters as JSON) and runs it with the
// same runner.
#include "strata/data.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "data/ops/operators.h"
#include "data/exec/pipeline.h"
#include "data/exec/pipeline_publisher.h"
#include "data/ops/steps.h"

namespace strata::data {

namespace {
using json = nlohmann::ordered_json;
}  // namespace

Dataset Dataset::ReadCsv(std::vector<std::string> paths, ReadOptions o) {
  Dataset d;
  json j{{"format", "csv"}, {"paths", paths}, {"header", o.header}, {"on_bad_record", o.on_bad_record}};
  if (!o.quarantine_path.empty()) j["quarantine_path"] = o.quarantine_path;
  if (!o.schema.empty()) j["schema"] = o.schema;
  d.source_ = j.dump();
  return d;
}

Dataset Dataset::ReadTsv(std::vector<std::string> paths, ReadOptions o) {
  return ReadCsv(std::move(paths), o).WithFormat("tsv");
}

Dataset Dataset::ReadJsonl(std::vector<std::string> paths, ReadOptions o) {
  return ReadCsv(std::move(paths), o).WithFormat("jsonl");
}

Dataset Dataset::ReadText(std::vector<std::string> paths) {
  Dataset d;
  d.source_ = json{{"format", "text"}, {"paths", paths}}.dump();
  return d;
}

Dataset Dataset::Range(int64_t n) {
  Dataset d;
  d.source_ = json{{"format", "range"}, {"n", n}}.dump();
  return d;
}

Dataset Dataset::FromItems(const std::string& json_array) {
  Dataset d;
  const json items = json::parse(json_array, nullptr, false);
  // Not JSON: kept as text, so the error comes back from the run.
  d.source_ = json{{"format", "items"}, {"items", items.is_discarded() ? json(json_array) : items}}.dump();
  return d;
}

Dataset Dataset::ReadParquet(std::vector<std::string> paths, ReadOptions o) {
  return ReadCsv(std::move(paths), o).WithFormat("parquet");
}

Dataset Dataset::WithFormat(const std::string& format) const {
  Dataset d = *this;
  json j = json::parse(source_);
  j["format"] = format;
  if (format == "jsonl" || format == "parquet") j.erase("header");
  d.source_ = j.dump();
  return d;
}

Dataset Dataset::With(const std::string& op, std::string params) const {
  Dataset d = *this;
  d.steps_.emplace_back(op, std::move(params));
  return d;
}

Dataset Dataset::Filter(const std::string& expr) const { return With("filter", json{{"expr", expr}}.dump()); }
Dataset Dataset::WithColumn(const std::string& name, const std::string& expr) const {
  return With("with_column", json{{"name", name}, {"expr", expr}}.dump());
}
Dataset Dataset::Select(const std::vector<std::string>& c) const { return With("select", json{{"columns", c}}.dump()); }
Dataset Dataset::Drop(const std::vector<std::string>& c) const { return With("drop", json{{"columns", c}}.dump()); }
Dataset Dataset::Rename(const std::map<std::string, std::string>& m) const {
  return With("rename", json{{"value", m}}.dump());
}
Dataset Dataset::Limit(int64_t rows) const { return With("limit", json{{"value", rows}}.dump()); }
Dataset Dataset::GroupBy(const std::vector<std::string>& by,
                         const std::vector<std::pair<std::string, std::string>>& aggs) const {
  json a = json::object();
  for (const auto& [out, fn] : aggs) a[out] = fn;
  return With("groupby", json{{"by", by}, {"agg", a}}.dump());
}
Dataset Dataset::Join(const Dataset& right, const std::vector<std::pair<std::string, std::string>>& on,
                      const std::string& how) const {
  json o = json::object();
  for (const auto& [l, r] : on) o[l] = r;
  return With("join", json{{"right", json::parse(right.source_)}, {"on", o}, {"how", how}}.dump());
}
Dataset Dataset::Sort(const std::vector<std::string>& by, bool descending) const {
  return With("sort", json{{"by", by}, {"descending", descending}}.dump());
}

Dataset Dataset::Map(const std::string& function) const { return With("map", json{{"fn", function}}.dump()); }

Dataset Dataset::MapBatches(const std::string& name, int actors) const {
  if (actors > 0) return With("map_batches", json{{"class", name}, {"actors", actors}}.dump());
  return With("map_batches", json{{"fn", name}}.dump());
}
Dataset Dataset::FlatMap(const std::string& column, const std::string& separator, const std::string& as) const {
  json p{{"column", column}, {"split", separator}};
  if (!as.empty()) p["as"] = as;
  return With("flat_map", p.dump());
}
Dataset Dataset::Repartition(int64_t parts) const { return With("repartition", json{{"parts", parts}}.dump()); }
Dataset Dataset::RandomShuffle(uint64_t seed) const { return With("random_shuffle", json{{"seed", seed}}.dump()); }

Dataset::Rows Dataset::Collect() const {
  Rows rows;
  const WriteResult r = Write("jsonl", "", "snappy", &rows.block);
  rows.ok = r.ok;
  rows.error = r.error;
  return rows;
}

Dataset::CountResult Dataset::Count() const {
  CountResult out;
  Rows r = GroupBy({}, {{"rows", "count()"}}).Collect();
  out.ok = r.ok && r.block.num_rows == 1;
  out.error = r.ok && !out.ok ? "the count came back without its row" : r.error;
  if (out.ok) out.rows = r.block.columns[0].i64[0];
  return out;
}

Dataset::SchemaResult Dataset::Schema() const {
  SchemaResult out;
  Rows sample;
  const WriteResult r = Write("jsonl", "", "snappy", &sample.block, /*max_ranges=*/1);
  out.ok = r.ok;
  out.error = r.error;
  if (!r.ok) return out;
  for (size_t i = 0; i < sample.block.columns.size(); ++i) {
    const Column& c = sample.block.columns[i];
    out.columns.emplace_back(sample.block.names[i], c.type == Type::kList
                                                        ? std::string("list<") + TypeName(c.ElementType()) + ">"
                                                        : TypeName(c.type));
  }
  return out;
}

Dataset::Rows Dataset::Stats() const {
  const SchemaResult described = Schema();
  const auto& schema = described.columns;
  if (!described.ok || schema.empty()) {
    Rows failed;
    failed.error = described.ok ? "the result has no columns" : described.error;
    return failed;
  }
  // One pass: the row count rides along (under a name no column has) for
  // the null counts.
  const std::string rows_name = "#rows";
  json agg = json::object();
  agg[rows_name] = "count()";
  for (const auto& [name, type] : schema) {
    agg[name + ".count"] = "count(" + name + ")";
    if (type == "int64" || type == "double" || type == "timestamp") {
      agg[name + ".min"] = "min(" + name + ")";
      agg[name + ".max"] = "max(" + name + ")";
    }
    if (type == "int64" || type == "double") agg[name + ".mean"] = "mean(" + name + ")";
  }
  Rows r = With("groupby", json{{"by", json::array()}, {"agg", agg}}.dump()).Collect();
  if (!r.ok || r.block.num_rows != 1) return r;
  const int64_t rows = r.block.Get(rows_name)->i64[0];
  Block out;
  out.num_rows = 1;
  for (size_t i = 0; i < r.block.names.size(); ++i) {
    if (r.block.names[i] != rows_name) out.Add(r.block.names[i], std::move(r.block.columns[i]));
  }
  for (const auto& [name, type] : schema) {
    Column nulls = Column::OfType(Type::kInt64);
    nulls.AppendInt(rows - out.Get(name + ".count")->i64[0]);
    out.Add(name + ".nulls", std::move(nulls));
  }
  r.block = std::move(out);
  return r;
}

Outcome Dataset::ToArrow(ArrowSchema* schema, ArrowArray* array) const {
  Rows r = Collect();
  if (r.ok) ExportBlock(r.block, schema, array);
  return {r.ok, r.error};
}

WriteResult Dataset::WriteJsonl(const std::string& path) const { return Write("jsonl", path); }
WriteResult Dataset::WriteCsv(const std::string& path) const { return Write("csv", path); }
WriteResult Dataset::WriteTsv(const std::string& path) const { return Write("tsv", path); }
WriteResult Dataset::WriteText(const std::string& path) const { return Write("text", path); }
WriteResult Dataset::WriteParquet(const std::string& path, const std::string& compression) const {
  return Write("parquet", path, compression);
}

WriteResult Dataset::Write(const std::string& format, const std::string& path,
                           const std::string& compression, Block* collect, int64_t max_ranges) const {
  WriteResult result;
  PipelineSpec spec;
  spec.file = "a Dataset";
  if (source_.empty()) {
    result.error = "a Dataset starts with a Read..., Range or FromItems";
    return result;
  }
  Result<SourceSpec> read = SourceFromJson(json::parse(source_), "read");
  if (!read.ok()) {
    result.error = read.status().message();
    return result;
  }
  spec.read = std::move(read).value();
  for (size_t i = 0; i < steps_.size(); ++i) {
    json params = json::parse(steps_[i].second);
    if (auto step = MakeStep(steps_[i].first, params); !step.ok()) {
      result.error = StepContext(i, steps_[i].first) + step.status().message();
      return result;
    }
    spec.steps.emplace_back(steps_[i].first, params);
    spec.step_lines.push_back(0);
  }
  spec.write.format = format;
  spec.write.path = path;
  spec.write.compression = compression;
  if (Status s = collect == nullptr ? CheckWriteSpec(spec.write) : OkStatus(); !s.ok()) {
    result.error = s.message();
    return result;
  }
  RunOptions options;
  options.collect = collect;
  options.max_ranges = max_ranges;
  RunReport report;
  try {
    // A sample read for a schema is not a run of its own on the dashboard.
    std::optional<PipelinePublisher> publisher;
    if (max_ranges == 0) options.observer = &publisher.emplace("Dataset");
    result.ok = RunPipeline(spec, options, &report) == 0;
    result.error = report.error;
  } catch (const std::exception& e) {
    // A task that failed for good, a lost node agent: reported, not thrown.
    result.ok = false;
    result.error = e.what();
  }
  result.rows_read = report.rows_read;
  result.rows_bad = report.rows_bad;
  result.rows_written = report.rows_written;
  return result;
}

}  // namespace strata::data
