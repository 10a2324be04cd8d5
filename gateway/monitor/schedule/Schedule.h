// When a check is due: the slots of its cadence on the work calendar, as pure functions of
// time. Slots sit on a fixed grid (multiples of the interval since the epoch plus a per-check
// offset that spreads starts), so the next slot never depends on when the last run ended and
// lateness never accumulates. "5x8" slots fall inside office hours of working days
// (WorkCalendar::isWorkingTime); "7x24" slots anywhere. During a declared major event every
// check runs on its intensified grid, office hours or not, and its normal slots are skipped.
// Thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/monitor/Check.h"

namespace huitong::monitor::schedule {

// A declared major event (重大活动保障): checks run more often and with tighter thresholds
// inside [from, to).
struct MajorEvent {
  std::string name;
  EpochMillis from = 0;
  EpochMillis to = 0;
  std::string source;  // "config" or who declared it at run time
};

struct Slot {
  EpochMillis at = 0;
  bool intensified = false;
};

// The per-check offset of its grid: a stable hash of the id, modulo the interval.
std::int64_t gridOffsetMillis(const std::string& checkId, std::int64_t intervalMillis);

// Whether `t` is inside the cadence's hours (5x8: working time on `calendar`; 7x24: always).
bool inScheduleHours(const Cadence& cadence, const WorkCalendar& calendar, EpochMillis t);
// Whether `t` is inside one of the events.
const MajorEvent* eventAt(const std::vector<MajorEvent>& events, EpochMillis t);

// The first slot strictly after `after`; nullopt when there is none within about a year (a
// 5x8 cadence on a calendar without office hours or working days).
std::optional<Slot> nextSlot(const std::string& checkId, const Cadence& cadence,
                             const WorkCalendar& calendar, const std::vector<MajorEvent>& events,
                             EpochMillis after);

// The normal (not intensified) slots in [from, to): what availability counts as scheduled.
std::int64_t scheduledSlots(const std::string& checkId, const Cadence& cadence,
                            const WorkCalendar& calendar, EpochMillis from, EpochMillis to);

// Refuses a cadence that can never run on `calendar` from `now` (code "config.invalid"; the
// caller adds the entry's file:line).
Result<void> checkFeasible(const Cadence& cadence, const WorkCalendar& calendar, EpochMillis now);

}  // namespace huitong::monitor::schedule
