#include "gateway/core/Clock.h"

#include <cstdio>

namespace huitong {
namespace {

// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm): no time-zone database,
// no locale, thread-safe.
void civilFromDays(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

}  // namespace

std::int64_t daysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned daysInMonth(int y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::string formatRfc3339(EpochMillis t, int offsetMinutes) {
  const EpochMillis local = t + static_cast<EpochMillis>(offsetMinutes) * 60000;
  std::int64_t days = local / 86400000;
  std::int64_t msOfDay = local % 86400000;
  if (msOfDay < 0) {
    msOfDay += 86400000;
    --days;
  }
  int y;
  unsigned mo, d;
  civilFromDays(days, y, mo, d);
  const int hh = static_cast<int>(msOfDay / 3600000);
  const int mi = static_cast<int>(msOfDay / 60000 % 60);
  const int ss = static_cast<int>(msOfDay / 1000 % 60);
  const int ms = static_cast<int>(msOfDay % 1000);
  const char sign = offsetMinutes < 0 ? '-' : '+';
  const int off = offsetMinutes < 0 ? -offsetMinutes : offsetMinutes;
  char buf[48];
  if (ms != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d%c%02d:%02d", y, mo, d, hh,
                  mi, ss, ms, sign, off / 60, off % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, mo, d, hh, mi, ss,
                  sign, off / 60, off % 60);
  }
  return buf;
}

bool parseRfc3339(std::string_view s, std::int64_t& epochMillis) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM)
  auto num = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size())
      return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9')
        return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || !num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' ||
      !num(8, 2, d) || (s[10] != 'T' && s[10] != 't') || !num(11, 2, h) || s[13] != ':' ||
      !num(14, 2, mi) || s[16] != ':' || !num(17, 2, sec)) {
    return false;
  }
  std::size_t i = 19;
  int ms = 0;
  if (s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 3)
        ms = ms * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0)
      return false;
    for (int k = n; k < 3; ++k)
      ms *= 10;
  }
  int offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!num(i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !num(i + 4, 2, om))
      return false;
    offset = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size() || mo < 1 || mo > 12 || d < 1 ||
      static_cast<unsigned>(d) > daysInMonth(y, static_cast<unsigned>(mo)) || h > 23 || mi > 59 ||
      sec > 60) {
    return false;
  }
  epochMillis = (daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                 h * 3600 + mi * 60 + sec) *
                    1000 +
                ms - static_cast<std::int64_t>(offset) * 60000;
  return true;
}

}  // namespace huitong
