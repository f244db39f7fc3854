// Datasets: a lazy plan of reads and operators, run as tasks on the cluster
// strata::Init() connected to — the same engine as `strata run FILE.yaml`.
//
//   strata::Init();
//   auto trips = strata::data::Dataset::ReadCsv({"data/trips/*.csv"});
//   auto zones = strata::data::Dataset::ReadCsv({"data/zones.csv"});
//   auto r = trips.Filter("fare > 50 and passenger_count is not null")
//                 .WithColumn("total", "fare + tip")
//                 .Join(zones, {{"pickup_zone", "zone_id"}})
//                 .GroupBy({"borough"}, {{"trips", "count()"}, {"km", "sum(distance_km)"}})
//                 .Sort({"borough"})
//                 .WriteJsonl("out/borough_stats");
//   if (!r.ok) std::cerr << r.error << "\n";
//
// Expressions are the pipeline files' (see `strata run`); errors name the
// step and the column of the expression.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <strata/arrow.h>
#include <strata/data_block.h>
#include <strata/data_row.h>

namespace strata::data {

// A C++ function over a batch of rows, run inside the tasks: it may change,
// add or drop columns and rows (Block::num_rows must match the columns).
// Returning false fails the run with `error`. Register it by name at
// namespace scope, so the workers (which run this same program) know it:
//   bool AddTax(Block& b, std::string* error) { ... }
//   STRATA_BATCH_FUNCTION(AddTax);
using BatchFunction = bool (*)(Block& batch, std::string* error);
bool RegisterBatchFunction(const std::string& name, BatchFunction fn);
#define STRATA_BATCH_FUNCTION(fn) \
  static const bool strata_batch_function_##fn = ::strata::data::RegisterBatchFunction(#fn, fn)

// Stateful batch work (a model to load, a connection to open): a class made
// once per actor of a pool, then given batch after batch. Register it by
// name; MapBatches(name, actors) runs it on that many actors.
//   class Tagger : public strata::data::BatchProcessor {
//    public:
//     Tagger() { /* load once */ }
//     bool Process(Block& batch, std::string* error) override { ... }
//   };
//   STRATA_BATCH_CLASS(Tagger);
class BatchProcessor {
 public:
  virtual ~BatchProcessor() = default;
  virtual bool Process(Block& batch, std::string* error) = 0;
};
using BatchProcessorFactory = std::unique_ptr<BatchProcessor> (*)();
bool RegisterBatchClass(const std::string& name, BatchProcessorFactory make);
#define STRATA_BATCH_CLASS(T)                                               \
  static const bool strata_batch_class_##T = ::strata::data::RegisterBatchClass( \
      #T, []() -> std::unique_ptr<::strata::data::BatchProcessor> { return std::make_unique<T>(); })

struct ReadOptions {
  bool header = true;                         // CSV/TSV
  std::string on_bad_record = "fail";         // fail, skip, quarantine
  std::string quarantine_path;                // Default: beside the output
  std::map<std::string, std::string> schema;  // column -> int64|double|bool|string|timestamp
};

// Every Dataset call that runs the plan reports the same way: `ok`, else
// `error` naming the step, file and line at fault; then its value. None
// throws (a failure inside the cluster comes back here too).
struct Outcome {
  bool ok = false;
  std::string error;
};

struct WriteResult : Outcome {
  int64_t rows_read = 0;
  int64_t rows_bad = 0;
  int64_t rows_written = 0;
};

class Dataset {
 public:
  static Dataset ReadCsv(std::vector<std::string> paths, ReadOptions options = {});
  static Dataset ReadTsv(std::vector<std::string> paths, ReadOptions options = {});
  static Dataset ReadJsonl(std::vector<std::string> paths, ReadOptions options = {});
  // One row per line, in column "text".
  static Dataset ReadText(std::vector<std::string> paths);
  // Rows 0 .. n-1 in column "id".
  static Dataset Range(int64_t n);
  // Rows given here: a JSON array of objects, e.g. R"([{"a": 1}, {"a": 2}])".
  static Dataset FromItems(const std::string& json_array);
  // Parquet files carry their schema; `options.schema` must stay empty.
  static Dataset ReadParquet(std::vector<std::string> paths, ReadOptions options = {});

