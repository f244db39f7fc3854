// JSON Lines: one JSON object per line. Columns are the keys seen in the
// first rows (in order of first appearance) with types inferred the same way
// as for CSV; a missing key is null; nested values are kept as JSON text. A
// line that is not one JSON object, or a value of the wrong type, is a bad
// record; so is an object that repeats a key (which value is meant?), one
// nested deeper than 512 levels, and one with a key the schema lacks (a key
// first seen after the sampled rows would otherwise vanish: name it under
// `read.schema`). A UTF-8 byte order mark at the start of a file is skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "data/block.h"
#include "data/format/csv.h"

namespace strata::data {

Result<CsvSchema> InferJsonlSchema(const std::string& path);
// The same, from JSON Lines text.
void InferJsonlSchemaOf(const std::string& text, CsvSchema* schema);
// Ranges of whole lines of about `target_bytes`.
Result<std::vector<FileRange>> SplitLines(const std::string& path, int64_t target_bytes);
void ParseJsonl(std::string_view text, const std::string& file, int64_t first_line,
                const CsvSchema& schema, Block* out, std::vector<BadRecord>* bad);
void WriteJsonl(const Block& block, std::string* out);

}  // namespace strata::data
