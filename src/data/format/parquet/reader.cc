#include "data/format/parquet/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include "data/format/parquet/compression.h"
#include "data/format/parquet/encoding.h"
#include "data/format/parquet/leaf.h"
#include "data/format/parquet/thrift_io.h"
#include "data/timestamp.h"

namespace strata::data {

namespace {

using namespace parquet;
using PT = pf::Type;

// Pages bigger than this are taken for corruption rather than allocated.
constexpr int64_t kMaxPageBytes = int64_t{1} << 30;

class File {
 public:
  ~File() {
    if (fd_ >= 0) close(fd_);
  }
  Status Open(const std::string& path) {
    path_ = path;
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (fd_ < 0 || fstat(fd_, &st) != 0) {
      return ErrnoError(errno, "cannot open " + path);
    }
    size_ = st.st_size;
    std::string tail;
    if (size_ < 12 || !Read(size_ - 8, 8, &tail).ok() || tail.compare(4, 4, "PAR1") != 0) {
      return DataLoss(path + ": not a Parquet file (no PAR1 footer)");
    }
    uint32_t len;
    std::memcpy(&len, tail.data(), 4);
    if (static_cast<int64_t>(len) > size_ - 12) {
      return DataLoss(path + ": corrupt footer (metadata length " + std::to_string(len) + " in a file of " +
               std::to_string(size_) + " bytes)");
    }
    std::string footer;
    STRATA_RETURN_IF_ERROR(Read(size_ - 8 - len, len, &footer));
    if (Status s = ReadThrift(reinterpret_cast<const uint8_t*>(footer.data()), footer.size(), &meta_, nullptr);
        !s.ok()) {
      return DataLoss(path + ": corrupt footer metadata: " + s.message());
    }
    if (!ValidEnums(meta_)) {
      return DataLoss(path + ": corrupt footer metadata: a type, codec or encoding number out of range");
    }
    return Leaves();
  }

  Status Read(int64_t offset, int64_t n, std::string* out) const {
    if (offset < 0 || n < 0 || offset + n > size_) {
      return DataLoss(path_ + ": a column chunk points outside the file (offset " + std::to_string(offset) +
               ", " + std::to_string(n) + " bytes, file has " + std::to_string(size_) + ")");
    }
    out->resize(static_cast<size_t>(n));
    int64_t done = 0;
    while (done < n) {
      const ssize_t r = pread(fd_, out->data() + done, static_cast<size_t>(n - done), offset + done);
      if (r <= 0) {
        return DataLoss("cannot read " + path_ + ": " + (r < 0 ? std::strerror(errno) : "unexpected end"));
      }
      done += r;
    }
    return OkStatus();
  }

  const pf::FileMetaData& meta() const { return meta_; }
  const std::vector<Leaf>& leaves() const { return leaves_; }
  const std::string& path() const { return path_; }

