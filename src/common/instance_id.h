// A machine as its provider names it ("i-0abc..." on EC2, "local-worker-1a2b"
// for the local provider). A type of its own: a node id, a node type or a
// file name cannot be passed where an instance is meant.
#pragma once

#include <compare>
#include <string>

#include "strata/serialization.h"

namespace strata {

struct InstanceId {
  std::string value;
  bool empty() const { return value.empty(); }
  friend bool operator==(const InstanceId&, const InstanceId&) = default;
  friend auto operator<=>(const InstanceId&, const InstanceId&) = default;
  MSGPACK_DEFINE(value);
};

}  // namespace strata
