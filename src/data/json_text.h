// JSON text of values, written straight into an output buffer: the JSON
// Lines writer's hot path (one call per cell, no temporary strings).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/swar.h"

namespace strata::data {

// `s` as a quoted JSON string, exactly as nlohmann::json's
// dump(-1, ' ', false, error_handler_t::replace) writes it: UTF-8 kept as
// is, `"` `\` and control characters escaped, bytes that are not UTF-8
// replaced by U+FFFD.
void AppendJsonString(std::string_view s, std::string* out);

// How many bytes at the start of `s` are ASCII (eight at a time). Inline:
// the text operators ask it of single words and lines.
inline size_t AsciiPrefix(std::string_view s) {
  size_t i = 0;
  while (i + 8 <= s.size() && swar::NonAscii(swar::Load(s.data() + i)) == 0) i += 8;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

// Strict UTF-8 (RFC 3629: no overlong forms, surrogates or code points past
// U+10FFFF), as nlohmann's decoder accepts it.
bool IsStrictUtf8(std::string_view s);

}  // namespace strata::data
