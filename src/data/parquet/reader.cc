#include "data/parquet/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include "data/parquet/compression.h"
#include "data/parquet/encoding.h"
#include "data/parquet/thrift_io.h"
#include "data/timestamp.h"

namespace strata::data {

namespace {

using namespace parquet;
using PT = pf::Type;

// Pages bigger than this are taken for corruption rather than allocated.
constexpr int64_t kMaxPageBytes = int64_t{1} << 30;

enum class Conversion { kNone, kDate, kMillis, kMicros, kNanos, kInt96, kDecimal };

// A flat column of the file and how its physical values become ours.
struct Leaf {
  std::string name;
  PT::type physical = PT::INT64;
  int32_t type_length = 0;
  bool optional = true;
  Type type = Type::kInt64;
  Conversion conversion = Conversion::kNone;
  int scale = 0;
};

class File {
 public:
  ~File() {
    if (fd_ >= 0) close(fd_);
  }
  bool Open(const std::string& path, std::string* error) {
    path_ = path;
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (fd_ < 0 || fstat(fd_, &st) != 0) {
      *error = "cannot open " + path + ": " + std::strerror(errno);
      return false;
    }
    size_ = st.st_size;
    std::string tail;
    if (size_ < 12 || !Read(size_ - 8, 8, &tail, error) || tail.compare(4, 4, "PAR1") != 0) {
      *error = path + ": not a Parquet file (no PAR1 footer)";
      return false;
    }
    uint32_t len;
    std::memcpy(&len, tail.data(), 4);
    if (static_cast<int64_t>(len) > size_ - 12) {
      *error = path + ": corrupt footer (metadata length " + std::to_string(len) + " in a file of " +
               std::to_string(size_) + " bytes)";
      return false;
    }
    std::string footer, why;
    if (!Read(size_ - 8 - len, len, &footer, error)) return false;
    if (!ReadThrift(reinterpret_cast<const uint8_t*>(footer.data()), footer.size(), &meta_, nullptr, &why)) {
      *error = path + ": corrupt footer metadata: " + why;
      return false;
    }
    return Leaves(error);
  }

  bool Read(int64_t offset, int64_t n, std::string* out, std::string* error) const {
    if (offset < 0 || n < 0 || offset + n > size_) {
      *error = path_ + ": a column chunk points outside the file (offset " + std::to_string(offset) +
               ", " + std::to_string(n) + " bytes, file has " + std::to_string(size_) + ")";
      return false;
    }
    out->resize(static_cast<size_t>(n));
    int64_t done = 0;
    while (done < n) {
      const ssize_t r = pread(fd_, out->data() + done, static_cast<size_t>(n - done), offset + done);
      if (r <= 0) {
        *error = "cannot read " + path_ + ": " + (r < 0 ? std::strerror(errno) : "unexpected end");
        return false;
      }
      done += r;
    }
    return true;
  }

  const pf::FileMetaData& meta() const { return meta_; }
  const std::vector<Leaf>& leaves() const { return leaves_; }
  const std::string& path() const { return path_; }

 private:
  bool Leaves(std::string* error) {
    const auto& s = meta_.schema;
    if (s.empty()) {
      *error = path_ + ": the footer has no schema";
      return false;
    }
    for (size_t i = 1; i < s.size(); ++i) {
      const pf::SchemaElement& e = s[i];
      if ((e.__isset.num_children && e.num_children > 0) || !e.__isset.type ||
          (e.__isset.repetition_type && e.repetition_type == pf::FieldRepetitionType::REPEATED)) {
        *error = path_ + ": column '" + e.name +
                 "' is nested (a list, map or struct); Strata reads flat Parquet columns only";
        return false;
      }
      Leaf l;
      l.name = e.name;
      l.physical = e.type;
      l.type_length = e.__isset.type_length ? e.type_length : 0;
      l.optional = !e.__isset.repetition_type || e.repetition_type != pf::FieldRepetitionType::REQUIRED;
      const auto& lt = e.logicalType;
      const bool has_lt = e.__isset.logicalType;
      const auto ct = e.__isset.converted_type ? e.converted_type : static_cast<pf::ConvertedType::type>(-1);
      if ((has_lt && lt.__isset.DECIMAL) || ct == pf::ConvertedType::DECIMAL) {
        l.type = Type::kDouble;
        l.conversion = Conversion::kDecimal;
        l.scale = has_lt && lt.__isset.DECIMAL ? lt.DECIMAL.scale : e.scale;
      } else if ((has_lt && lt.__isset.DATE) || ct == pf::ConvertedType::DATE) {
        l.type = Type::kTimestamp;
        l.conversion = Conversion::kDate;
      } else if (has_lt && lt.__isset.TIMESTAMP) {
        l.type = Type::kTimestamp;
        const auto& u = lt.TIMESTAMP.unit;
        l.conversion = u.__isset.MILLIS ? Conversion::kMillis : u.__isset.NANOS ? Conversion::kNanos : Conversion::kMicros;
      } else if (ct == pf::ConvertedType::TIMESTAMP_MILLIS || ct == pf::ConvertedType::TIMESTAMP_MICROS) {
        l.type = Type::kTimestamp;
        l.conversion = ct == pf::ConvertedType::TIMESTAMP_MILLIS ? Conversion::kMillis : Conversion::kMicros;
      } else if (e.type == PT::INT96) {
        l.type = Type::kTimestamp;
        l.conversion = Conversion::kInt96;
      } else if (e.type == PT::BOOLEAN) {
        l.type = Type::kBool;
      } else if (e.type == PT::INT32 || e.type == PT::INT64) {
        l.type = Type::kInt64;
      } else if (e.type == PT::FLOAT || e.type == PT::DOUBLE) {
        l.type = Type::kDouble;
      } else {
        l.type = Type::kString;
      }
      leaves_.push_back(l);
    }
    return true;
  }

