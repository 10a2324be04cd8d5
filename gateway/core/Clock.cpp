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
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d%c%02d:%02d", y, mo, d, hh, mi,
                  ss, ms, sign, off / 60, off % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, mo, d, hh, mi, ss,
                  sign, off / 60, off % 60);
  }
  return buf;
}

}  // namespace huitong
