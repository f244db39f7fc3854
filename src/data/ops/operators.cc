// Group-by (partial per block, merged after) and dedup.
#include "data/ops/operators.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "data/ops/row_keys.h"

namespace strata::data {

Status ParseAgg(const std::string& out, const std::string& text, AggSpec* spec) {
  const size_t open = text.find('('), close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return InvalidArgument("aggregation '" + text +
                           "' must look like fn(column): count(), sum(x), mean(x), min(x), max(x)");
  }
  auto trim = [](std::string s) {
    const size_t b = s.find_first_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, s.find_last_not_of(' ') - b + 1);
  };
  spec->out = out;
  spec->fn = trim(text.substr(0, open));
  std::transform(spec->fn.begin(), spec->fn.end(), spec->fn.begin(), ::tolower);
  if (spec->fn == "avg") spec->fn = "mean";
  if (spec->fn == "stddev") spec->fn = "std";
  spec->column = trim(text.substr(open + 1, close - open - 1));
  if (spec->fn == "count" && spec->column == "*") spec->column.clear();
  if (spec->fn != "count" && spec->fn != "sum" && spec->fn != "mean" && spec->fn != "min" &&
      spec->fn != "max" && spec->fn != "std" && spec->fn != "count_distinct") {
    return InvalidArgument("unknown aggregation '" + spec->fn + "' in '" + text +
                           "' (count, sum, mean, min, max, std, count_distinct)");
  }
  if (spec->fn != "count" && spec->column.empty()) {
    return InvalidArgument(spec->fn + "() needs a column: " + spec->fn + "(x)");
  }
  return OkStatus();
}

// Per group, per aggregation: enough to finish count, sum, mean, min, max and
// to merge two partial results.
struct Acc {
  int64_t count = 0;  // non-null values (rows for count())
  int64_t isum = 0;
  double dsum = 0;
  double sumsq = 0;                      // std
  std::unordered_set<std::string> distinct;  // count_distinct (whole groups only, never partial)
  bool has = false;  // a min/max value is set
  double dmin = 0, dmax = 0;
  int64_t imin = 0, imax = 0;
  std::string smin, smax;
};

// Looks strings up by string_view, without making a std::string per row.
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct GroupBy::State {
  std::unordered_map<std::string, size_t> index;
  // One int64 or one text key column (the common cases) skip building key
  // bytes.
  std::unordered_map<int64_t, size_t> int_index;
  std::unordered_map<std::string, size_t, TextHash, std::equal_to<>> text_index;
  std::string scratch_key;
  Block key_rows;                 // one row per group: its key values
  std::vector<std::vector<Acc>> accs;  // [group][agg]
  std::vector<Type> input_types;  // per agg: the type of its column
};

GroupBy::GroupBy(std::vector<std::string> keys, std::vector<AggSpec> aggs)
    : keys_(std::move(keys)), aggs_(std::move(aggs)), state_(std::make_unique<State>()) {
  state_->input_types.assign(aggs_.size(), Type::kNull);
}
GroupBy::~GroupBy() = default;
size_t GroupBy::num_groups() const { return state_->accs.size(); }

size_t GroupBy::GroupOf(const std::vector<const Column*>& keys, int64_t r) {
  State& s = *state_;
  size_t group = 0;
  bool fresh = false;
  if (keys.size() == 1 && keys[0]->type == Type::kInt64 && !keys[0]->IsNull(r)) {
    auto [it, inserted] = s.int_index.emplace(keys[0]->i64[r], s.accs.size());
    group = it->second;
    fresh = inserted;
  } else if (keys.size() == 1 && keys[0]->type == Type::kString && !keys[0]->IsNull(r)) {
    const std::string_view v = keys[0]->Str(r);
    auto it = s.text_index.find(v);
    fresh = it == s.text_index.end();
    if (fresh) it = s.text_index.emplace(std::string(v), s.accs.size()).first;
    group = it->second;
  } else {
    KeyOf(keys, r, &s.scratch_key);
    auto [it, inserted] = s.index.emplace(s.scratch_key, s.accs.size());
    group = it->second;
    fresh = inserted;
  }
  if (fresh) {
    for (size_t k = 0; k < keys.size(); ++k) s.key_rows.columns[k].AppendFrom(*keys[k], r);
    ++s.key_rows.num_rows;
    s.accs.emplace_back(aggs_.size());
  }
  return group;
}

