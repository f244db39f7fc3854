#include "data/format/jsonl.h"

#include <sstream>

#include "data/format/input_file.h"
#include "data/format/jsonl_fast.h"
#include "data/timestamp.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace strata::data {

namespace {

using json = nlohmann::ordered_json;

// Narrowest type that holds every value seen; strings win over everything.
Type Widen(Type have, const json& v);

// An array of scalars is a list of the narrowest type that holds them all;
// anything else in an array (objects, arrays) makes the column JSON text.
Type WidenList(Type have, Type* element, const json& v) {
  if (v.is_null()) return have;
  if (!v.is_array() || (have != Type::kNull && have != Type::kList)) return Type::kString;
  for (const json& x : v) {
    if (x.is_array() || x.is_object()) return Type::kString;
    *element = Widen(*element, x);
  }
  return Type::kList;
}

Type Widen(Type have, const json& v) {
  Type t = Type::kString;
  if (v.is_null()) return have;
  if (v.is_boolean()) t = Type::kBool;
  else if (v.is_number_integer()) t = Type::kInt64;
  else if (v.is_number()) t = Type::kDouble;
  else if (int64_t us; v.is_string() && ParseTimestamp(v.get_ref<const std::string&>(), &us)) t = Type::kTimestamp;
  if (have == Type::kNull || have == t) return t;
  if ((have == Type::kInt64 && t == Type::kDouble) || (have == Type::kDouble && t == Type::kInt64)) {
    return Type::kDouble;
  }
  return Type::kString;
}

constexpr size_t kMaxInferBytes = 256 << 20;
constexpr int kMaxDepth = 512;

// What the JSON parser is not asked to judge: nesting deep enough to exhaust
// a stack when the value is printed again, and how many keys the top-level
// object spells out (more than the parsed object holds: a key repeats).
struct Shape {
  std::string reason;  // why the record is refused, or ""
  size_t top_level_keys = 0;
};

Shape ScanShape(std::string_view raw) {
  Shape shape;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) {
        shape.reason = "nested deeper than " + std::to_string(kMaxDepth) + " levels";
        return shape;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ':' && depth == 1) {
      ++shape.top_level_keys;
    }
  }
  return shape;
}

}  // namespace

Result<CsvSchema> InferJsonlSchema(const std::string& path) {
  // The first 1 MiB, or more while not even one whole record fits in it (a
  // first record of 5 MiB must not leave the schema empty).
  std::string head;
  for (size_t want = 1 << 20;; want *= 4) {
    STRATA_RETURN_IF_ERROR(ReadHead(path, want, &head));
    StripByteOrderMark(&head);
    const bool cut = head.size() >= want - 3;
    if (cut) head.resize(head.rfind('\n') == std::string::npos ? 0 : head.rfind('\n') + 1);
    if (!cut || !head.empty() || want >= kMaxInferBytes) break;
  }
  CsvSchema schema;
  InferJsonlSchemaOf(head, &schema);
  return schema;
}

void InferJsonlSchemaOf(const std::string& head, CsvSchema* schema) {
  std::istringstream in(head);
  std::map<std::string, size_t> index;
  std::vector<Type> types, elements;
  std::string line;
  for (int n = 0; n < 1000 && std::getline(in, line); ++n) {
    if (!ScanShape(line).reason.empty()) continue;
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    for (auto it = j.begin(); it != j.end(); ++it) {
      auto [pos, fresh] = index.emplace(it.key(), schema->names.size());
      if (fresh) {
        schema->names.push_back(it.key());
        types.push_back(Type::kNull);
        elements.push_back(Type::kNull);
      }
      Type& t = types[pos->second];
      if (it.value().is_array() || t == Type::kList) {
        t = WidenList(t, &elements[pos->second], it.value());
      } else {
        t = Widen(t, it.value());
      }
    }
  }
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] == Type::kNull) types[i] = Type::kString;
    if (types[i] != Type::kList) elements[i] = Type::kNull;
    else if (elements[i] == Type::kNull) elements[i] = Type::kString;  // only empty lists seen
  }
  schema->types = types;
  schema->elements = elements;
}

Result<std::vector<FileRange>> SplitLines(const std::string& path, int64_t target) {
  if (IsCompressed(path)) return std::vector<FileRange>{FileRange{path, 0, 0, 1, {}}};  // read whole by one task
  std::ifstream in(path, std::ios::binary);
  std::vector<FileRange> out;
  if (!in) return CannotRead(path);
  std::vector<char> buf(4 << 20);
  int64_t offset = 0, line = 1, start = 0, start_line = 1;
  for (;;) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    for (const char* at = buf.data(); (at = static_cast<const char*>(std::memchr(at, '\n', buf.data() + n - at)));) {
      const std::streamsize k = at++ - buf.data();
      ++line;
      const int64_t end = offset + k + 1;
      if (end - start >= target) {
        out.push_back({path, start, end - start, start_line, {}});
        start = end;
        start_line = line;
      }
    }
    offset += n;
  }
  if (start < offset) out.push_back({path, start, offset - start, start_line, {}});
  return out;
}