  Dataset Filter(const std::string& expr) const;
  Dataset WithColumn(const std::string& name, const std::string& expr) const;
  Dataset Select(const std::vector<std::string>& columns) const;
  Dataset Drop(const std::vector<std::string>& columns) const;
  Dataset Rename(const std::map<std::string, std::string>& from_to) const;
  Dataset Limit(int64_t rows) const;
  // aggs: output column -> "count()", "sum(x)", "mean(x)", "min(x)", "max(x)".
  Dataset GroupBy(const std::vector<std::string>& by,
                  const std::vector<std::pair<std::string, std::string>>& aggs) const;
  // on: left column -> right column; how: inner, left, right, full, semi, anti. The right
  // side must be a plain read (no steps of its own).
  Dataset Join(const Dataset& right, const std::vector<std::pair<std::string, std::string>>& on,
               const std::string& how = "inner") const;
  Dataset Sort(const std::vector<std::string>& by, bool descending = false) const;
  // A registered row function (STRATA_ROW_FUNCTION) on every row: the
  // columns it sets are added or replaced; rows it skips are dropped.
  Dataset Map(const std::string& function) const;
  // A registered batch function (see STRATA_BATCH_FUNCTION) on every block,
  // in the tasks; or, with actors > 0, a registered batch class
  // (STRATA_BATCH_CLASS) on a pool of that many actors.
  Dataset MapBatches(const std::string& name, int actors = 0) const;
  // One row per piece of `column` split at `separator`; the pieces replace
  // the column (or go to `as`). Null values give no rows.
  Dataset FlatMap(const std::string& column, const std::string& separator,
                  const std::string& as = "") const;
  // The output written as `parts` files of about equal size.
  Dataset Repartition(int64_t parts) const;
  // Rows in a random order (the same order for the same seed).
  Dataset RandomShuffle(uint64_t seed) const;
  // Any step of the registry by its pipeline-file name, with its parameters
  // as a JSON object — how the operator libraries' steps are used from code:
  //   ds.With("gopher_quality", "{}")
  //   ds.With("chain", R"({"steps": [...], "fit": {"save": "fit.json"}})")
  //   ds.With("transform", R"({"load": "fit.json"})")
  // An unknown step or parameter is an error of the run, naming it.
  Dataset With(const std::string& op, std::string params_json) const;

  // Runs the plan and brings its rows to this program (all of them: mind
  // the size; Limit first to take a few).
  struct Rows : Outcome {
    Block block;
  };
  Rows Collect() const;
  Rows Take(int64_t n) const { return Limit(n).Collect(); }
  struct CountResult : Outcome {
    int64_t rows = 0;
  };
  // Rows after the steps.
  CountResult Count() const;
  struct SchemaResult : Outcome {
    std::vector<std::pair<std::string, std::string>> columns;  // name, type
  };
  // The result's columns and their types (int64, double, bool, string,
  // timestamp, list<...>), from running the plan on the first part of the
  // input only.
  SchemaResult Schema() const;
  // One row: for every column COL of the result, COL.count (values present),
  // COL.nulls, and for numbers and timestamps COL.min, COL.max (and
  // COL.mean for numbers).
  Rows Stats() const;
  // The result through the Arrow C data interface (the caller releases it).
  Outcome ToArrow(ArrowSchema* schema, ArrowArray* array) const;

  // Runs the plan; output goes to the directory `path` (one file per part).
  WriteResult WriteJsonl(const std::string& path) const;
  WriteResult WriteCsv(const std::string& path) const;
  WriteResult WriteTsv(const std::string& path) const;
  // One line per row; the result must have exactly one column.
  WriteResult WriteText(const std::string& path) const;
  // compression: snappy, zstd, gzip or none.
  WriteResult WriteParquet(const std::string& path, const std::string& compression = "snappy") const;

 private:
  WriteResult Write(const std::string& format, const std::string& path,
                    const std::string& compression = "snappy", Block* collect = nullptr,
                    int64_t max_ranges = 0) const;
  Dataset WithFormat(const std::string& format) const;

  std::string source_;  // JSON: format, paths, options
  std::vector<std::pair<std::string, std::string>> steps_;  // operator, parameters (JSON)
};

}  // namespace strata::data
