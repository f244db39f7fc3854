#include "data/json_text.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/swar.h"

namespace strata::data {

namespace {

// Bytes a JSON string cannot hold as they are.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

// Eight bytes at a time (common/swar.h): text is nearly all ASCII with few
// escapes, and a word none of whose bytes matters is skipped whole.
inline uint64_t Word(const unsigned char* p) { return swar::Load(reinterpret_cast<const char*>(p)); }
// A control character (below 0x20), '"' or '\\' may be among the eight bytes.
inline bool MayNeedEscape(uint64_t w) {
  return (swar::Below(w, 0x20) | swar::Equal(w, '"') | swar::Equal(w, '\\')) != 0;
}

}  // namespace

bool IsStrictUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      i += AsciiPrefix(s.substr(i));
      continue;
    }
    auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
      return i + k < n && p[i + k] >= lo && p[i + k] <= hi;
    };
    if (b >= 0xC2 && b <= 0xDF) {
      if (!cont(1)) return false;
      i += 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      const unsigned char lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
      if (!cont(1, lo, hi) || !cont(2)) return false;
      i += 3;
    } else if (b >= 0xF0 && b <= 0xF4) {
      const unsigned char lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
      if (!cont(1, lo, hi) || !cont(2) || !cont(3)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

void AppendJsonString(std::string_view s, std::string* out) {
  if (!IsStrictUtf8(s)) {
    // Rare: nlohmann's own rules for where a replacement goes.
    out->append(nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size(); ++i) {
    while (i + 8 <= s.size() && !MayNeedEscape(Word(p + i))) i += 8;
    if (i >= s.size()) break;
    const auto c = p[i];
    if (!kNeedsEscape[c]) continue;
    out->append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out->append(buf, 6);
      }
    }
  }
  out->append(s, run, s.size() - run);
  out->push_back('"');
}

}  // namespace strata::data
