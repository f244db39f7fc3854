// CSV/TSV (RFC 4180): quoted fields with "" escapes and embedded newlines,
// a header line, types inferred from the first rows or given. A record is bad
// when it breaks the format (a quote inside an unquoted field, an unclosed
// quote), has the wrong number of fields, or a field does not convert to its
// column's type (an empty field is null); bad records are returned with
// their file, line and reason, never dropped silently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "data/block.h"

namespace strata::data {

struct BadRecord {
  std::string file;
  int64_t line = 0;
  std::string reason;
  std::string text;
  STRATA_STRUCT(file, line, reason, text);
};

struct CsvSchema {
  std::vector<std::string> names;
  std::vector<Type> types;
  std::vector<Type> elements;  // for kList columns, their values' type (else kNull); may be empty
  Type ElementOf(size_t i) const { return i < elements.size() ? elements[i] : Type::kNull; }
  STRATA_STRUCT(names, types, elements);
};

// A piece of a file that starts at a record boundary.
struct FileRange {
  std::string path;
  int64_t offset = 0;
  int64_t length = 0;
  int64_t first_line = 1;  // line number of the range's first byte
  std::string text;        // rows given inline (from_items), as JSON Lines
  STRATA_STRUCT(path, offset, length, first_line, text);
};

// Reads the header (or names columns c0, c1, ...) and infers each column's
// type from the first rows: int64, else double, else bool, else string.
Result<CsvSchema> InferCsvSchema(const std::string& path, char delimiter, bool header);

// Splits a file into ranges of about `target_bytes`, cut only between
// records (the scan knows when it is inside quotes). The header is skipped.
Result<std::vector<FileRange>> SplitCsv(const std::string& path, bool header, int64_t target_bytes);

// Parses the records in `text` (which starts at line `first_line` of `file`).
void ParseCsv(std::string_view text, const std::string& file, int64_t first_line,
              const CsvSchema& schema, char delimiter, Block* out, std::vector<BadRecord>* bad);

// Writes a block as CSV (header first when `header`), quoting as RFC 4180 needs.
void WriteCsv(const Block& block, char delimiter, bool header, std::string* out);

}  // namespace strata::data
