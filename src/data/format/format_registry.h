// The format registry: every file format a pipeline reads or writes, by
// name, next to the step registry (steps.h). The planner and the tasks look a
// format up here instead of testing names, so an operator library adds a
// format (say, audio clips) by registering it, without touching the runner.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/block.h"
#include "data/format/csv.h"
#include "data/format/output.h"
#include "data/format/source.h"

namespace strata::data {

// Reading: a source is planned into ranges that tasks read independently.
class SourceFormat {
 public:
  virtual ~SourceFormat() = default;
  // Whether the source names files (`paths`); false: it carries its rows.
  virtual bool reads_files() const { return true; }
  // The schema and the ranges, of about `target_bytes` each. `files` are the
  // source's paths expanded (empty when !reads_files()).
  virtual Status Plan(const SourceSpec& src, const std::vector<std::string>& files, int64_t target_bytes,
                      CsvSchema* schema, std::vector<FileRange>* ranges) const = 0;
  // One range: rows into `out`, records that break the format into `bad`;
  // `bytes`: how much was read.
  virtual Status Read(const FileRange& range, const CsvSchema& schema, Block* out,
                      std::vector<BadRecord>* bad, int64_t* bytes) const = 0;
  // About how many bytes the source holds, without reading it (0: unknown).
  virtual int64_t EstimateBytes(const SourceSpec& src) const { return 0; }
  // Fields of its own a read: mapping may give (strings, in SourceSpec::options).
  virtual std::vector<std::string> option_names() const { return {}; }
};

// Writing: one part file from one block.
class SinkFormat {
 public:
  virtual ~SinkFormat() = default;
  virtual std::string extension() const = 0;  // of part files, without the dot
  virtual Status Encode(const Block& b, const WriteSpec& w, std::string* bytes) const = 0;
  // Fields of its own a write: mapping may give (strings, in WriteSpec::options).
  virtual std::vector<std::string> option_names() const { return {}; }
  // Called once on the driver after every part is written (parts of a
  // cluster's run are in w.path on a shared file system): a format that
  // wants one file merges its parts here. `note` (may stay empty) is a line
  // for the run summary.
  virtual Status Finish(const WriteSpec& w, std::string* note) const { return OkStatus(); }
};

struct FormatEntry {
  std::unique_ptr<SourceFormat> source;  // null: not readable
  std::unique_ptr<SinkFormat> sink;      // null: not writable
};

// Built-in formats (csv, tsv, jsonl, text, parquet, range, items) are there
// on first use; libraries add theirs before a pipeline runs.
std::map<std::string, FormatEntry>& FormatRegistry();
const SourceFormat* FindSourceFormat(const std::string& name);
const SinkFormat* FindSinkFormat(const std::string& name);
// "csv, jsonl, ... or text": the names that can be read (or written), for errors.
std::string ReadableFormatNames();
std::string WritableFormatNames();

// builtin_formats.cc
void AddBuiltinFormats(std::map<std::string, FormatEntry>* registry);

}  // namespace strata::data
