// Sources: what a pipeline reads (its format from format/format_registry.h). A source names a format and files
// (files, directories, globs) — or, for `range` and `items`, its rows; it is
// planned into ranges — pieces of CSV / JSONL / text files cut at record
// boundaries, Parquet row groups, stretches of a range — that tasks read
// independently.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "data/block.h"
#include "data/format/csv.h"

namespace strata::data {

// What a record that breaks its format does to a run.
enum class BadRecordPolicy {
  kFail,        // the run stops at the first, naming file and line
  kSkip,        // counted, left out
  kQuarantine,  // counted, written to a JSONL file beside the output
};
// "fail", "skip", "quarantine": as pipeline files and ReadOptions spell them.
const char* BadRecordPolicyName(BadRecordPolicy policy);

struct SourceSpec {
  std::string format;  // csv, tsv, jsonl, parquet, text (one row per line), range, items
  std::vector<std::string> paths;  // files, directories or globs
  int64_t n = 0;                   // range: rows 0 .. n-1 in column "id"
  std::string items;               // items: the rows, as a JSON array of objects
  bool header = true;
  BadRecordPolicy on_bad_record = BadRecordPolicy::kFail;
  std::string quarantine_path;         // Default: beside the output
  std::map<std::string, std::string> schema;  // column -> int64|double|bool|string|timestamp
  std::map<std::string, std::string> options;  // a format's own fields (common_voice: tsv)
};

// A type a source's `schema` may give a column, by the name TypeName() shows.
bool SchemaTypeByName(const std::string& name, Type* t);

// A source as a pipeline file or the Dataset API gives it; errors name `where`.
Result<SourceSpec> SourceFromJson(const nlohmann::ordered_json& j, const std::string& where);

// Files the patterns name: globs, and directories read whole (names starting
// with '.' or '_' skipped). NotFound when a pattern matches nothing.
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns);

// The source's schema and its ranges of about `target_bytes` (for Parquet:
// one per row group; `first_line` is then the group's first row).
struct SourcePlan {
  CsvSchema schema;
  std::vector<FileRange> ranges;
};
Result<SourcePlan> PlanSource(const SourceSpec& src, int64_t target_bytes);

// About how many bytes the source holds (its files' sizes), without reading it.
int64_t SourceBytes(const SourceSpec& src);

// Reads one range into `out`; records that break the format go to `bad`.
// `bytes` is how much was read.
Status ReadPart(const std::string& format, const FileRange& range, const CsvSchema& schema, Block* out,
                std::vector<BadRecord>* bad, int64_t* bytes);

}  // namespace strata::data
