#include "strata/internal/ids.h"

#include <atomic>
#include <cstdio>
#include <random>

namespace strata::internal {

namespace {
constexpr uint64_t kRandomBits = (uint64_t{1} << 48) - 1;

uint64_t RandomPart() {
  static const uint64_t random = [] {
    std::random_device rd;
    uint64_t v = ((static_cast<uint64_t>(rd()) << 32) ^ rd()) & kRandomBits;
    return v == 0 ? 1 : v;  // never zero, so no generated id is Nil
  }();
  return random;
}

std::atomic<uint64_t> prefix{0};
}  // namespace

uint64_t ProcessIdPrefix() {
  uint64_t p = prefix.load(std::memory_order_relaxed);
  if (p == 0) {
    p = RandomPart();  // node 0 until told otherwise
    prefix.store(p, std::memory_order_relaxed);
  }
  return p;
}

void SetIdNodeIndex(NodeIndex node_index) {
  prefix.store((static_cast<uint64_t>(IndexNumber(node_index) & 0xffff) << 48) | RandomPart(),
               std::memory_order_relaxed);
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