 private:
  Status Leaves() {
    const auto& s = meta_.schema;
    if (s.empty()) {
      return DataLoss(path_ + ": the footer has no schema");
    }
    // The root's children, each a flat column or a list of scalars.
    size_t i = 1;
    while (i < s.size()) {
      const pf::SchemaElement& e = s[i];
      const size_t next = i + Subtree(i);
      Leaf l;
      l.name = e.name;
      const bool group = e.__isset.num_children && e.num_children > 0;
      const bool repeated = e.__isset.repetition_type && e.repetition_type == pf::FieldRepetitionType::REPEATED;
      const bool optional = !e.__isset.repetition_type || e.repetition_type == pf::FieldRepetitionType::OPTIONAL;
      const bool list = (e.__isset.logicalType && e.logicalType.__isset.LIST) ||
                        (e.__isset.converted_type && e.converted_type == pf::ConvertedType::LIST);
      size_t leaf = i;
      if (!group && !repeated) {
        l.optional = optional;
        l.max_def = optional ? 1 : 0;
      } else if (group && list && e.num_children == 1 && i + 1 < s.size() && Repeated(s[i + 1])) {
        // optional group (LIST) { repeated group list { optional T element } },
        // or the older { repeated T element }.
        const pf::SchemaElement& mid = s[i + 1];
        const bool three_level = mid.__isset.num_children && mid.num_children == 1 && i + 2 < s.size() &&
                                 !(s[i + 2].__isset.num_children && s[i + 2].num_children > 0);
        leaf = three_level ? i + 2 : i + 1;
        if (!three_level && mid.__isset.num_children && mid.num_children > 0) leaf = 0;
        l.is_list = true;
        l.list_def = optional ? 1 : 0;
        const bool element_optional = three_level && (!s[leaf].__isset.repetition_type ||
                                                      s[leaf].repetition_type == pf::FieldRepetitionType::OPTIONAL);
        l.max_def = l.list_def + 1 + (element_optional ? 1 : 0);
        l.max_rep = 1;
        l.optional = element_optional;
      } else if (!group && repeated) {
        // A bare repeated field: a required list of required values.
        l.is_list = true;
        l.list_def = 0;
        l.max_def = 1;
        l.max_rep = 1;
        l.optional = false;
      } else {
        leaf = 0;
      }
      if (leaf == 0 || !s[leaf].__isset.type) {
        return InvalidArgument(path_ + ": column '" + e.name +
                               "' is nested (a map, a struct, or a list of those); Strata reads flat columns and "
                               "lists of values");
      }
      if (!Describe(s[leaf], &l)) {
        return DataLoss(path_ + ": column '" + e.name + "' has a physical type Strata does not know");
      }
      leaves_.push_back(l);
      i = next;
    }
    return OkStatus();
  }

  static bool Repeated(const pf::SchemaElement& e) {
    return e.__isset.repetition_type && e.repetition_type == pf::FieldRepetitionType::REPEATED;
  }

  // How many schema elements the element at `i` and its descendants take.
  size_t Subtree(size_t i) const {
    size_t n = 1;
    const auto& s = meta_.schema;
    const int children = s[i].__isset.num_children ? s[i].num_children : 0;
    for (int c = 0; c < children && i + n < s.size(); ++c) n += Subtree(i + n);
    return n;
  }

  // The leaf's physical type and how its values convert.
  static bool Describe(const pf::SchemaElement& e, Leaf* l) {
    l->physical = e.type;
    l->type_length = e.__isset.type_length ? e.type_length : 0;
    const auto& lt = e.logicalType;
    const bool has_lt = e.__isset.logicalType;
    const auto ct = e.__isset.converted_type ? e.converted_type : static_cast<pf::ConvertedType::type>(-1);
    if ((has_lt && lt.__isset.DECIMAL) || ct == pf::ConvertedType::DECIMAL) {
      l->type = Type::kDouble;
      l->conversion = Conversion::kDecimal;
      l->scale = has_lt && lt.__isset.DECIMAL ? lt.DECIMAL.scale : e.scale;
    } else if ((has_lt && lt.__isset.DATE) || ct == pf::ConvertedType::DATE) {
      l->type = Type::kTimestamp;
      l->conversion = Conversion::kDate;
    } else if (has_lt && lt.__isset.TIMESTAMP) {
      l->type = Type::kTimestamp;
      const auto& u = lt.TIMESTAMP.unit;
      l->conversion = u.__isset.MILLIS ? Conversion::kMillis : u.__isset.NANOS ? Conversion::kNanos : Conversion::kMicros;
    } else if (ct == pf::ConvertedType::TIMESTAMP_MILLIS || ct == pf::ConvertedType::TIMESTAMP_MICROS) {
      l->type = Type::kTimestamp;
      l->conversion = ct == pf::ConvertedType::TIMESTAMP_MILLIS ? Conversion::kMillis : Conversion::kMicros;
    } else if (e.type == PT::INT96) {
      l->type = Type::kTimestamp;
      l->conversion = Conversion::kInt96;
    } else if (e.type == PT::BOOLEAN) {
      l->type = Type::kBool;
    } else if (e.type == PT::INT32 || e.type == PT::INT64) {
      l->type = Type::kInt64;
    } else if (e.type == PT::FLOAT || e.type == PT::DOUBLE) {
      l->type = Type::kDouble;
    } else if (e.type == PT::BYTE_ARRAY || e.type == PT::FIXED_LEN_BYTE_ARRAY) {
      // Text when annotated as such; otherwise bytes.
      const bool text = (has_lt && (lt.__isset.STRING || lt.__isset.ENUM || lt.__isset.JSON)) ||
                        ct == pf::ConvertedType::UTF8 || ct == pf::ConvertedType::ENUM ||
                        ct == pf::ConvertedType::JSON;
      l->type = text ? Type::kString : Type::kBinary;
    } else {
      return false;
    }
    return true;
  }