namespace {

// Whether a JSON value (not null) is of a column's type.
bool Fits(Type t, const json& v) {
  int64_t us = 0;
  return t == Type::kString || (t == Type::kBool && v.is_boolean()) ||
         (t == Type::kInt64 && v.is_number_integer()) || (t == Type::kDouble && v.is_number()) ||
         (t == Type::kTimestamp && v.is_string() && ParseTimestamp(v.get_ref<const std::string&>(), &us));
}

bool FitsList(Type element, const json& v) {
  if (!v.is_array()) return false;
  for (const json& x : v) {
    if (!x.is_null() && !Fits(element, x)) return false;
  }
  return true;
}

void AppendJson(Column& c, Type t, const json& v) {
  switch (t) {
    case Type::kInt64: c.AppendInt(v.get<int64_t>()); break;
    case Type::kDouble: c.AppendDouble(v.get<double>()); break;
    case Type::kBool: c.AppendBool(v.get<bool>()); break;
    case Type::kTimestamp: {
      int64_t us = 0;
      ParseTimestamp(v.get_ref<const std::string&>(), &us);
      c.AppendInt(us);
      break;
    }
    default: c.AppendString(v.is_string() ? v.get_ref<const std::string&>() : v.dump());
  }
}

// A key the schema does not have would vanish from the output: the record is
// refused instead, with the fix in the reason.
std::string UnknownKeyReason(const json& j, const CsvSchema& schema) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(schema.names.begin(), schema.names.end(), it.key()) != schema.names.end()) continue;
    return "key '" + it.key() + "' is not in the schema (inferred from the first 1000 records of the first "
           "file); name it under read.schema to keep it";
  }
  return "";
}

}  // namespace

void ParseJsonl(std::string_view text, const std::string& file, int64_t first_line,
                const CsvSchema& schema, Block* out, std::vector<BadRecord>* bad) {
  if (out->columns.empty()) {
    for (size_t i = 0; i < schema.names.size(); ++i) {
      out->Add(schema.names[i], schema.types[i] == Type::kList ? Column::ListOf(schema.ElementOf(i))
                                                                : Column::OfType(schema.types[i]));
    }
  }
  size_t pos = 0;
  int64_t line = first_line;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    pos = end + 1;
    const int64_t this_line = line++;
    if (raw.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (ReadFlatJsonRecord(raw, schema, out)) continue;
    const Shape shape = ScanShape(raw);
    std::string reason = shape.reason;
    json j;
    if (reason.empty()) {
      j = json::parse(raw, nullptr, false);
      if (j.is_discarded()) reason = "not valid JSON";
      else if (!j.is_object()) reason = "not a JSON object";
      else if (j.size() < shape.top_level_keys) reason = "a key appears twice in the object";
    }
    size_t known = 0;
    for (size_t i = 0; reason.empty() && i < schema.names.size(); ++i) {
      auto it = j.find(schema.names[i]);
      if (it == j.end()) continue;
      ++known;
      if (it->is_null()) continue;
      const Type t = schema.types[i];
      const bool ok = t == Type::kList ? FitsList(schema.ElementOf(i), *it) : Fits(t, *it);
      if (!ok) {
        reason = "field '" + schema.names[i] + "' is not " +
                 (t == Type::kList ? std::string("a list of ") + TypeName(schema.ElementOf(i)) : TypeName(t)) +
                 ": " + it->dump().substr(0, 40);
      }
    }
    if (reason.empty() && known < j.size()) reason = UnknownKeyReason(j, schema);
    if (!reason.empty()) {
      bad->push_back({file, this_line, reason, std::string(raw)});
      continue;
    }
    for (size_t i = 0; i < schema.names.size(); ++i) {
      Column& c = out->columns[i];
      auto it = j.find(schema.names[i]);
      if (it == j.end() || it->is_null()) {
        c.AppendNull();
        continue;
      }
      if (schema.types[i] == Type::kList) {
        for (const json& x : *it) {
          if (x.is_null()) c.Values().AppendNull();
          else AppendJson(c.Values(), schema.ElementOf(i), x);
        }
        c.EndList();
      } else {
        AppendJson(c, schema.types[i], *it);
      }
    }
    ++out->num_rows;
  }
}

void WriteJsonl(const Block& block, std::string* out) {
  std::vector<std::string> keys;
  for (const std::string& n : block.names) {
    keys.push_back(json(n).dump(-1, ' ', false, json::error_handler_t::replace) + ":");
  }
  for (int64_t r = 0; r < block.num_rows; ++r) {
    out->push_back('{');
    for (size_t i = 0; i < block.columns.size(); ++i) {
      if (i) out->push_back(',');
      out->append(keys[i]);
      AppendJsonValue(block.columns[i], r, out);
    }
    out->append("}\n");
  }
}

}  // namespace strata::data
