// Resource quantities ("CPU", "memory", custom badges such as "intel").
//
// Amounts are fixed-point (1/10000 of a unit) so that adding and subtracting
// fractional CPUs never drifts the way doubles would. A ResourceSet is a small
// sorted vector: nodes have a handful of resource kinds, and tasks one or two.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "strata/serialization.h"

namespace strata {

constexpr int64_t kResourceUnit = 10000;

class ResourceSet {
 public:
  using Entries = std::vector<std::pair<std::string, int64_t>>;

  ResourceSet() = default;
  static ResourceSet FromDoubles(const std::map<std::string, double>& amounts);
  static ResourceSet FromEntries(Entries e);

  // Sets an amount in whole units (1.5 CPU = 1.5). Zero removes the entry.
  void Set(const std::string& name, double amount);
  double Get(const std::string& name) const;
  int64_t GetFixed(const std::string& name) const;

  // True if every amount here is <= the same amount in `other`.
  bool FitsIn(const ResourceSet& other) const;
  void Add(const ResourceSet& other);
  void Subtract(const ResourceSet& other);
  bool empty() const { return entries_.empty(); }

  const Entries& entries() const { return entries_; }
  std::map<std::string, double> ToDoubles() const;
  // {CPU: 1, intel: 1}: for messages and status.
  std::string ToString() const;

  friend bool operator==(const ResourceSet& a, const ResourceSet& b) {
    return a.entries_ == b.entries_;
  }
  friend bool operator!=(const ResourceSet& a, const ResourceSet& b) { return !(a == b); }
  friend bool operator<(const ResourceSet& a, const ResourceSet& b) {
    return a.entries_ < b.entries_;
  }

  MSGPACK_DEFINE(entries_);

 private:
  Entries entries_;  // sorted by name, no zero amounts
};

}  // namespace strata
