#include "data/format/parquet/writer.h"

#include <cstring>
#include <string_view>
#include <unordered_map>

#include "data/format/parquet/encoding.h"
#include "data/format/parquet/thrift_io.h"

namespace strata::data {

namespace {

using namespace parquet;
using PT = pf::Type;

constexpr int64_t kMaxDictionaryBytes = 1 << 20;

PT::type PhysicalOf(Type t) {
  switch (t) {
    case Type::kBool: return PT::BOOLEAN;
    case Type::kInt64:
    case Type::kTimestamp: return PT::INT64;
    case Type::kDouble: return PT::DOUBLE;
    case Type::kString:
    case Type::kBinary:
    case Type::kNull:
    case Type::kList: return PT::BYTE_ARRAY;
  }
  return PT::BYTE_ARRAY;
}

pf::SchemaElement SchemaOf(const std::string& name, Type t) {
  pf::SchemaElement e;
  e.__set_name(name);
  e.__set_type(PhysicalOf(t));
  e.__set_repetition_type(pf::FieldRepetitionType::OPTIONAL);
  if (t == Type::kString || t == Type::kNull) {
    e.__set_converted_type(pf::ConvertedType::UTF8);
    pf::LogicalType lt;
    lt.__set_STRING(pf::StringType());
    e.__set_logicalType(lt);
  } else if (t == Type::kTimestamp) {
    e.__set_converted_type(pf::ConvertedType::TIMESTAMP_MICROS);
    pf::TimeUnit unit;
    unit.__set_MICROS(pf::MicroSeconds());
    pf::TimestampType ts;
    ts.__set_isAdjustedToUTC(true);
    ts.__set_unit(unit);
    pf::LogicalType lt;
    lt.__set_TIMESTAMP(ts);
    e.__set_logicalType(lt);
  }
  return e;
}

void PutU32(uint32_t v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 4); }

// PLAIN bytes of rows [from, to) of `c` that are not null.
void PlainValues(const Column& c, int64_t from, int64_t to, std::string* out) {
  if (c.type == Type::kBool) {
    std::vector<uint32_t> bits;
    for (int64_t r = from; r < to; ++r) {
      if (!c.IsNull(r)) bits.push_back(c.b[static_cast<size_t>(r)]);
    }
    std::string packed((bits.size() + 7) / 8, '\0');
    for (size_t i = 0; i < bits.size(); ++i) {
      if (bits[i]) packed[i >> 3] = static_cast<char>(packed[i >> 3] | (1 << (i & 7)));
    }
    out->append(packed);
    return;
  }
  const bool dense = c.validity.empty();
  for (int64_t r = from; r < to; ++r) {
    if (!dense && c.IsNull(r)) continue;
    switch (c.type) {
      case Type::kInt64:
      case Type::kTimestamp: out->append(reinterpret_cast<const char*>(&c.i64[static_cast<size_t>(r)]), 8); break;
      case Type::kDouble: out->append(reinterpret_cast<const char*>(&c.f64[static_cast<size_t>(r)]), 8); break;
      case Type::kString:
      case Type::kBinary: {
        const std::string_view s = c.Str(r);
        PutU32(static_cast<uint32_t>(s.size()), out);
        out->append(s);
        break;
      }
      default: break;
    }
  }
}

// A column's dictionary, when it pays: ids per present row and the distinct
// values in order of first appearance. Worth it when values repeat (fewer
// distinct values than half the rows); a column whose first rows are mostly
// distinct is not tried further.
template <class Key, class KeyOf>
bool Dictionary(const Column& c, int64_t from, int64_t to, KeyOf key_of, std::vector<uint32_t>* ids,
                Column* dict) {
  std::unordered_map<Key, uint32_t> seen;
  *dict = Column::OfType(c.type);
  const int64_t rows = to - from;
  for (int64_t r = from; r < to; ++r) {
    if (c.IsNull(r)) continue;
    auto [it, added] = seen.try_emplace(key_of(r), static_cast<uint32_t>(seen.size()));
    if (added) {
      dict->AppendFrom(c, r);
      if (dict->length * 2 > rows || static_cast<int64_t>(dict->chars.size()) > kMaxDictionaryBytes ||
          (r - from == 1024 && dict->length > 512)) {
        return false;
      }
    }
    ids->push_back(it->second);
  }
  return dict->length * 2 <= static_cast<int64_t>(ids->size());
}

bool BuildDictionary(const Column& c, int64_t from, int64_t to, std::vector<uint32_t>* ids, Column* dict) {
  switch (c.type) {
    case Type::kString:
    case Type::kBinary:
      return Dictionary<std::string_view>(c, from, to, [&](int64_t r) { return c.Str(r); }, ids, dict);
    case Type::kInt64:
    case Type::kTimestamp:
      return Dictionary<int64_t>(c, from, to, [&](int64_t r) { return c.i64[static_cast<size_t>(r)]; }, ids, dict);
    case Type::kDouble:
      return Dictionary<uint64_t>(c, from, to, [&](int64_t r) {
        uint64_t bits;
        std::memcpy(&bits, &c.f64[static_cast<size_t>(r)], 8);
        return bits;
      }, ids, dict);
    default:
      return false;
  }
}

std::string StatBytes(const Column& c, int64_t r) {
  std::string s;
  if (IsI64(c.type)) s.assign(reinterpret_cast<const char*>(&c.i64[static_cast<size_t>(r)]), 8);
  else if (c.type == Type::kDouble) s.assign(reinterpret_cast<const char*>(&c.f64[static_cast<size_t>(r)]), 8);
  else if (IsBytes(c.type)) s.assign(c.Str(r));
  else if (c.type == Type::kBool) s.assign(1, static_cast<char>(c.b[static_cast<size_t>(r)]));
  return s;
}

pf::Statistics StatsOf(const Column& c, int64_t from, int64_t to) {
  pf::Statistics st;
  int64_t nulls = 0, lo = -1, hi = -1;
  auto less = [&](int64_t a, int64_t b) {
    switch (c.type) {
      case Type::kInt64:
      case Type::kTimestamp: return c.i64[static_cast<size_t>(a)] < c.i64[static_cast<size_t>(b)];
      case Type::kDouble: return c.f64[static_cast<size_t>(a)] < c.f64[static_cast<size_t>(b)];
      case Type::kString:
      case Type::kBinary: return c.Str(a) < c.Str(b);
      case Type::kBool: return c.b[static_cast<size_t>(a)] < c.b[static_cast<size_t>(b)];
      default: return false;
    }
  };
  for (int64_t r = from; r < to; ++r) {
    if (c.IsNull(r)) {
      ++nulls;
      continue;
    }
    if (c.type == Type::kDouble && c.f64[static_cast<size_t>(r)] != c.f64[static_cast<size_t>(r)]) continue;  // NaN
    if (lo < 0 || less(r, lo)) lo = r;
    if (hi < 0 || less(hi, r)) hi = r;
  }
  st.__set_null_count(nulls);
  if (lo >= 0 && c.type != Type::kNull) {
    st.__set_min_value(StatBytes(c, lo));
    st.__set_max_value(StatBytes(c, hi));
  }
  return st;
}

// Appends one page (header + compressed body) to `out`.
void AppendPage(const pf::PageHeader& header_in, const std::string& body, Codec codec, std::string* out,
                int64_t* uncompressed_total) {
  std::string compressed;
  Compress(codec, body, &compressed);
  pf::PageHeader h = header_in;
  h.__set_uncompressed_page_size(static_cast<int32_t>(body.size()));
  h.__set_compressed_page_size(static_cast<int32_t>(compressed.size()));
  std::string head;
  WriteThrift(h, &head);
  out->append(head);
  out->append(compressed);
  *uncompressed_total += static_cast<int64_t>(head.size() + body.size());
}

// Appends a data page (v1) of `num_values` level entries whose values are in
// `encoding`.
void AppendDataPage(int64_t num_values, pf::Encoding::type encoding, const std::string& body, Codec codec,
                    std::string* out, int64_t* uncompressed_total) {
  pf::PageHeader h;
  h.__set_type(pf::PageType::DATA_PAGE);
  pf::DataPageHeader dp;
  dp.__set_num_values(static_cast<int32_t>(num_values));
  dp.__set_encoding(encoding);
  dp.__set_definition_level_encoding(pf::Encoding::RLE);
  dp.__set_repetition_level_encoding(pf::Encoding::RLE);
  h.__set_data_page_header(dp);
  AppendPage(h, body, codec, out, uncompressed_total);
}

// Levels as a v1 data page holds them: 4 bytes of length, then the hybrid
// encoding.
void PutLevels(const std::vector<uint32_t>& levels, int bit_width, std::string* body) {
  std::string encoded;
  EncodeHybrid(levels.data(), levels.size(), bit_width, &encoded);
  PutU32(static_cast<uint32_t>(encoded.size()), body);
  body->append(encoded);
}

// One column chunk of rows [from, to): dictionary page (if used), data pages.
pf::ColumnChunk WriteChunk(const std::string& name, const Column& c, int64_t from, int64_t to,
                           const ParquetWriteOptions& o, std::string* file) {
  pf::ColumnMetaData m;
  m.__set_type(PhysicalOf(c.type));
  m.__set_path_in_schema({name});
  m.__set_codec(static_cast<pf::CompressionCodec::type>(o.codec));
  m.__set_num_values(to - from);
  const int64_t chunk_start = static_cast<int64_t>(file->size());
  int64_t uncompressed = 0;
  std::vector<uint32_t> ids;
  Column dict;
  const bool use_dict = BuildDictionary(c, from, to, &ids, &dict);
  std::vector<pf::Encoding::type> encodings = {pf::Encoding::RLE};
  if (use_dict) {
    pf::PageHeader h;
    h.__set_type(pf::PageType::DICTIONARY_PAGE);
    pf::DictionaryPageHeader dh;
    dh.__set_num_values(static_cast<int32_t>(dict.length));
    dh.__set_encoding(pf::Encoding::PLAIN);
    h.__set_dictionary_page_header(dh);
    std::string body;
    PlainValues(dict, 0, dict.length, &body);
    m.__set_dictionary_page_offset(chunk_start);
    AppendPage(h, body, o.codec, file, &uncompressed);
    encodings.push_back(pf::Encoding::PLAIN);
    encodings.push_back(pf::Encoding::RLE_DICTIONARY);
  } else {
    encodings.push_back(pf::Encoding::PLAIN);
  }
  m.__set_encodings(encodings);
  m.__set_data_page_offset(static_cast<int64_t>(file->size()));
  // Rows per page from the chunk's average row size.
  const int64_t rows = to - from;
  const int64_t approx = IsBytes(c.type) ? (c.offsets[static_cast<size_t>(to)] - c.offsets[static_cast<size_t>(from)]) + 4 * rows
                                                 : 8 * rows;
  const int64_t per_page = std::max<int64_t>(1024, rows * o.page_bytes / std::max<int64_t>(1, approx));
  const int width = use_dict ? std::max(1, BitWidth(static_cast<uint64_t>(dict.length - 1))) : 0;
  size_t next_id = 0;
  std::vector<uint32_t> defs;
  for (int64_t p = from; p < to; p += per_page) {
    const int64_t end = std::min(to, p + per_page);
    std::string body, levels;
    defs.clear();
    int64_t present = 0;
    for (int64_t r = p; r < end; ++r) {
      defs.push_back(c.IsNull(r) ? 0 : 1);
      present += defs.back();
    }
    if (present == end - p) {
      EncodeRepeated(1, end - p, 1, &levels);  // no nulls: one run
      PutU32(static_cast<uint32_t>(levels.size()), &body);
      body.append(levels);
    } else {
      PutLevels(defs, 1, &body);
    }
    if (use_dict) {
      body.push_back(static_cast<char>(width));
      EncodeHybrid(ids.data() + next_id, static_cast<size_t>(present), width, &body);
      next_id += static_cast<size_t>(present);
    } else {
      PlainValues(c, p, end, &body);
    }
    AppendDataPage(end - p, use_dict ? pf::Encoding::RLE_DICTIONARY : pf::Encoding::PLAIN, body, o.codec, file,
                   &uncompressed);
  }
  m.__set_total_uncompressed_size(uncompressed);
  m.__set_total_compressed_size(static_cast<int64_t>(file->size()) - chunk_start);
  m.__set_statistics(StatsOf(c, from, to));
  pf::ColumnChunk cc;
  cc.__set_file_offset(chunk_start);
  cc.__set_meta_data(m);
  return cc;
}

// A list column's chunk: repetition levels (0 starts a row), definition
// levels (0 null list, 1 empty list, 2 null value, 3 value) and the values,
// one data page per about `page_bytes` of rows.
pf::ColumnChunk WriteListChunk(const std::string& name, const Column& c, int64_t from, int64_t to,
                               const ParquetWriteOptions& o, std::string* file) {
  const Column& v = c.Values();
  pf::ColumnMetaData m;
  m.__set_type(PhysicalOf(v.type));
  m.__set_path_in_schema({name, "list", "element"});
  m.__set_codec(static_cast<pf::CompressionCodec::type>(o.codec));
  const int64_t chunk_start = static_cast<int64_t>(file->size());
  int64_t uncompressed = 0, entries = 0;
  m.__set_encodings({pf::Encoding::RLE, pf::Encoding::PLAIN});
  m.__set_data_page_offset(chunk_start);
  const int64_t per_page = std::max<int64_t>(1, (to - from) * o.page_bytes /
      std::max<int64_t>(1, 8 * (c.offsets[static_cast<size_t>(to)] - c.offsets[static_cast<size_t>(from)]) + (to - from)));
  std::vector<uint32_t> reps, defs;
  for (int64_t p = from; p < to; p += per_page) {
    const int64_t end = std::min(to, p + per_page);
    reps.clear();
    defs.clear();
    for (int64_t r = p; r < end; ++r) {
      const int32_t a = c.offsets[static_cast<size_t>(r)], b = c.offsets[static_cast<size_t>(r) + 1];
      if (c.IsNull(r) || a == b) {
        reps.push_back(0);
        defs.push_back(c.IsNull(r) ? 0 : 1);
        continue;
      }
      for (int32_t k = a; k < b; ++k) {
        reps.push_back(k == a ? 0 : 1);
        defs.push_back(v.IsNull(k) ? 2 : 3);
      }
    }
    std::string body;
    PutLevels(reps, 1, &body);
    PutLevels(defs, 2, &body);
    PlainValues(v, c.offsets[static_cast<size_t>(p)], c.offsets[static_cast<size_t>(end)], &body);
    AppendDataPage(static_cast<int64_t>(defs.size()), pf::Encoding::PLAIN, body, o.codec, file, &uncompressed);
    entries += static_cast<int64_t>(defs.size());
  }
  m.__set_num_values(entries);
  m.__set_total_uncompressed_size(uncompressed);
  m.__set_total_compressed_size(static_cast<int64_t>(file->size()) - chunk_start);
  pf::ColumnChunk cc;
  cc.__set_file_offset(chunk_start);
  cc.__set_meta_data(m);
  return cc;
}

}  // namespace