  std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
  pf::FileMetaData meta_;
  std::vector<Leaf> leaves_;
};

// Physical values → a column in the physical representation: integers in
// i64, floats in f64, booleans in b, byte arrays as strings.
bool DecodePlain(const Leaf& l, Bytes in, int64_t n, Column* c) {
  const size_t count = static_cast<size_t>(n);
  switch (l.physical) {
    case PT::BOOLEAN: {
      if (in.left() < (count + 7) / 8) return false;
      *c = Column::OfType(Type::kBool);
      c->b.resize(count);
      for (size_t i = 0; i < count; ++i) c->b[i] = (in.p[i >> 3] >> (i & 7)) & 1;
      break;
    }
    case PT::INT32: {
      if (in.left() < count * 4) return false;
      *c = Column::OfType(Type::kInt64);
      c->i64.resize(count);
      for (size_t i = 0; i < count; ++i) {
        int32_t v;
        std::memcpy(&v, in.p + 4 * i, 4);
        c->i64[i] = v;
      }
      break;
    }
    case PT::INT64:
      if (in.left() < count * 8) return false;
      *c = Column::OfType(Type::kInt64);
      c->i64.resize(count);
      std::memcpy(c->i64.data(), in.p, count * 8);
      break;
    case PT::INT96: {
      if (in.left() < count * 12) return false;
      *c = Column::OfType(Type::kInt64);
      c->i64.resize(count);
      for (size_t i = 0; i < count; ++i) {
        int64_t nanos;
        int32_t julian;
        std::memcpy(&nanos, in.p + 12 * i, 8);
        std::memcpy(&julian, in.p + 12 * i + 8, 4);
        c->i64[i] = (static_cast<int64_t>(julian) - 2440588) * kMicrosPerDay + nanos / 1000;
      }
      break;
    }
    case PT::FLOAT: {
      if (in.left() < count * 4) return false;
      *c = Column::OfType(Type::kDouble);
      c->f64.resize(count);
      for (size_t i = 0; i < count; ++i) {
        float v;
        std::memcpy(&v, in.p + 4 * i, 4);
        c->f64[i] = v;
      }
      break;
    }
    case PT::DOUBLE:
      if (in.left() < count * 8) return false;
      *c = Column::OfType(Type::kDouble);
      c->f64.resize(count);
      std::memcpy(c->f64.data(), in.p, count * 8);
      break;
    case PT::BYTE_ARRAY:
      *c = Column::OfType(Type::kString);
      c->offsets.reserve(count + 1);
      for (size_t i = 0; i < count; ++i) {
        uint32_t len;
        if (in.left() < 4) return false;
        std::memcpy(&len, in.p, 4);
        in.p += 4;
        if (in.left() < len) return false;
        c->AppendString(std::string_view(reinterpret_cast<const char*>(in.p), len));
        in.p += len;
      }
      return true;
    case PT::FIXED_LEN_BYTE_ARRAY: {
      const size_t w = static_cast<size_t>(l.type_length);
      if (l.type_length <= 0 || in.left() < count * w) return false;
      *c = Column::OfType(Type::kString);
      for (size_t i = 0; i < count; ++i) {
        c->AppendString(std::string_view(reinterpret_cast<const char*>(in.p + i * w), w));
      }
      return true;
    }
  }
  c->length = n;
  return true;
}

// Physical representation → the column's type (dates, timestamps, decimals).
void Convert(const Leaf& l, Column* c) {
  switch (l.conversion) {
    case Conversion::kNone: return;
    case Conversion::kDate:
      for (int64_t& v : c->i64) v *= kMicrosPerDay;
      break;
    case Conversion::kMillis:
      for (int64_t& v : c->i64) v *= 1000;
      break;
    case Conversion::kNanos:
      for (int64_t& v : c->i64) v = v / 1000 - (v % 1000 < 0);
      break;
    case Conversion::kMicros:
    case Conversion::kInt96: break;
    case Conversion::kDecimal: {
      const double div = std::pow(10.0, l.scale);
      Column d = Column::OfType(Type::kDouble);
      d.f64.resize(static_cast<size_t>(c->length));
      for (int64_t i = 0; i < c->length; ++i) {
        if (c->type == Type::kInt64) {
          d.f64[static_cast<size_t>(i)] = static_cast<double>(c->i64[static_cast<size_t>(i)]) / div;
        } else {
          // Big-endian two's complement: start from -1 when negative and
          // shift the bytes in, which sign-extends.
          const std::string_view s = c->Str(i);
          double v = !s.empty() && (static_cast<uint8_t>(s[0]) & 0x80) ? -1 : 0;
          for (char ch : s) v = v * 256 + static_cast<uint8_t>(ch);
          d.f64[static_cast<size_t>(i)] = v / div;
        }
      }
      d.length = c->length;
      *c = std::move(d);
      return;
    }
  }
  c->type = l.type;
}

// One page's values (`n` of them, non-null) in `encoding`.
bool DecodeValues(const Leaf& l, int encoding, Bytes in, int64_t n, const Column* dict, Column* out,
                  std::string* error) {
  auto bad = [&](const std::string& what) {
    *error = what;
    return false;
  };
  switch (encoding) {
    case pf::Encoding::PLAIN:
      if (!DecodePlain(l, in, n, out)) return bad("PLAIN values run past the page");
      break;
    case pf::Encoding::PLAIN_DICTIONARY:
    case pf::Encoding::RLE_DICTIONARY: {
      if (dict == nullptr) return bad("dictionary-encoded page without a dictionary page");
      if (n == 0) {
        *out = Column::OfType(dict->type);
        return true;
      }
      if (in.left() < 1) return bad("dictionary page indices missing");
      const int width = *in.p++;
      std::vector<uint32_t> idx(static_cast<size_t>(n));
      if (!DecodeHybrid(in, width, n, idx.data())) return bad("corrupt dictionary indices");
      std::vector<int64_t> rows(idx.begin(), idx.end());
      for (int64_t r : rows) {
        if (r >= dict->length) return bad("dictionary index " + std::to_string(r) + " out of range");
      }
      *out = Gather(*dict, rows);
      return true;  // the dictionary is converted already
    }
    case pf::Encoding::RLE: {
      if (l.physical != PT::BOOLEAN) return bad("RLE encoding for a non-boolean column");
      if (in.left() < 4) return bad("RLE booleans without a length");
      uint32_t len;
      std::memcpy(&len, in.p, 4);
      in.p += 4;
      if (in.left() < len) return bad("RLE booleans run past the page");
      in.end = in.p + len;
      std::vector<uint32_t> v(static_cast<size_t>(n));
      if (!DecodeHybrid(in, 1, n, v.data())) return bad("corrupt RLE booleans");
      *out = Column::OfType(Type::kBool);
      out->b.assign(v.begin(), v.end());
      out->length = n;
      break;
    }
    case pf::Encoding::DELTA_BINARY_PACKED: {
      if (l.physical != PT::INT32 && l.physical != PT::INT64) return bad("DELTA_BINARY_PACKED for a non-integer column");
      *out = Column::OfType(Type::kInt64);
      if (!DecodeDeltaBinaryPacked(&in, n, &out->i64)) return bad("corrupt DELTA_BINARY_PACKED values");
      if (l.physical == PT::INT32) {
        for (int64_t& v : out->i64) v = static_cast<int32_t>(v);
      }
      out->length = n;
      break;
    }
    case pf::Encoding::DELTA_LENGTH_BYTE_ARRAY:
    case pf::Encoding::DELTA_BYTE_ARRAY: {
      *out = Column::OfType(Type::kString);
      if (encoding == pf::Encoding::DELTA_LENGTH_BYTE_ARRAY) {
        std::vector<std::string_view> v;
        if (!DecodeDeltaLengthByteArray(&in, n, &v)) return bad("corrupt DELTA_LENGTH_BYTE_ARRAY values");
        for (auto s : v) out->AppendString(s);
      } else {
        std::vector<std::string> v;
        if (!DecodeDeltaByteArray(&in, n, &v)) return bad("corrupt DELTA_BYTE_ARRAY values");
        for (const auto& s : v) out->AppendString(s);
      }
      break;
    }
    case pf::Encoding::BYTE_STREAM_SPLIT: {
      const int width = l.physical == PT::FLOAT || l.physical == PT::INT32 ? 4
                        : l.physical == PT::FIXED_LEN_BYTE_ARRAY ? l.type_length : 8;
      std::string plain(static_cast<size_t>(width) * static_cast<size_t>(n), '\0');
      if (width <= 0 || !DecodeByteStreamSplit(in, width, n, reinterpret_cast<uint8_t*>(plain.data()))) {
        return bad("corrupt BYTE_STREAM_SPLIT values");
      }
      const auto* p = reinterpret_cast<const uint8_t*>(plain.data());
      DecodePlain(l, Bytes{p, p + plain.size()}, n, out);
      break;
    }
    default:
      return bad("encoding " + std::to_string(encoding) + " is not supported");
  }
  Convert(l, out);
  return true;
}

// Values and their definition levels (1 = present) → the output column.
void AppendPage(const Column& values, const std::vector<uint32_t>& defs, Column* out) {
  if (defs.empty() || static_cast<int64_t>(defs.size()) == values.length) {
    out->AppendColumn(values);
    return;
  }
  int64_t k = 0;
  for (uint32_t d : defs) {
    if (d != 0) out->AppendFrom(values, k++);
    else out->AppendNull();
  }
}

bool ReadChunk(const File& f, const Leaf& l, const pf::ColumnChunk& cc, int64_t rows, Column* out,
               std::string* error) {
  if (!cc.__isset.meta_data) return (*error = "no column metadata", false);
  const pf::ColumnMetaData& m = cc.meta_data;
  int64_t start = m.data_page_offset;
  if (m.__isset.dictionary_page_offset && m.dictionary_page_offset > 0 && m.dictionary_page_offset < start) {
    start = m.dictionary_page_offset;
  }
  std::string chunk;
  if (!f.Read(start, m.total_compressed_size, &chunk, error)) return false;
  const auto* base = reinterpret_cast<const uint8_t*>(chunk.data());
  size_t pos = 0;
  int64_t values = 0;
  Column dict;
  bool have_dict = false;
  *out = Column::OfType(l.type);
  std::string page, why;
  while (values < m.num_values) {
    pf::PageHeader h;
    size_t used = 0;
    if (pos >= chunk.size() || !ReadThrift(base + pos, chunk.size() - pos, &h, &used, &why)) {
      *error = "corrupt page header at byte " + std::to_string(start + static_cast<int64_t>(pos)) +
               (why.empty() ? std::string(" (chunk ends early)") : ": " + why);
      return false;
    }
    pos += used;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
        h.uncompressed_page_size > kMaxPageBytes ||
        static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos) {
      *error = "page at byte " + std::to_string(start + static_cast<int64_t>(pos)) + " claims " +
               std::to_string(h.compressed_page_size) + " bytes, past the column chunk";
      return false;
    }
    const std::string_view body(chunk.data() + pos, static_cast<size_t>(h.compressed_page_size));
    pos += static_cast<size_t>(h.compressed_page_size);
    if (h.type == pf::PageType::DICTIONARY_PAGE) {
      if (!Decompress(m.codec, body, static_cast<size_t>(h.uncompressed_page_size), &page, error)) return false;
      const auto* p = reinterpret_cast<const uint8_t*>(page.data());
      if (!DecodePlain(l, Bytes{p, p + page.size()}, h.dictionary_page_header.num_values, &dict)) {
        return (*error = "corrupt dictionary page", false);
      }
      Convert(l, &dict);
      have_dict = true;
      continue;
    }
    if (h.type != pf::PageType::DATA_PAGE && h.type != pf::PageType::DATA_PAGE_V2) continue;  // index pages
    const bool v2 = h.type == pf::PageType::DATA_PAGE_V2;
    const int64_t n = v2 ? h.data_page_header_v2.num_values : h.data_page_header.num_values;
    if (n < 0 || values + n > m.num_values) return (*error = "a page holds more values than the chunk", false);
    std::vector<uint32_t> defs;
    Bytes in;
    if (v2) {
      const auto& v = h.data_page_header_v2;
      const int64_t levels = int64_t{v.repetition_levels_byte_length} + v.definition_levels_byte_length;
      if (v.repetition_levels_byte_length < 0 || v.definition_levels_byte_length < 0 ||
          levels > static_cast<int64_t>(body.size()) || levels > h.uncompressed_page_size) {
        return (*error = "corrupt v2 page levels", false);
      }
      const auto* lv = reinterpret_cast<const uint8_t*>(body.data()) + v.repetition_levels_byte_length;
      if (l.optional) {
        defs.resize(static_cast<size_t>(n));
        if (!DecodeHybrid(Bytes{lv, lv + v.definition_levels_byte_length}, 1, n, defs.data())) {
          return (*error = "corrupt definition levels", false);
        }
      }
      const std::string_view rest = body.substr(static_cast<size_t>(levels));
      const size_t size = static_cast<size_t>(h.uncompressed_page_size - levels);
      if (!v.__isset.is_compressed || v.is_compressed) {
        if (!Decompress(m.codec, rest, size, &page, error)) return false;
      } else {
        page.assign(rest);
      }
      const auto* p = reinterpret_cast<const uint8_t*>(page.data());
      in = Bytes{p, p + page.size()};
    } else {
      if (!Decompress(m.codec, body, static_cast<size_t>(h.uncompressed_page_size), &page, error)) return false;
      const auto* p = reinterpret_cast<const uint8_t*>(page.data());
      in = Bytes{p, p + page.size()};
      if (l.optional) {
        uint32_t len;
        if (in.left() < 4) return (*error = "page too short for its definition levels", false);
        std::memcpy(&len, in.p, 4);
        in.p += 4;
        if (in.left() < len) return (*error = "definition levels run past the page", false);
        defs.resize(static_cast<size_t>(n));
        if (!DecodeHybrid(Bytes{in.p, in.p + len}, 1, n, defs.data())) {
          return (*error = "corrupt definition levels", false);
        }
        in.p += len;
      }
    }
    int64_t present = n;
    if (!defs.empty()) {
      present = 0;
      for (uint32_t d : defs) present += d != 0;
    }
    const int encoding = v2 ? h.data_page_header_v2.encoding : h.data_page_header.encoding;
    Column vals;
    if (!DecodeValues(l, encoding, in, present, have_dict ? &dict : nullptr, &vals, error)) return false;
    AppendPage(vals, defs, out);
    values += n;
  }
  if (values != rows) {
    *error = "has " + std::to_string(values) + " values for " + std::to_string(rows) + " rows";
    return false;
  }
  return true;
}

}  // namespace

