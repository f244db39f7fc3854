// An id that is text (a provider's instance id, a submitted job's id) as a
// type of its own per kind: one kind cannot be passed for another, nor any
// string for either. `value` is the text, for the edges (logs, paths, JSON).
#pragma once

#include <compare>
#include <string>

#include "strata/serialization.h"

namespace strata {

template <class Tag>
struct TextId {
  std::string value;
  bool empty() const { return value.empty(); }
  friend bool operator==(const TextId&, const TextId&) = default;
  friend auto operator<=>(const TextId&, const TextId&) = default;
  MSGPACK_DEFINE(value);
};

}  // namespace strata
