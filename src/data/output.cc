#include "data/output.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "data/csv.h"
#include "data/jsonl.h"
#include "data/parquet/writer.h"

namespace strata::data {

namespace {

// A partition's directory name: <column>=<value>, the value as text with '/'
// made harmless; nulls get their own partition.
std::string PartitionDir(const std::string& column, const Column& c, int64_t row) {
  std::string v = c.IsNull(row) ? "__null__"
                  : c.type == Type::kString ? std::string(c.Str(row))
                                            : JsonValue(c, row);
  if ((c.type == Type::kTimestamp || c.type == Type::kBinary) && v.size() >= 2) v = v.substr(1, v.size() - 2);
  for (char& ch : v) {
    if (ch == '/' || ch == '\0') ch = '_';
  }
  if (v.empty() || v == "." || v == "..") v = "__" + v + "__";
  return column + "=" + v;
}

}  // namespace

bool CheckWriteSpec(const WriteSpec& w, std::string* error) {
  if (w.format != "jsonl" && w.format != "csv" && w.format != "tsv" && w.format != "text" &&
      w.format != "parquet") {
    *error = "write: format must be jsonl, csv, tsv, text or parquet, not '" + w.format + "'";
    return false;
  }
  if (w.path.empty()) {
    *error = "write needs a path";
    return false;
  }
  parquet::Codec codec;
  if (!parquet::CodecByName(w.compression, &codec)) {
    *error = "write: compression must be snappy, zstd, gzip or none, not '" + w.compression + "'";
    return false;
  }
  return true;
}

bool WriteOutput(const Block& b, const WriteSpec& w, int part, std::string* error) {
  if (!w.partition_by.empty()) {
    const Column* key = b.Get(w.partition_by);
    if (key == nullptr) {
      *error = "write: partition_by names column '" + w.partition_by + "', which the output lacks";
      return false;
    }
    std::map<std::string, std::vector<int64_t>> rows;
    for (int64_t r = 0; r < b.num_rows; ++r) rows[PartitionDir(w.partition_by, *key, r)].push_back(r);
    WriteSpec inner = w;
    inner.partition_by.clear();
    for (const auto& [sub, idx] : rows) {
      inner.path = w.path + "/" + sub;
      if (!WriteOutput(b.Take(idx), inner, part, error)) return false;
    }
    return true;
  }
  std::error_code ec;
  std::filesystem::create_directories(w.path, ec);
  char name[64];
  std::snprintf(name, sizeof(name), "/part-%05d.%s", part, w.format == "text" ? "txt" : w.format.c_str());
  const std::string path = w.path + name;
  std::string bytes;
  if (w.format == "csv" || w.format == "tsv") {
    WriteCsv(b, w.format == "tsv" ? '\t' : ',', true, &bytes);
  } else if (w.format == "text") {
    // One line per row: the one column the output has, as text.
    if (b.columns.size() != 1) {
      *error = "write: text output takes one column (select it first); this output has " +
               std::to_string(b.columns.size());
      return false;
    }
    const Column& c = b.columns[0];
    for (int64_t r = 0; r < b.num_rows; ++r) {
      if (!c.IsNull(r)) bytes.append(c.type == Type::kString ? std::string(c.Str(r)) : JsonValue(c, r));
      bytes.push_back('\n');
    }
  } else if (w.format == "parquet") {
    ParquetWriteOptions o;
    parquet::CodecByName(w.compression, &o.codec);
    WriteParquet(b, o, &bytes);
  } else {
    WriteJsonl(b, &bytes);
  }
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace strata::data