void WriteParquet(const Block& block, const ParquetWriteOptions& options, std::string* out) {
  out->assign("PAR1");
  pf::FileMetaData meta;
  meta.__set_version(1);
  std::vector<pf::SchemaElement> schema(1);
  schema[0].__set_name("schema");
  schema[0].__set_num_children(static_cast<int32_t>(block.columns.size()));
  for (size_t i = 0; i < block.columns.size(); ++i) {
    const Column& c = block.columns[i];
    if (c.type != Type::kList) {
      schema.push_back(SchemaOf(block.names[i], c.type));
      continue;
    }
    // optional group NAME (LIST) { repeated group list { optional T element } }
    pf::SchemaElement group;
    group.__set_name(block.names[i]);
    group.__set_repetition_type(pf::FieldRepetitionType::OPTIONAL);
    group.__set_num_children(1);
    group.__set_converted_type(pf::ConvertedType::LIST);
    pf::LogicalType list;
    list.__set_LIST(pf::ListType());
    group.__set_logicalType(list);
    pf::SchemaElement repeated;
    repeated.__set_name("list");
    repeated.__set_repetition_type(pf::FieldRepetitionType::REPEATED);
    repeated.__set_num_children(1);
    schema.push_back(group);
    schema.push_back(repeated);
    schema.push_back(SchemaOf("element", c.ElementType()));
  }
  meta.__set_schema(schema);
  meta.__set_num_rows(block.num_rows);
  meta.__set_created_by("strata");
  std::vector<pf::RowGroup> groups;
  const int64_t per_group = std::max<int64_t>(1, options.row_group_rows);
  for (int64_t from = 0; from < block.num_rows; from += per_group) {  // none when empty
    const int64_t to = std::min(block.num_rows, from + per_group);
    pf::RowGroup rg;
    rg.__set_num_rows(to - from);
    rg.__set_file_offset(static_cast<int64_t>(out->size()));
    std::vector<pf::ColumnChunk> chunks;
    int64_t bytes = 0;
    for (size_t i = 0; i < block.columns.size(); ++i) {
      chunks.push_back(block.columns[i].type == Type::kList
                           ? WriteListChunk(block.names[i], block.columns[i], from, to, options, out)
                           : WriteChunk(block.names[i], block.columns[i], from, to, options, out));
      bytes += chunks.back().meta_data.total_uncompressed_size;
    }
    rg.__set_columns(chunks);
    rg.__set_total_byte_size(bytes);
    groups.push_back(std::move(rg));
  }
  meta.__set_row_groups(groups);
  std::string footer;
  WriteThrift(meta, &footer);
  out->append(footer);
  PutU32(static_cast<uint32_t>(footer.size()), out);
  out->append("PAR1");
}

}  // namespace strata::data
