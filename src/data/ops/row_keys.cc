#include "data/ops/row_keys.h"

namespace strata::data {

void KeyOf(const std::vector<const Column*>& cols, int64_t r, std::string* key) {
  key->clear();
  for (const Column* c : cols) {
    if (c->IsNull(r)) {
      key->push_back('\0');
      continue;
    }
    key->push_back(static_cast<char>(c->type) + 1);
    switch (c->type) {
      case Type::kInt64:
      case Type::kTimestamp: key->append(reinterpret_cast<const char*>(&c->i64[r]), 8); break;
      case Type::kDouble: {
        // Integral doubles hash like ints, so 2 and 2.0 join.
        const double d = c->f64[r];
        if (d == static_cast<double>(static_cast<int64_t>(d))) {
          (*key)[key->size() - 1] = static_cast<char>(Type::kInt64) + 1;
          const int64_t i = static_cast<int64_t>(d);
          key->append(reinterpret_cast<const char*>(&i), 8);
        } else {
          key->append(reinterpret_cast<const char*>(&d), 8);
        }
        break;
      }
      case Type::kBool: key->push_back(static_cast<char>(c->b[r])); break;
      case Type::kString:
      case Type::kBinary: {
        const std::string_view s = c->Str(r);
        const uint32_t n = static_cast<uint32_t>(s.size());
        key->append(reinterpret_cast<const char*>(&n), 4);
        key->append(s);
        break;
      }
      case Type::kList: {
        const std::string text = JsonValue(*c, r);  // equal lists, equal text
        const uint32_t n = static_cast<uint32_t>(text.size());
        key->append(reinterpret_cast<const char*>(&n), 4);
        key->append(text);
        break;
      }
      case Type::kNull: break;
    }
  }
}

Result<std::vector<const Column*>> Resolve(const Block& b, const std::vector<std::string>& names, const char* what) {
  std::vector<const Column*> out;
  for (const std::string& n : names) {
    const Column* c = b.Get(n);
    if (c == nullptr) {
      std::string have;
      for (const std::string& s : b.names) have += (have.empty() ? "" : ", ") + s;
      return InvalidArgument(std::string(what) + ": unknown column '" + n + "' (columns: " + have + ")");
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace strata::data