Status GroupBy::Add(const Block& rows) {
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> keys, Resolve(rows, keys_, "groupby"));
  std::vector<const Column*> inputs(aggs_.size(), nullptr);
  for (size_t a = 0; a < aggs_.size(); ++a) {
    if (aggs_[a].column.empty()) continue;
    inputs[a] = rows.Get(aggs_[a].column);
    if (inputs[a] == nullptr) return Resolve(rows, {aggs_[a].column}, "groupby aggregation").status();
    const Type t = inputs[a]->type;
    if (t == Type::kList && aggs_[a].fn != "count" && aggs_[a].fn != "count_distinct") {
      return InvalidArgument(aggs_[a].fn + "(" + aggs_[a].column +
                             "): the column holds lists (count and count_distinct work on them)");
    }
    if ((aggs_[a].fn == "sum" || aggs_[a].fn == "mean" || aggs_[a].fn == "std") &&
        (IsBytes(t) || t == Type::kTimestamp)) {
      return InvalidArgument(aggs_[a].fn + "(" + aggs_[a].column + "): the column is " +
                             (t == Type::kTimestamp ? "timestamps" : TypeName(t)) + ", not numbers");
    }
    if (state_->input_types[a] == Type::kNull || (state_->input_types[a] == Type::kInt64 && t == Type::kDouble)) {
      state_->input_types[a] = t;
    }
  }
  State& s = *state_;
  if (s.key_rows.columns.empty()) {
    for (size_t k = 0; k < keys_.size(); ++k) s.key_rows.Add(keys_[k], Column::OfType(keys[k]->type));
  }
  for (int64_t r = 0; r < rows.num_rows; ++r) {
    std::vector<Acc>& g = s.accs[GroupOf(keys, r)];
    for (size_t a = 0; a < aggs_.size(); ++a) {
      Acc& acc = g[a];
      const Column* c = inputs[a];
      if (c == nullptr) {  // count()
        ++acc.count;
        continue;
      }
      if (c->IsNull(r)) continue;
      ++acc.count;
      if (aggs_[a].fn == "count_distinct") {
        std::string k;
        KeyOf({c}, r, &k);
        acc.distinct.insert(std::move(k));
        continue;
      }
      if (!IsBytes(c->type)) {
        const double v = c->AsDouble(r);
        acc.sumsq += v * v;
      }
      if (IsBytes(c->type)) {
        const std::string_view v = c->Str(r);
        if (!acc.has || v < acc.smin) acc.smin = v;
        if (!acc.has || v > acc.smax) acc.smax = v;
      } else if (IsI64(c->type)) {
        const int64_t v = c->i64[r];
        acc.isum += v;
        acc.dsum += static_cast<double>(v);
        if (!acc.has || v < acc.imin) acc.imin = v;
        if (!acc.has || v > acc.imax) acc.imax = v;
        if (!acc.has || v < acc.dmin) acc.dmin = static_cast<double>(v);
        if (!acc.has || v > acc.dmax) acc.dmax = static_cast<double>(v);
      } else {
        const double v = c->AsDouble(r);
        acc.dsum += v;
        if (!acc.has || v < acc.dmin) acc.dmin = v;
        if (!acc.has || v > acc.dmax) acc.dmax = v;
      }
      acc.has = true;
    }
  }
  return OkStatus();
}

