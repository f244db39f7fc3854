#include "data/format/output.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "data/format/format_registry.h"
#include "data/format/parquet/compression.h"
#include "data/format/parquet/writer.h"

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

Status CheckWriteSpec(const WriteSpec& w) {
  if (FindSinkFormat(w.format) == nullptr) {
    return InvalidArgument("write: format must be " + WritableFormatNames() + ", not '" + w.format + "'");
  }
  if (w.path.empty()) {
    return InvalidArgument("write needs a path");
  }
  parquet::Codec codec;
  if (!parquet::CodecByName(w.compression, &codec)) {
    return InvalidArgument("write: compression must be " + std::string(w.format == "parquet" ? "snappy, " : "") +
                           "zstd, gzip or none, not '" + w.compression + "'");
  }
  return OkStatus();
}

namespace {
// A text format's whole-file codec; kNone for parquet (it compresses pages).
parquet::Codec FileCodec(const WriteSpec& w) {
  parquet::Codec codec = parquet::Codec::kNone;
  if (w.format != "parquet" && parquet::CodecByName(w.compression, &codec) && codec == parquet::Codec::kSnappy) {
    codec = parquet::Codec::kNone;
  }
  return w.format == "parquet" ? parquet::Codec::kNone : codec;
}
}  // namespace

Status WriteOutput(const Block& b, const WriteSpec& w, int part) {
  if (!w.partition_by.empty()) {
    const Column* key = b.Get(w.partition_by);
    if (key == nullptr) {
      return InvalidArgument("write: partition_by names column '" + w.partition_by + "', which the output lacks");
    }
    std::map<std::string, std::vector<int64_t>> rows;
    for (int64_t r = 0; r < b.num_rows; ++r) rows[PartitionDir(w.partition_by, *key, r)].push_back(r);
    WriteSpec inner = w;
    inner.partition_by.clear();
    for (const auto& [sub, idx] : rows) {
      inner.path = w.path + "/" + sub;
      STRATA_RETURN_IF_ERROR(WriteOutput(b.Take(idx), inner, part));
    }
    return OkStatus();
  }
  std::error_code ec;
  std::filesystem::create_directories(w.path, ec);
  const SinkFormat* sink = FindSinkFormat(w.format);
  if (sink == nullptr) {
    return InvalidArgument("write: format must be " + WritableFormatNames() + ", not '" + w.format + "'");
  }
  char name[64];
  std::snprintf(name, sizeof(name), "/part-%05d.", part);
  const parquet::Codec codec = FileCodec(w);
  const std::string path = w.path + name + sink->extension() +
                           (codec == parquet::Codec::kZstd ? ".zst" : codec == parquet::Codec::kGzip ? ".gz" : "");
  std::string bytes;
  STRATA_RETURN_IF_ERROR(sink->Encode(b, w, &bytes));
  if (codec != parquet::Codec::kNone) {
    std::string packed;
    parquet::Compress(codec, bytes, &packed);
    bytes.swap(packed);
  }
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    return Unavailable("cannot write " + path);
  }
  return OkStatus();
}

}  // namespace strata::data
