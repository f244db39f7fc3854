#include "data/timestamp.h"

#include <chrono>
#include <cstdio>

namespace strata::data {

namespace {

// Reads exactly `n` digits at `*p`.
bool Digits(std::string_view s, size_t* p, int n, int64_t* out) {
  if (*p + static_cast<size_t>(n) > s.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[(*p)++];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && ((a < 0) != (b < 0))); }

}  // namespace

bool ParseTimestamp(std::string_view s, int64_t* micros) {
  using namespace std::chrono;
  size_t p = 0;
  int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
  if (!Digits(s, &p, 4, &y) || p >= s.size() || s[p++] != '-' || !Digits(s, &p, 2, &mo) ||
      p >= s.size() || s[p++] != '-' || !Digits(s, &p, 2, &d)) {
    return false;
  }
  const year_month_day ymd{year(static_cast<int>(y)), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return false;
  if (p < s.size() && (s[p] == ' ' || s[p] == 'T')) {
    ++p;
    if (!Digits(s, &p, 2, &h) || p >= s.size() || s[p++] != ':' || !Digits(s, &p, 2, &mi)) return false;
    if (p < s.size() && s[p] == ':') {
      ++p;
      if (!Digits(s, &p, 2, &sec)) return false;
      if (p < s.size() && s[p] == '.') {
        ++p;
        int n = 0;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          if (n < 6) frac = frac * 10 + (s[p] - '0');
          ++n;
          ++p;
        }
        if (n == 0) return false;
        for (int k = n; k < 6; ++k) frac *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
  }
  int64_t offset_minutes = 0;
  if (p < s.size() && s[p] == 'Z') {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-') && p > 10) {
    const int sign = s[p++] == '-' ? -1 : 1;
    int64_t oh, om = 0;
    if (!Digits(s, &p, 2, &oh)) return false;
    if (p < s.size() && s[p] == ':') ++p;
    if (p < s.size() && !Digits(s, &p, 2, &om)) return false;
    offset_minutes = sign * (oh * 60 + om);
  }
  if (p != s.size()) return false;
  const int64_t days = sys_days(ymd).time_since_epoch().count();
  *micros = days * kMicrosPerDay + ((h * 60 + mi - offset_minutes) * 60 + sec) * 1'000'000 + frac;
  return true;
}

DateParts PartsOf(int64_t micros) {
  using namespace std::chrono;
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const int64_t in_day = micros - days * kMicrosPerDay;
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  const int64_t secs = in_day / 1'000'000;
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()), secs / 3600, secs / 60 % 60, secs % 60};
}

std::string FormatTimestamp(int64_t micros) {
  const DateParts t = PartsOf(micros);
  const int64_t frac = micros - FloorDiv(micros, 1'000'000) * 1'000'000;
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
                        static_cast<long long>(t.year), static_cast<long long>(t.month),
                        static_cast<long long>(t.day), static_cast<long long>(t.hour),
                        static_cast<long long>(t.minute), static_cast<long long>(t.second));
  if (frac != 0) {
    int digits = 6;
    int64_t f = frac;
    while (f % 10 == 0) {
      f /= 10;
      --digits;
    }
    n += std::snprintf(buf + n, sizeof(buf) - static_cast<size_t>(n), ".%0*lld", digits,
                       static_cast<long long>(f));
  }
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace strata::data