Block GroupBy::Partial() const {
  Block out = state_->key_rows;
  for (size_t a = 0; a < aggs_.size(); ++a) {
    const std::string p = aggs_[a].out + "#";
    Column count = Column::OfType(Type::kInt64), isum = Column::OfType(Type::kInt64),
           dsum = Column::OfType(Type::kDouble), sumsq = Column::OfType(Type::kDouble),
           type = Column::OfType(Type::kInt64),
           dmin = Column::OfType(Type::kDouble), dmax = Column::OfType(Type::kDouble),
           imin = Column::OfType(Type::kInt64), imax = Column::OfType(Type::kInt64),
           smin = Column::OfType(Type::kString), smax = Column::OfType(Type::kString);
    for (const auto& g : state_->accs) {
      const Acc& acc = g[a];
      count.AppendInt(acc.count);
      isum.AppendInt(acc.isum);
      dsum.AppendDouble(acc.dsum);
      sumsq.AppendDouble(acc.sumsq);
      type.AppendInt(static_cast<int64_t>(state_->input_types[a]));
      if (acc.has) {
        dmin.AppendDouble(acc.dmin), dmax.AppendDouble(acc.dmax);
        imin.AppendInt(acc.imin), imax.AppendInt(acc.imax);
        smin.AppendString(acc.smin), smax.AppendString(acc.smax);
      } else {
        dmin.AppendNull(), dmax.AppendNull(), imin.AppendNull(), imax.AppendNull();
        smin.AppendNull(), smax.AppendNull();
      }
    }
    out.Add(p + "count", std::move(count));
    out.Add(p + "isum", std::move(isum));
    out.Add(p + "dsum", std::move(dsum));
    out.Add(p + "sumsq", std::move(sumsq));
    out.Add(p + "type", std::move(type));
    out.Add(p + "dmin", std::move(dmin));
    out.Add(p + "dmax", std::move(dmax));
    out.Add(p + "imin", std::move(imin));
    out.Add(p + "imax", std::move(imax));
    out.Add(p + "smin", std::move(smin));
    out.Add(p + "smax", std::move(smax));
  }
  return out;
}

Status GroupBy::AddPartial(const Block& partial) {
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> keys, Resolve(partial, keys_, "groupby merge"));
  State& s = *state_;
  if (s.key_rows.columns.empty()) {
    for (size_t k = 0; k < keys_.size(); ++k) s.key_rows.Add(keys_[k], Column::OfType(keys[k]->type));
  } else {
    // A key column that was all null in one part takes its type from another.
    for (size_t k = 0; k < keys_.size(); ++k) {
      Column& have = s.key_rows.columns[k];
      if (have.type == Type::kNull && keys[k]->type != Type::kNull) {
        Column typed = Column::OfType(keys[k]->type);
        for (int64_t r = 0; r < have.length; ++r) typed.AppendNull();
        have = std::move(typed);
      }
    }
  }
  std::vector<std::vector<const Column*>> cols(aggs_.size());
  static const char* kParts[] = {"count", "isum", "dsum", "type", "dmin", "dmax", "imin", "imax", "smin", "smax", "sumsq"};
  for (size_t a = 0; a < aggs_.size(); ++a) {
    for (const char* part : kParts) {
      const Column* c = partial.Get(aggs_[a].out + "#" + part);
      if (c == nullptr) {
        return InvalidArgument("groupby merge: a partial result lacks " + aggs_[a].out + "#" + part);
      }
      cols[a].push_back(c);
    }
    if (partial.num_rows > 0) {
      const Type t = static_cast<Type>(cols[a][3]->i64[0]);
      if (s.input_types[a] == Type::kNull || (s.input_types[a] == Type::kInt64 && t == Type::kDouble)) {
        s.input_types[a] = t;
      }
    }
  }
  for (int64_t r = 0; r < partial.num_rows; ++r) {
    const size_t group = GroupOf(keys, r);
    for (size_t a = 0; a < aggs_.size(); ++a) {
      Acc& acc = s.accs[group][a];
      const auto& c = cols[a];
      acc.count += c[0]->i64[r];
      acc.isum += c[1]->i64[r];
      acc.dsum += c[2]->f64[r];
      acc.sumsq += c[10]->f64[r];
      if (c[4]->IsNull(r)) continue;
      const double dmin = c[4]->f64[r], dmax = c[5]->f64[r];
      const int64_t imin = c[6]->i64[r], imax = c[7]->i64[r];
      const std::string_view smin = c[8]->Str(r), smax = c[9]->Str(r);
      if (!acc.has || dmin < acc.dmin) acc.dmin = dmin;
      if (!acc.has || dmax > acc.dmax) acc.dmax = dmax;
      if (!acc.has || imin < acc.imin) acc.imin = imin;
      if (!acc.has || imax > acc.imax) acc.imax = imax;
      if (!acc.has || smin < acc.smin) acc.smin = smin;
      if (!acc.has || smax > acc.smax) acc.smax = smax;
      acc.has = true;
    }
  }
  return OkStatus();
}

