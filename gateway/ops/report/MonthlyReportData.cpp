#include "gateway/ops/report/MonthlyReportData.h"

#include <cstdio>

namespace huitong::ops::report {
namespace {

constexpr EpochMillis kDayMillis = 86400000;
constexpr EpochMillis kChinaOffsetMillis = 8 * 3600000;

}  // namespace

std::optional<double> SystemRejects::rate() const {
  if (records <= 0)
    return std::nullopt;
  return static_cast<double>(rejected) / static_cast<double>(records);
}

std::string MonthlyReportData::monthText() const {
  return report::monthText(year, month);
}

std::optional<MonthArg> parseMonth(const std::string& text) {
  if (text.size() != 7 || text[4] != '-')
    return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (i != 4 && (text[i] < '0' || text[i] > '9'))
      return std::nullopt;
  MonthArg m;
  m.year = std::stoi(text.substr(0, 4));
  m.month = std::stoi(text.substr(5, 2));
  if (m.year < 1970 || m.month < 1 || m.month > 12)
    return std::nullopt;
  return m;
}

EpochMillis monthStart(int year, int month) {
  return daysFromCivil(year, static_cast<unsigned>(month), 1) * kDayMillis - kChinaOffsetMillis;
}

EpochMillis monthEnd(int year, int month) {
  return month == 12 ? monthStart(year + 1, 1) : monthStart(year, month + 1);
}

std::string monthText(int year, int month) {
  char b[16];
  std::snprintf(b, sizeof b, "%04d-%02d", year, month);
  return b;
}

}  // namespace huitong::ops::report
