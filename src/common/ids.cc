#include "strata/internal/ids.h"

#include <atomic>
#include <cstdio>
#include <random>

namespace strata::internal {

uint64_t ProcessIdPrefix() {
  // Random per process; never zero so that no generated id is Nil.
  static const uint64_t prefix = [] {
    std::random_device rd;
    uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    return v == 0 ? 1 : v;
  }();
  return prefix;
}

uint64_t NextIdCounter() {
  static std::atomic<uint64_t> counter{1};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

std::string IdHex(uint64_t hi, uint64_t lo) {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return std::string(buf, 32);
}

bool ParseIdHex(const std::string& hex, uint64_t* hi, uint64_t* lo) {
  if (hex.size() != 32) return false;
  uint64_t parts[2] = {0, 0};
  for (size_t i = 0; i < 32; ++i) {
    const char c = hex[i];
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    parts[i / 16] = (parts[i / 16] << 4) | static_cast<uint64_t>(d);
  }
  *hi = parts[0];
  *lo = parts[1];
  return true;
}

}  // namespace strata::internal