Block GroupBy::Result() const {
  Block out = state_->key_rows;
  if (keys_.empty() && out.num_rows == 0) {
    // A global aggregate over no rows is still one row (count 0, others null).
    out.num_rows = 1;
    Block one;
    one.num_rows = 1;
    for (const AggSpec& a : aggs_) {
      const bool counts = a.fn == "count" || a.fn == "count_distinct";
      Column c = Column::OfType(counts ? Type::kInt64 : Type::kDouble);
      if (counts) c.AppendInt(0);
      else c.AppendNull();
      one.Add(a.out, std::move(c));
    }
    return one;
  }
  for (size_t a = 0; a < aggs_.size(); ++a) {
    const AggSpec& spec = aggs_[a];
    const Type in = state_->input_types[a];
    Type t = Type::kDouble;
    if (spec.fn == "count" || spec.fn == "count_distinct") t = Type::kInt64;
    else if (spec.fn == "sum" && in == Type::kInt64) t = Type::kInt64;
    else if ((spec.fn == "min" || spec.fn == "max") && (IsI64(in) || IsBytes(in))) t = in;
    Column c = Column::OfType(t);
    for (const auto& g : state_->accs) {
      const Acc& acc = g[a];
      if (spec.fn == "count") {
        c.AppendInt(acc.count);
      } else if (spec.fn == "count_distinct") {
        c.AppendInt(static_cast<int64_t>(acc.distinct.size()));
      } else if (acc.count == 0) {
        c.AppendNull();
      } else if (spec.fn == "std") {
        // Sample standard deviation; one value has none.
        const double n = static_cast<double>(acc.count);
        if (acc.count < 2) {
          c.AppendNull();
        } else {
          c.AppendDouble(std::sqrt(std::max(0.0, (acc.sumsq - acc.dsum * acc.dsum / n) / (n - 1))));
        }
      } else if (spec.fn == "sum") {
        if (t == Type::kInt64) c.AppendInt(acc.isum);
        else c.AppendDouble(acc.dsum);
      } else if (spec.fn == "mean") {
        c.AppendDouble(acc.dsum / static_cast<double>(acc.count));
      } else {
        const bool is_min = spec.fn == "min";
        if (IsI64(t)) c.AppendInt(is_min ? acc.imin : acc.imax);
        else if (IsBytes(t)) c.AppendString(is_min ? acc.smin : acc.smax);
        else c.AppendDouble(is_min ? acc.dmin : acc.dmax);
      }
    }
    out.Add(spec.out, std::move(c));
  }
  return out;
}

Status Dedup(const Block& in, const std::vector<std::string>& columns, Block* out) {
  const std::vector<std::string>& names = columns.empty() ? in.names : columns;
  STRATA_ASSIGN_OR_RETURN(const std::vector<const Column*> cols, Resolve(in, names, "dedup"));
  std::unordered_set<std::string> seen;
  std::vector<int64_t> keep;
  std::string key;
  for (int64_t r = 0; r < in.num_rows; ++r) {
    KeyOf(cols, r, &key);
    if (seen.insert(key).second) keep.push_back(r);
  }
  *out = in.Take(keep);
  return OkStatus();
}

}  // namespace strata::data