  std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
  pf::FileMetaData meta_;
  std::vector<Leaf> leaves_;
};

// A flat column's values and definition levels (max_def = present) → the
// output column.
void AppendPage(const Column& values, const std::vector<uint32_t>& defs, uint32_t max_def, Column* out) {
  if (defs.empty() || static_cast<int64_t>(defs.size()) == values.length) {
    out->AppendColumn(values);
    return;
  }
  int64_t k = 0;
  for (uint32_t d : defs) {
    if (d == max_def) out->AppendFrom(values, k++);
    else out->AppendNull();
  }
}

// A list column's entries (repetition 0 starts a row) → lists; a row's list
// may continue on the next page, so `open` carries over.
bool AppendListPage(const Leaf& l, const Column& values, const std::vector<uint32_t>& reps,
                    const std::vector<uint32_t>& defs, Column* out, bool* open, int64_t* rows) {
  int64_t k = 0;
  for (size_t i = 0; i < defs.size(); ++i) {
    const uint32_t r = reps.empty() ? 0 : reps[i], d = defs[i];
    if (r == 0) {
      if (*open) out->EndList();
      *open = false;
      ++*rows;
      if (static_cast<int>(d) < l.list_def) {
        out->AppendNull();
        continue;
      }
      *open = true;
      if (static_cast<int>(d) == l.list_def) continue;  // an empty list
    } else if (!*open) {
      return false;  // a continuation with no list to continue
    }
    if (static_cast<int>(d) == l.max_def) out->Values().AppendFrom(values, k++);
    else out->Values().AppendNull();
  }
  return true;
}

Status ReadChunk(const File& f, const Leaf& l, const pf::ColumnChunk& cc, int64_t rows, Column* out) {
  if (!cc.__isset.meta_data) return DataLoss("no column metadata");
  const pf::ColumnMetaData& m = cc.meta_data;
  int64_t start = m.data_page_offset;
  if (m.__isset.dictionary_page_offset && m.dictionary_page_offset > 0 && m.dictionary_page_offset < start) {
    start = m.dictionary_page_offset;
  }
  std::string chunk;
  STRATA_RETURN_IF_ERROR(f.Read(start, m.total_compressed_size, &chunk));
  const auto* base = reinterpret_cast<const uint8_t*>(chunk.data());
  size_t pos = 0;
  int64_t values = 0;
  Column dict;
  bool have_dict = false;
  *out = l.is_list ? Column::ListOf(l.type) : Column::OfType(l.type);
  bool open_list = false;
  int64_t list_rows = 0;
  const int rep_width = BitWidth(static_cast<uint64_t>(l.max_rep)), def_width = BitWidth(static_cast<uint64_t>(l.max_def));
  std::string page;
  while (values < m.num_values) {
    pf::PageHeader h;
    size_t used = 0;
    const Status header = pos < chunk.size() ? ReadThrift(base + pos, chunk.size() - pos, &h, &used) : OkStatus();
    if (pos >= chunk.size() || !header.ok()) {
      return DataLoss("corrupt page header at byte " + std::to_string(start + static_cast<int64_t>(pos)) +
                      (header.ok() ? std::string(" (chunk ends early)") : ": " + header.message()));
    }
    if (!ValidEnums(h)) {
      return DataLoss("corrupt page header at byte " + std::to_string(start + static_cast<int64_t>(pos)) +
               ": a page type or encoding number out of range");
    }
    pos += used;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
        h.uncompressed_page_size > kMaxPageBytes ||
        static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos) {
      return DataLoss("page at byte " + std::to_string(start + static_cast<int64_t>(pos)) + " claims " +
               std::to_string(h.compressed_page_size) + " bytes, past the column chunk");
    }
    const std::string_view body(chunk.data() + pos, static_cast<size_t>(h.compressed_page_size));
    pos += static_cast<size_t>(h.compressed_page_size);
    if (h.type == pf::PageType::DICTIONARY_PAGE) {
      STRATA_RETURN_IF_ERROR(Decompress(m.codec, body, static_cast<size_t>(h.uncompressed_page_size), &page));
      const auto* p = reinterpret_cast<const uint8_t*>(page.data());
      if (!DecodePlain(l, Bytes{p, p + page.size()}, h.dictionary_page_header.num_values, &dict)) {
        return DataLoss("corrupt dictionary page");
      }
      STRATA_RETURN_IF_ERROR(Convert(l, &dict));
      have_dict = true;
      continue;
    }
    if (h.type != pf::PageType::DATA_PAGE && h.type != pf::PageType::DATA_PAGE_V2) continue;  // index pages
    const bool v2 = h.type == pf::PageType::DATA_PAGE_V2;
    const int64_t n = v2 ? h.data_page_header_v2.num_values : h.data_page_header.num_values;
    if (n < 0 || values + n > m.num_values) return DataLoss("a page holds more values than the chunk");
    std::vector<uint32_t> reps, defs;
    Bytes in;
    // Levels as the hybrid encoding: v2 pages say their lengths, v1 pages
    // prefix each with 4 bytes.
    auto levels = [&](Bytes from, int width, std::vector<uint32_t>* out_levels) {
      out_levels->resize(static_cast<size_t>(n));
      return DecodeHybrid(from, width, n, out_levels->data());
    };
    if (v2) {
      const auto& v = h.data_page_header_v2;
      const int64_t level_bytes = int64_t{v.repetition_levels_byte_length} + v.definition_levels_byte_length;
      if (v.repetition_levels_byte_length < 0 || v.definition_levels_byte_length < 0 ||
          level_bytes > static_cast<int64_t>(body.size()) || level_bytes > h.uncompressed_page_size) {
        return DataLoss("corrupt v2 page levels");
      }
      const auto* rv = reinterpret_cast<const uint8_t*>(body.data());
      const auto* dv = rv + v.repetition_levels_byte_length;
      if (l.max_rep > 0 && !levels(Bytes{rv, dv}, rep_width, &reps)) return DataLoss("corrupt repetition levels");
      if (l.max_def > 0 && !levels(Bytes{dv, dv + v.definition_levels_byte_length}, def_width, &defs)) {
        return DataLoss("corrupt definition levels");
      }
      const std::string_view rest = body.substr(static_cast<size_t>(level_bytes));
      const size_t size = static_cast<size_t>(h.uncompressed_page_size - level_bytes);
      if (!v.__isset.is_compressed || v.is_compressed) {
        STRATA_RETURN_IF_ERROR(Decompress(m.codec, rest, size, &page));
      } else {
        page.assign(rest);
      }
      const auto* p = reinterpret_cast<const uint8_t*>(page.data());
      in = Bytes{p, p + page.size()};
    } else {
      STRATA_RETURN_IF_ERROR(Decompress(m.codec, body, static_cast<size_t>(h.uncompressed_page_size), &page));
      const auto* p = reinterpret_cast<const uint8_t*>(page.data());
      in = Bytes{p, p + page.size()};
      auto prefixed = [&](int width, std::vector<uint32_t>* out_levels) {
        uint32_t len;
        if (in.left() < 4) return false;
        std::memcpy(&len, in.p, 4);
        in.p += 4;
        if (in.left() < len || !levels(Bytes{in.p, in.p + len}, width, out_levels)) return false;
        in.p += len;
        return true;
      };
      if (l.max_rep > 0 && !prefixed(rep_width, &reps)) return DataLoss("corrupt repetition levels");
      if (l.max_def > 0 && !prefixed(def_width, &defs)) return DataLoss("corrupt definition levels");
    }
    int64_t present = n;
    if (!defs.empty()) {
      present = 0;
      for (uint32_t d : defs) present += static_cast<int>(d) == l.max_def;
    }
    const int encoding = v2 ? h.data_page_header_v2.encoding : h.data_page_header.encoding;
    Column vals;
    STRATA_RETURN_IF_ERROR(DecodeValues(l, encoding, in, present, have_dict ? &dict : nullptr, &vals));
    if (l.is_list) {
      if (defs.empty()) defs.assign(static_cast<size_t>(n), static_cast<uint32_t>(l.max_def));
      if (!AppendListPage(l, vals, reps, defs, out, &open_list, &list_rows)) {
        return DataLoss("a list continues where no list was started");
      }
    } else {
      AppendPage(vals, defs, static_cast<uint32_t>(l.max_def), out);
    }
    values += n;
  }
  if (open_list) out->EndList();
  const int64_t got = l.is_list ? list_rows : values;
  if (got != rows) {
    return DataLoss("has " + std::to_string(got) + " values for " + std::to_string(rows) + " rows");
  }
  return OkStatus();
}

}  // namespace

