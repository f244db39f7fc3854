#include "ml/categories.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

namespace strata::ml {

using data::Column;
using data::Type;

bool CountValues(const Column& c, int64_t rows, ValueCounts* counts) {
  const int64_t n = rows;
  if (data::IsBytes(c.type)) {
    std::unordered_map<std::string_view, int64_t> local;
    for (int64_t r = 0; r < n; ++r) {
      if (c.IsNull(r)) {
        ++counts->missing;
      } else {
        ++local[c.Str(r)];
      }
    }
    for (const auto& [v, k] : local) counts->strings[std::string(v)] += k;
    return true;
  }
  if (c.type == Type::kNull) {
    counts->missing += n;
    return true;
  }
  if (c.type != Type::kInt64 && c.type != Type::kDouble && c.type != Type::kBool) return false;
  std::unordered_map<double, int64_t> local;
  for (int64_t r = 0; r < n; ++r) {
    const double x = c.IsNull(r) ? NAN : c.AsDouble(r);
    if (std::isnan(x)) {
      ++counts->missing;
    } else {
      ++local[x == 0 ? 0.0 : x];  // -0.0 and 0.0 are one category
    }
  }
  for (const auto& [v, k] : local) counts->numbers[v] += k;
  return true;
}

std::string PythonFloat(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

Categories Categories::From(const ValueCounts& counts, int64_t max_categories) {
  Categories c;
  c.is_string_ = !counts.strings.empty();
  // Sorted, missing last: positions 0..k-1, with their counts.
  std::vector<int64_t> freq;
  for (const auto& [v, k] : counts.numbers) {
    c.numbers_.push_back(v);
    freq.push_back(k);
  }
  for (const auto& [v, k] : counts.strings) {
    c.strings_.push_back(v);
    freq.push_back(k);
  }
  c.has_missing_ = counts.missing > 0;
  if (c.has_missing_) freq.push_back(counts.missing);
  if (max_categories <= 0 || static_cast<int64_t>(freq.size()) <= max_categories) return c;
  // scikit-learn's _identify_infrequent: a stable sort by count; the last
  // max_categories - 1 are frequent.
  std::vector<size_t> order(freq.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return freq[a] < freq[b]; });
  std::vector<bool> frequent(freq.size(), false);
  for (size_t k = order.size() - static_cast<size_t>(max_categories - 1); k < order.size(); ++k) {
    frequent[order[k]] = true;
  }
  Categories kept;
  kept.is_string_ = c.is_string_;
  kept.has_infrequent_ = true;
  const size_t values = c.is_string_ ? c.strings_.size() : c.numbers_.size();
  for (size_t i = 0; i < values; ++i) {
    if (c.is_string_) {
      (frequent[i] ? kept.strings_ : kept.infrequent_strings_).push_back(c.strings_[i]);
    } else {
      (frequent[i] ? kept.numbers_ : kept.infrequent_numbers_).push_back(c.numbers_[i]);
    }
  }
  if (c.has_missing_) {
    kept.has_missing_ = frequent[values];
    kept.infrequent_missing_ = !frequent[values];
  }
  return kept;
}

std::string Categories::Name(size_t i) const {
  const size_t values = is_string_ ? strings_.size() : numbers_.size();
  if (i >= values) return "nan";
  return is_string_ ? strings_[i] : PythonFloat(numbers_[i]);
}

void Categories::AppendValue(size_t i, Column* out) const {
  const size_t values = is_string_ ? strings_.size() : numbers_.size();
  if (i >= values) {
    out->AppendNull();
  } else if (is_string_) {
    out->AppendString(strings_[i]);
  } else {
    out->AppendDouble(numbers_[i]);
  }
}

Categories::Index::Index(const Categories& cats) : cats_(cats) {
  for (size_t i = 0; i < cats.numbers_.size(); ++i) numbers_[cats.numbers_[i]] = static_cast<int64_t>(i);
  for (size_t i = 0; i < cats.strings_.size(); ++i) strings_[cats.strings_[i]] = static_cast<int64_t>(i);
  for (double v : cats.infrequent_numbers_) numbers_[v] = -2;
  for (const std::string& v : cats.infrequent_strings_) strings_[v] = -2;
}

int64_t Categories::Index::Find(const Column& c, int64_t r) const {
  const bool missing = c.IsNull(r) || (c.type == Type::kDouble && std::isnan(c.f64[static_cast<size_t>(r)]));
  if (missing) {
    if (cats_.has_missing_) return static_cast<int64_t>(cats_.is_string_ ? cats_.strings_.size() : cats_.numbers_.size());
    return cats_.infrequent_missing_ ? -2 : -1;
  }
  if (data::IsBytes(c.type)) {
    auto it = strings_.find(c.Str(r));
    return it == strings_.end() ? -1 : it->second;
  }
  const double x = c.AsDouble(r);
  auto it = numbers_.find(x == 0 ? 0.0 : x);
  return it == numbers_.end() ? -1 : it->second;
}

nlohmann::json Categories::Save() const {
  nlohmann::json j;
  if (is_string_) {
    j["strings"] = strings_;
  } else {
    j["numbers"] = numbers_;
  }
  j["missing"] = has_missing_;
  if (has_infrequent_) {
    j["infrequent"] = is_string_ ? nlohmann::json(infrequent_strings_) : nlohmann::json(infrequent_numbers_);
    j["infrequent_missing"] = infrequent_missing_;
  }
  return j;
}

void Categories::Load(const nlohmann::json& j) {
  is_string_ = j.contains("strings");
  if (is_string_) {
    strings_ = j["strings"].get<std::vector<std::string>>();
  } else {
    numbers_ = j.value("numbers", std::vector<double>());
  }
  has_missing_ = j.value("missing", false);
  has_infrequent_ = j.contains("infrequent");
  if (has_infrequent_) {
    if (is_string_) {
      infrequent_strings_ = j["infrequent"].get<std::vector<std::string>>();
    } else {
      infrequent_numbers_ = j["infrequent"].get<std::vector<double>>();
    }
    infrequent_missing_ = j.value("infrequent_missing", false);
  }
}

}  // namespace strata::ml
