// Sorting and partitioning: stable sort, hash and range partitions, key
// samples (what shuffles cut blocks with).
#include <algorithm>
#include <numeric>
#include <random>
#include <string>

#include "data/ops/operators.h"
#include "data/ops/row_keys.h"

namespace strata::data {

Status PartitionByHash(const Block& in, const std::vector<std::string>& keys, int parts,
                       std::vector<Block>* out) {
  const bool all = keys.empty() || (keys.size() == 1 && keys[0] == "*");
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> cols, Resolve(in, all ? in.names : keys, "shuffle"));
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(parts));
  std::string key;
  for (int64_t r = 0; r < in.num_rows; ++r) {
    KeyOf(cols, r, &key);
    // Mixed once more so the part does not follow a weak hash's low bits.
    const uint64_t h = std::hash<std::string>{}(key) * 0x9E3779B97F4A7C15ull;
    rows[static_cast<size_t>((h >> 32) % static_cast<uint64_t>(parts))].push_back(r);
  }
  out->clear();
  for (const auto& idx : rows) out->push_back(in.Take(idx));
  return OkStatus();
}

namespace {

// Where row x of `a` sorts against row y of `b` (same column type family):
// negative first, 0 equal, positive after. Nulls last in either direction.
int CompareForSort(const Column& a, int64_t x, const Column& b, int64_t y, bool desc) {
  const bool nx = a.IsNull(x), ny = b.IsNull(y);
  if (nx || ny) return nx == ny ? 0 : nx ? 1 : -1;
  int cmp = 0;
  if (IsBytes(a.type) && IsBytes(b.type)) {
    const int r = a.Str(x).compare(b.Str(y));
    cmp = (r > 0) - (r < 0);
  } else if (a.type == Type::kList || b.type == Type::kList) {
    const int r = JsonValue(a, x).compare(JsonValue(b, y));  // an order, if not a meaningful one
    cmp = (r > 0) - (r < 0);
  } else if (IsI64(a.type) && IsI64(b.type)) {
    cmp = (a.i64[x] > b.i64[y]) - (a.i64[x] < b.i64[y]);
  } else {
    const double u = a.AsDouble(x), v = b.AsDouble(y);
    cmp = (u > v) - (u < v);
  }
  return desc ? -cmp : cmp;
}

int CompareRows(const std::vector<const Column*>& a, int64_t x, const std::vector<const Column*>& b,
                int64_t y, const std::vector<bool>& desc) {
  for (size_t k = 0; k < a.size(); ++k) {
    const int c = CompareForSort(*a[k], x, *b[k], y, k < desc.size() && desc[k]);
    if (c != 0) return c;
  }
  return 0;
}

}  // namespace

Status SortBlock(const Block& in, const std::vector<std::string>& by, const std::vector<bool>& desc, Block* out) {
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> cols, Resolve(in, by, "sort"));
  std::vector<int64_t> rows(static_cast<size_t>(in.num_rows));
  std::iota(rows.begin(), rows.end(), 0);
  std::stable_sort(rows.begin(), rows.end(),
                   [&](int64_t x, int64_t y) { return CompareRows(cols, x, cols, y, desc) < 0; });
  *out = in.Take(rows);
  return OkStatus();
}

void PartitionRandomly(const Block& in, int parts, uint64_t seed, std::vector<Block>* out) {
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(parts));
  std::mt19937_64 rng(seed);
  for (int64_t r = 0; r < in.num_rows; ++r) rows[rng() % static_cast<uint64_t>(parts)].push_back(r);
  out->clear();
  for (const auto& idx : rows) out->push_back(in.Take(idx));
}

Block SampleRows(const Block& in, const std::vector<std::string>& columns, int64_t n) {
  Block keys;
  for (const std::string& c : columns) {
    if (const Column* col = in.Get(c)) keys.Add(c, *col);
  }
  keys.num_rows = in.num_rows;
  if (in.num_rows <= n) return keys;
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < n; ++i) rows.push_back(i * in.num_rows / n);
  return keys.Take(rows);
}

Status PartitionByRange(const Block& in, const std::vector<std::string>& by, const std::vector<bool>& desc,
                        const Block& bounds, std::vector<Block>* out) {
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> cols, Resolve(in, by, "sort"));
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> bcols, Resolve(bounds, by, "sort bounds"));
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(bounds.num_rows + 1));
  for (int64_t r = 0; r < in.num_rows; ++r) {
    // The part: how many bounds sort at or before this row (equal keys stay together).
    int64_t lo = 0, hi = bounds.num_rows;
    while (lo < hi) {
      const int64_t mid = (lo + hi) / 2;
      if (CompareRows(bcols, mid, cols, r, desc) <= 0) lo = mid + 1;
      else hi = mid;
    }
    rows[static_cast<size_t>(lo)].push_back(r);
  }
  out->clear();
  for (const auto& idx : rows) out->push_back(in.Take(idx));
  return OkStatus();
}

}  // namespace strata::data
