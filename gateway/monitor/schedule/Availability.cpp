#include "gateway/monitor/schedule/Availability.h"

#include <algorithm>
#include <cstdio>

#include "gateway/monitor/schedule/Schedule.h"

namespace huitong::monitor::schedule {
namespace {

constexpr std::int64_t kDayMillis = 86400000;
constexpr std::int64_t kChinaOffsetMillis = 8 * 3600000;

EpochMillis chinaMidnight(Day d) {
  return d * kDayMillis - kChinaOffsetMillis;
}

}  // namespace

Result<AvailabilityFigure> availability(ResultsStore& store, const std::string& checkId,
                                        const Cadence& cadence, const WorkCalendar& calendar,
                                        EpochMillis from, EpochMillis to) {
  AvailabilityFigure f;
  f.from = from;
  f.to = to;
  // Slots before the check's first kept run are not its downtime: it did not exist yet (or
  // was not configured on this gateway).
  auto first = store.firstRun(checkId);
  if (!first.ok())
    return first.error();
  const EpochMillis start = first.value() == 0 ? to : std::max(from, first.value());
  f.scheduled = start < to ? scheduledSlots(checkId, cadence, calendar, start, to) : 0;
  auto c = store.counts(checkId, from, to);
  if (!c.ok())
    return c.error();
  f.runs = c.value().runs;
  f.okRuns = c.value().okRuns;
  const std::int64_t denominator = std::max(f.scheduled, f.runs);
  if (denominator > 0)
    f.ratio = static_cast<double>(f.okRuns) / static_cast<double>(denominator);
  return f;
}

Result<MonthAvailability> monthAvailability(ResultsStore& store, const std::string& checkId,
                                            const Cadence& cadence, const WorkCalendar& calendar,
                                            int year, unsigned month, EpochMillis now) {
  if (month < 1 || month > 12)
    return Error{"monitor.month", "month is 1..12", ""};
  MonthAvailability out;
  const Day first = daysFromCivil(year, month, 1);
  const Day end = first + daysInMonth(year, month);
  for (Day d = first; d < end; ++d) {
    const EpochMillis from = chinaMidnight(d);
    if (from >= now)
      break;
    auto f =
        availability(store, checkId, cadence, calendar, from, std::min(now, chinaMidnight(d + 1)));
    if (!f.ok())
      return f.error();
    f.value().period = formatDate(d);
    out.days.push_back(std::move(f).value());
  }
  AvailabilityFigure& m = out.month;
  char period[16];
  std::snprintf(period, sizeof period, "%04d-%02u", year, month);
  m.period = period;
  m.from = chinaMidnight(first);
  m.to = std::min(now, chinaMidnight(end));
  for (const auto& d : out.days) {
    m.scheduled += d.scheduled;
    m.runs += d.runs;
    m.okRuns += d.okRuns;
  }
  // The month's denominator is the sum of the days' (each day's missed runs count as down).
  std::int64_t denominator = 0;
  for (const auto& d : out.days)
    denominator += std::max(d.scheduled, d.runs);
  if (denominator > 0)
    m.ratio = static_cast<double>(m.okRuns) / static_cast<double>(denominator);
  return out;
}

}  // namespace huitong::monitor::schedule