Result<ParquetFileInfo> ReadParquetInfo(const std::string& path) {
  File f;
  STRATA_RETURN_IF_ERROR(f.Open(path));
  ParquetFileInfo info;
  for (const Leaf& l : f.leaves()) {
    info.schema.names.push_back(l.name);
    info.schema.types.push_back(l.column_type());
    info.schema.elements.push_back(l.element_type());
  }
  for (const pf::RowGroup& rg : f.meta().row_groups) {
    info.row_group_rows.push_back(rg.num_rows);
    info.num_rows += rg.num_rows;
  }
  info.created_by = f.meta().created_by;
  return info;
}

Status ReadParquetRowGroup(const std::string& path, int index, const CsvSchema& schema, Block* out) {
  File f;
  STRATA_RETURN_IF_ERROR(f.Open(path));
  const auto& groups = f.meta().row_groups;
  if (index < 0 || static_cast<size_t>(index) >= groups.size()) {
    return DataLoss(path + ": no row group " + std::to_string(index));
  }
  const pf::RowGroup& rg = groups[static_cast<size_t>(index)];
  *out = Block{};
  out->num_rows = rg.num_rows;
  for (size_t c = 0; c < schema.names.size(); ++c) {
    const auto& leaves = f.leaves();
    size_t j = 0;
    while (j < leaves.size() && leaves[j].name != schema.names[c]) ++j;
    if (j == leaves.size() || j >= rg.columns.size()) {
      return DataLoss(path + ": has no column '" + schema.names[c] + "' (the first file has)");
    }
    const Type type = leaves[j].column_type();
    if (type != schema.types[c] || leaves[j].element_type() != schema.ElementOf(c)) {
      return DataLoss(path + ": column '" + schema.names[c] + "' is " + TypeName(type) +
               ", in the first file it is " + TypeName(schema.types[c]));
    }
    Column col;
    if (Status s = ReadChunk(f, leaves[j], rg.columns[j], rg.num_rows, &col); !s.ok()) {
      return DataLoss(path + ": row group " + std::to_string(index) + ", column '" + schema.names[c] +
                      "': " + s.message());
    }
    out->Add(schema.names[c], std::move(col));
  }
  return OkStatus();
}

}  // namespace strata::data
