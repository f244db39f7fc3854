#include "common/resources.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace strata {

namespace {
int64_t ToFixed(double v) { return static_cast<int64_t>(std::llround(v * kResourceUnit)); }

std::string FormatAmount(int64_t fixed) {
  char buf[64];
  if (fixed % kResourceUnit == 0) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(fixed / kResourceUnit));
  } else {
    std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(fixed) / kResourceUnit);
  }
  return buf;
}
}  // namespace

ResourceSet ResourceSet::FromDoubles(const std::map<std::string, double>& amounts) {
  ResourceSet r;
  for (const auto& [name, v] : amounts) r.Set(name, v);
  return r;
}

ResourceSet ResourceSet::FromEntries(Entries e) {
  ResourceSet r;
  for (auto& [name, v] : e) {
    if (v != 0) r.entries_.emplace_back(std::move(name), v);
  }
  std::sort(r.entries_.begin(), r.entries_.end());
  return r;
}

void ResourceSet::Set(const std::string& name, double amount) {
  const int64_t fixed = ToFixed(amount);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const auto& e, const std::string& n) { return e.first < n; });
  if (it != entries_.end() && it->first == name) {
    if (fixed == 0) entries_.erase(it);
    else it->second = fixed;
  } else if (fixed != 0) {
    entries_.insert(it, {name, fixed});
  }
}

int64_t ResourceSet::GetFixed(const std::string& name) const {
  for (const auto& [n, v] : entries_) {
    if (n == name) return v;
  }
  return 0;
}

double ResourceSet::Get(const std::string& name) const {
  return static_cast<double>(GetFixed(name)) / kResourceUnit;
}

bool ResourceSet::FitsIn(const ResourceSet& other) const {
  for (const auto& [n, v] : entries_) {
    if (v > other.GetFixed(n)) return false;
  }
  return true;
}

void ResourceSet::Add(const ResourceSet& other) {
  Entries merged;
  merged.reserve(entries_.size() + other.entries_.size());
  auto a = entries_.begin();
  auto b = other.entries_.begin();
  while (a != entries_.end() || b != other.entries_.end()) {
    if (b == other.entries_.end() || (a != entries_.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == entries_.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      if (a->second + b->second != 0) merged.emplace_back(a->first, a->second + b->second);
      ++a;
      ++b;
    }
  }
  entries_ = std::move(merged);
}

void ResourceSet::Subtract(const ResourceSet& other) {
  ResourceSet negated;
  for (const auto& [n, v] : other.entries_) negated.entries_.emplace_back(n, -v);
  Add(negated);
}

std::map<std::string, double> ResourceSet::ToDoubles() const {
  std::map<std::string, double> out;
  for (const auto& [n, v] : entries_) out[n] = static_cast<double>(v) / kResourceUnit;
  return out;
}

std::string ResourceSet::ToString() const {
  std::string s = "{";
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i) s += ", ";
    s += entries_[i].first + ": " + FormatAmount(entries_[i].second);
  }
  return s + "}";
}

}  // namespace strata
