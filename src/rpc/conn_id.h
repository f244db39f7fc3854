// A connection of an event loop, by number. A type of its own: a node index,
// a pid or a count cannot be passed where a connection is meant, and "no
// connection" is spelled kNone rather than 0.
#pragma once

#include <cstdint>

#include <spdlog/fmt/fmt.h>

namespace strata::rpc {

enum class ConnId : uint64_t { kNone = 0 };

inline uint64_t ConnNumber(ConnId id) { return static_cast<uint64_t>(id); }

}  // namespace strata::rpc

// Logs show the number.
template <>
struct fmt::formatter<strata::rpc::ConnId> : fmt::formatter<uint64_t> {
  template <class Context>
  auto format(strata::rpc::ConnId id, Context& ctx) const {
    return fmt::formatter<uint64_t>::format(strata::rpc::ConnNumber(id), ctx);
  }
};
