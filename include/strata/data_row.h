// A row of a block, by column name — for code that thinks in rows (the
// `map` operator's functions). Reading a row this way is slower than a
// column at a time; batch functions (map_batches) are the fast path.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <strata/data_block.h>

namespace strata::data {

class RowView {
 public:
  RowView(const Block& block, int64_t row) : block_(&block), row_(row) {}
  int64_t index() const { return row_; }
  bool Has(const std::string& column) const { return block_->Find(column) >= 0; }
  // A missing column reads as null.
  bool IsNull(const std::string& column) const {
    const Column* c = block_->Get(column);
    return c == nullptr || c->IsNull(row_);
  }
  // Values (call IsNull first; a null reads as 0 / "" / false). Int and
  // Double convert between numbers; Timestamp is microseconds since 1970 UTC.
  int64_t Int(const std::string& column) const {
    const Column* c = block_->Get(column);
    if (c == nullptr || c->IsNull(row_)) return 0;
    return IsI64(c->type) ? c->i64[static_cast<size_t>(row_)] : static_cast<int64_t>(c->AsDouble(row_));
  }
  double Double(const std::string& column) const {
    const Column* c = block_->Get(column);
    return c == nullptr || c->IsNull(row_) ? 0 : c->AsDouble(row_);
  }
  bool Bool(const std::string& column) const {
    const Column* c = block_->Get(column);
    return c != nullptr && !c->IsNull(row_) && c->type == Type::kBool && c->b[static_cast<size_t>(row_)] != 0;
  }
  std::string_view Str(const std::string& column) const {
    const Column* c = block_->Get(column);
    return c == nullptr || c->IsNull(row_) || !IsBytes(c->type) ? std::string_view() : c->Str(row_);
  }
  int64_t Timestamp(const std::string& column) const { return Int(column); }

 private:
  const Block* block_;
  int64_t row_;
};

// What a row function sets: new or replaced columns of its row. A column set
// in some rows and not others is null where it was not set; a column must
// keep one type (integers and doubles mix, as doubles).
class RowWriter {
 public:
  struct Value {
    Type type = Type::kNull;
    int64_t i = 0;
    double d = 0;
    bool b = false;
    std::string s;
  };
  void SetInt(const std::string& column, int64_t v) { values_[column] = Value{Type::kInt64, v, 0, false, {}}; }
  void SetDouble(const std::string& column, double v) { values_[column] = Value{Type::kDouble, 0, v, false, {}}; }
  void SetBool(const std::string& column, bool v) { values_[column] = Value{Type::kBool, 0, 0, v, {}}; }
  void SetString(const std::string& column, std::string_view v) {
    values_[column] = Value{Type::kString, 0, 0, false, std::string(v)};
  }
  void SetNull(const std::string& column) { values_[column] = Value{}; }
  // Drops the row from the output.
  void Skip() { skip_ = true; }

  // For the runner.
  const std::map<std::string, Value>& values() const { return values_; }
  bool skipped() const { return skip_; }
  void Clear() {
    values_.clear();
    skip_ = false;
  }

 private:
  std::map<std::string, Value> values_;
  bool skip_ = false;
};

// A C++ function over one row: reads it, sets columns (or skips it).
// Register it by name at namespace scope: STRATA_ROW_FUNCTION(fn).
using RowFunction = void (*)(const RowView& row, RowWriter& out);
bool RegisterRowFunction(const std::string& name, RowFunction fn);
#define STRATA_ROW_FUNCTION(fn) \
  static const bool strata_row_function_##fn = ::strata::data::RegisterRowFunction(#fn, fn)

}  // namespace strata::data
