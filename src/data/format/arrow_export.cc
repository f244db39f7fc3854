#include "data/format/arrow_export.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace strata::data {

namespace {

constexpr int64_t kNullable = 2;  // ARROW_FLAG_NULLABLE

// What one exported struct array and its schema keep alive (deques: the
// addresses handed out stay put as more is added).
struct Holder {
  Block block;
  std::deque<std::vector<uint8_t>> packed;  // booleans as bits
  std::deque<std::vector<const void*>> buffers;
  std::deque<ArrowArray> arrays;
  std::deque<std::vector<ArrowArray*>> child_ptrs;
  std::vector<const void*> struct_buffers{nullptr};
};

struct SchemaHolder {
  std::vector<std::string> names;
  std::deque<ArrowSchema> schemas;
  std::deque<std::vector<ArrowSchema*>> child_ptrs;
};

const char* FormatOf(Type t) {
  switch (t) {
    case Type::kInt64: return "l";
    case Type::kDouble: return "g";
    case Type::kBool: return "b";
    case Type::kString: return "u";
    case Type::kBinary: return "z";
    case Type::kTimestamp: return "tsu:UTC";  // microseconds, UTC
    case Type::kList: return "+l";
    case Type::kNull: return "n";
  }
  return "n";
}

void ReleaseChildArray(ArrowArray* a) { a->release = nullptr; }  // the parent owns the memory
void ReleaseChildSchema(ArrowSchema* s) { s->release = nullptr; }

void ReleaseArray(ArrowArray* a) {
  for (int64_t i = 0; i < a->n_children; ++i) {
    if (a->children[i]->release != nullptr) a->children[i]->release(a->children[i]);
  }
  delete static_cast<Holder*>(a->private_data);
  a->release = nullptr;
}

void ReleaseSchema(ArrowSchema* s) {
  for (int64_t i = 0; i < s->n_children; ++i) {
    if (s->children[i]->release != nullptr) s->children[i]->release(s->children[i]);
  }
  delete static_cast<SchemaHolder*>(s->private_data);
  s->release = nullptr;
}

int64_t NullCount(const Column& c) {
  if (c.type == Type::kNull) return c.length;
  if (c.validity.empty()) return 0;
  int64_t n = 0;
  for (int64_t i = 0; i < c.length; ++i) n += c.IsNull(i);
  return n;
}

}  // namespace

namespace {

ArrowArray* ExportColumn(const Column& c, Holder* h) {
  ArrowArray& a = h->arrays.emplace_back();
  a = ArrowArray{};
  a.length = c.length;
  a.null_count = NullCount(c);
  auto& bufs = h->buffers.emplace_back();
  const void* validity = c.validity.empty() ? nullptr : c.validity.data();
  switch (c.type) {
    case Type::kInt64:
    case Type::kTimestamp: bufs = {validity, c.i64.data()}; break;
    case Type::kDouble: bufs = {validity, c.f64.data()}; break;
    case Type::kString:
    case Type::kBinary: bufs = {validity, c.offsets.data(), c.chars.data()}; break;
    case Type::kBool: {
      std::vector<uint8_t>& bits = h->packed.emplace_back((c.length + 7) / 8, 0);
      for (int64_t r = 0; r < c.length; ++r) {
        if (c.b[static_cast<size_t>(r)]) bits[static_cast<size_t>(r >> 3)] |= static_cast<uint8_t>(1u << (r & 7));
      }
      bufs = {validity, bits.data()};
      break;
    }
    case Type::kList: {
      bufs = {validity, c.offsets.data()};
      ArrowArray* values = ExportColumn(c.Values(), h);
      auto& kids = h->child_ptrs.emplace_back(std::vector<ArrowArray*>{values});
      a.n_children = 1;
      a.children = kids.data();
      break;
    }
    case Type::kNull: bufs = {}; break;
  }
  a.n_buffers = static_cast<int64_t>(bufs.size());
  a.buffers = bufs.data();
  a.release = ReleaseChildArray;
  return &a;
}

ArrowSchema* SchemaOfColumn(const Column& c, const char* name, SchemaHolder* sh) {
  ArrowSchema& s = sh->schemas.emplace_back();
  s = ArrowSchema{};
  s.format = FormatOf(c.type);
  s.name = name;
  s.flags = kNullable;
  s.release = ReleaseChildSchema;
  if (c.type == Type::kList) {
    ArrowSchema* item = SchemaOfColumn(c.Values(), "item", sh);
    auto& kids = sh->child_ptrs.emplace_back(std::vector<ArrowSchema*>{item});
    s.n_children = 1;
    s.children = kids.data();
  }
  return &s;
}

}  // namespace

void ExportBlock(const Block& block, ArrowSchema* schema, ArrowArray* array) {
  auto* h = new Holder;
  h->block = block;
  const size_t n = h->block.columns.size();
  std::vector<ArrowArray*>& columns = h->child_ptrs.emplace_back();
  for (size_t i = 0; i < n; ++i) columns.push_back(ExportColumn(h->block.columns[i], h));
  *array = ArrowArray{};
  array->length = h->block.num_rows;
  array->n_buffers = 1;  // the struct's own validity: none
  array->buffers = h->struct_buffers.data();
  array->n_children = static_cast<int64_t>(n);
  array->children = columns.data();
  array->release = ReleaseArray;
  array->private_data = h;

  auto* sh = new SchemaHolder;
  sh->names = h->block.names;
  std::vector<ArrowSchema*>& fields = sh->child_ptrs.emplace_back();
  for (size_t i = 0; i < n; ++i) fields.push_back(SchemaOfColumn(h->block.columns[i], sh->names[i].c_str(), sh));
  *schema = ArrowSchema{};
  schema->format = "+s";
  schema->name = "";
  schema->n_children = static_cast<int64_t>(n);
  schema->children = fields.data();
  schema->release = ReleaseSchema;
  schema->private_data = sh;
}

}  // namespace strata::data
