// Availability of a check from its stored results: ok runs over the runs its schedule called for
// inside the schedule's hours (a 5x8 check's nights, weekends and holidays count for nothing). A
// missed run counts as down: the denominator is the larger of the scheduled slots and the runs
// recorded (a major event's extra runs raise both). Slots are counted from the check's first
// kept run (ResultsStore::firstRun): a check added mid-month is not charged for the days before
// it existed, and one never run has no figure. Days and months are China's (UTC+8). The
// monthly report calls monthAvailability.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/WorkCalendar.h"
#include "gateway/monitor/Check.h"
#include "gateway/monitor/schedule/ResultsStore.h"

namespace huitong::monitor::schedule {

struct AvailabilityFigure {
  std::string period;  // "2026-03-02" or "2026-03"
  EpochMillis from = 0, to = 0;
  std::int64_t scheduled = 0, runs = 0, okRuns = 0;
  // okRuns / max(scheduled, runs); nullopt when nothing was scheduled or run (a holiday of a
  // 5x8 check).
  std::optional<double> ratio;
};

struct MonthAvailability {
  AvailabilityFigure month;
  std::vector<AvailabilityFigure> days;
};

Result<AvailabilityFigure> availability(ResultsStore& store, const std::string& checkId,
                                        const Cadence& cadence, const WorkCalendar& calendar,
                                        EpochMillis from, EpochMillis to);

// The month's figure and each of its days up to `now` (days after now are left out; the
// month's figure counts up to now).
Result<MonthAvailability> monthAvailability(ResultsStore& store, const std::string& checkId,
                                            const Cadence& cadence, const WorkCalendar& calendar,
                                            int year, unsigned month, EpochMillis now);

}  // namespace huitong::monitor::schedule
