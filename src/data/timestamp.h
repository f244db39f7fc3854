// Timestamps: microseconds since 1970-01-01 00:00:00 UTC. Text in and out is
// ISO 8601 without a zone ("2024-03-10 08:00:37", "2024-03-10T08:00:37.25Z",
// or a date alone, which is midnight); a trailing Z or +00:00 is accepted,
// other offsets are converted to UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::data {

bool ParseTimestamp(std::string_view text, int64_t* micros);
// "YYYY-MM-DD HH:MM:SS", with ".ffffff" (trailing zeros dropped) when needed.
std::string FormatTimestamp(int64_t micros);

struct DateParts {
  int64_t year, month, day, hour, minute, second;
};
DateParts PartsOf(int64_t micros);

constexpr int64_t kMicrosPerDay = 86'400'000'000;

}  // namespace strata::data