bool ReadParquetInfo(const std::string& path, ParquetFileInfo* info, std::string* error) {
  File f;
  if (!f.Open(path, error)) return false;
  *info = ParquetFileInfo{};
  for (const Leaf& l : f.leaves()) {
    info->schema.names.push_back(l.name);
    info->schema.types.push_back(l.type);
  }
  for (const pf::RowGroup& rg : f.meta().row_groups) {
    info->row_group_rows.push_back(rg.num_rows);
    info->num_rows += rg.num_rows;
  }
  info->created_by = f.meta().created_by;
  return true;
}

bool ReadParquetRowGroup(const std::string& path, int index, const CsvSchema& schema, Block* out,
                         std::string* error) {
  File f;
  if (!f.Open(path, error)) return false;
  const auto& groups = f.meta().row_groups;
  if (index < 0 || static_cast<size_t>(index) >= groups.size()) {
    *error = path + ": no row group " + std::to_string(index);
    return false;
  }
  const pf::RowGroup& rg = groups[static_cast<size_t>(index)];
  *out = Block{};
  out->num_rows = rg.num_rows;
  for (size_t c = 0; c < schema.names.size(); ++c) {
    const auto& leaves = f.leaves();
    size_t j = 0;
    while (j < leaves.size() && leaves[j].name != schema.names[c]) ++j;
    if (j == leaves.size() || j >= rg.columns.size()) {
      *error = path + ": has no column '" + schema.names[c] + "' (the first file has)";
      return false;
    }
    if (leaves[j].type != schema.types[c]) {
      *error = path + ": column '" + schema.names[c] + "' is " + TypeName(leaves[j].type) +
               ", in the first file it is " + TypeName(schema.types[c]);
      return false;
    }
    Column col;
    std::string why;
    if (!ReadChunk(f, leaves[j], rg.columns[j], rg.num_rows, &col, &why)) {
      *error = path + ": row group " + std::to_string(index) + ", column '" + schema.names[c] + "': " + why;
      return false;
    }
    out->Add(schema.names[c], std::move(col));
  }
  return true;
}

}  // namespace strata::data
