// Hash join: inner, left, right, full, semi, anti.
#include <algorithm>
#include <set>
#include <string>
#include <unordered_map>

#include "data/ops/operators.h"
#include "data/ops/row_keys.h"

namespace strata::data {

namespace {

// Rows `rows` of `c`; -1 gives a null.
Column GatherOrNull(const Column& c, const std::vector<int64_t>& rows, bool any_missing) {
  if (!any_missing) return Gather(c, rows);
  Column col = Column::OfType(c.type);
  for (int64_t r : rows) {
    if (r < 0) col.AppendNull();
    else col.AppendFrom(c, r);
  }
  return col;
}

}  // namespace

Status HashJoin(const Block& left, const Block& right, const std::vector<std::string>& left_keys,
                const std::vector<std::string>& right_keys, const std::string& how, Block* out) {
  static const std::set<std::string> kHows = {"inner", "left", "right", "full", "semi", "anti"};
  if (kHows.count(how) == 0) {
    return InvalidArgument("join: how must be inner, left, right, full, semi or anti, not '" + how + "'");
  }
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> lk, Resolve(left, left_keys, "join (left side)"));
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> rk, Resolve(right, right_keys, "join (right side)"));
  auto any_null = [](const std::vector<const Column*>& cols, int64_t r) {
    for (const Column* c : cols) {
      if (c->IsNull(r)) return true;
    }
    return false;
  };
  // Right rows by key, in file order. One integer key (the usual join on an
  // id) hashes the integer itself; other keys hash their bytes.
  const bool int_key = lk.size() == 1 && IsI64(lk[0]->type) && lk[0]->type == rk[0]->type;
  std::unordered_map<int64_t, std::vector<int64_t>> by_int;
  std::unordered_map<std::string, std::vector<int64_t>> by_bytes;
  std::string key;
  for (int64_t r = 0; r < right.num_rows; ++r) {
    if (any_null(rk, r)) continue;  // null equals nothing, as in SQL
    if (int_key) {
      by_int[rk[0]->i64[static_cast<size_t>(r)]].push_back(r);
    } else {
      KeyOf(rk, r, &key);
      by_bytes[key].push_back(r);
    }
  }
  static const std::vector<int64_t> kNoMatch;
  auto matches_of = [&](int64_t l) -> const std::vector<int64_t>& {
    if (any_null(lk, l)) return kNoMatch;
    if (int_key) {
      auto it = by_int.find(lk[0]->i64[static_cast<size_t>(l)]);
      return it == by_int.end() ? kNoMatch : it->second;
    }
    KeyOf(lk, l, &key);
    auto it = by_bytes.find(key);
    return it == by_bytes.end() ? kNoMatch : it->second;
  };
  const bool keep_left = how == "left" || how == "full";
  const bool keep_right = how == "right" || how == "full";
  std::vector<int64_t> lrows, rrows;  // -1: no row on that side
  lrows.reserve(static_cast<size_t>(left.num_rows));
  std::vector<bool> right_matched(keep_right ? static_cast<size_t>(right.num_rows) : 0, false);
  for (int64_t l = 0; l < left.num_rows; ++l) {
    const std::vector<int64_t>& matches = matches_of(l);
    const bool matched = !matches.empty();
    if (how == "semi" || how == "anti") {
      if (matched == (how == "semi")) lrows.push_back(l);
      continue;
    }
    if (!matched) {
      if (keep_left) lrows.push_back(l), rrows.push_back(-1);
      continue;
    }
    for (int64_t r : matches) {
      lrows.push_back(l), rrows.push_back(r);
      if (keep_right) right_matched[static_cast<size_t>(r)] = true;
    }
  }
  // Right rows nothing matched come last, in file order (right, full).
  for (int64_t r = 0; keep_right && r < right.num_rows; ++r) {
    if (!right_matched[static_cast<size_t>(r)]) lrows.push_back(-1), rrows.push_back(r);
  }
  const bool left_missing = std::find(lrows.begin(), lrows.end(), -1) != lrows.end();
  // Every left row exactly once, in order (a lookup that always matches):
  // the left columns as they are.
  bool identity = static_cast<int64_t>(lrows.size()) == left.num_rows;
  for (size_t i = 0; identity && i < lrows.size(); ++i) identity = lrows[i] == static_cast<int64_t>(i);
  *out = Block{};
  out->num_rows = static_cast<int64_t>(lrows.size());
  for (size_t c = 0; c < left.columns.size(); ++c) {
    Column col = identity ? left.columns[c] : GatherOrNull(left.columns[c], lrows, left_missing);
    const auto k = std::find(left_keys.begin(), left_keys.end(), left.names[c]);
    if (left_missing && k != left_keys.end()) {
      // A key column of a right-only row takes the right side's key.
      const Column& rkey = *rk[static_cast<size_t>(k - left_keys.begin())];
      Column merged = Column::OfType(col.type == Type::kNull ? rkey.type : col.type);
      for (size_t i = 0; i < lrows.size(); ++i) {
        if (lrows[i] < 0) merged.AppendFrom(rkey, rrows[i]);
        else merged.AppendFrom(col, static_cast<int64_t>(i));
      }
      col = std::move(merged);
    }
    out->Add(left.names[c], std::move(col));
  }
  if (how == "semi" || how == "anti") return OkStatus();
  const bool right_missing = std::find(rrows.begin(), rrows.end(), -1) != rrows.end();
  for (size_t c = 0; c < right.columns.size(); ++c) {
    const std::string& name = right.names[c];
    if (std::find(right_keys.begin(), right_keys.end(), name) != right_keys.end()) continue;
    out->Add(out->Find(name) >= 0 ? name + "_right" : name, GatherOrNull(right.columns[c], rrows, right_missing));
  }
  return OkStatus();
}

}  // namespace strata::data
