// The SLA clock engine: a ticket's timeline and the policy → each clock's target, elapsed time
// (pauses excluded; office-hours time for working-time targets), remaining time, state and due
// instant, as of `now`. Pure and thread-safe (the calendar is only read); what a once-a-minute
// pass over every open ticket calls.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/sla/SlaPolicy.h"
#include "gateway/faults/sla/SlaTimeline.h"

namespace huitong::sla {

// ok / warning (the warning fraction has elapsed) / breached (the target has elapsed and the
// clock still runs or is paused) while open; met / missed once the clock stopped.
enum class ClockState { kOk, kWarning, kBreached, kMet, kMissed };
const char* toString(ClockState s);

struct ClockReading {
  ClockKind kind = ClockKind::kResolution;
  SlaTarget target;
  bool workingTime = false;  // elapsed/remaining are office-hours time on the work calendar
  EpochMillis targetMillis = 0;
  EpochMillis elapsed = 0;    // counted time as of `now` (or when the clock stopped)
  EpochMillis remaining = 0;  // targetMillis − elapsed; negative once over
  ClockState state = ClockState::kOk;
  bool running = false;  // counting now
  bool paused = false;   // waiting for the reporter
  bool stopped = false;  // responded / resolved / arrived
  std::optional<EpochMillis> stoppedAt;
  // When the target is (or was) reached: the instant it was crossed, or, while running and not
  // yet crossed, the projection if nothing pauses it. None while paused before the target, and
  // for a clock that stopped in time.
  std::optional<EpochMillis> dueAt;
  std::optional<EpochMillis> warnAt;  // the same for the warning fraction
  bool provisional = false;           // counted over a year without a published holiday notice

  bool open() const { return !stopped; }
};

struct SlaEvaluation {
  std::string ticketId;
  std::vector<ClockReading> clocks;  // response, resolution, then on_site when dispatched
  const ClockReading* find(ClockKind k) const;
  // The most urgent state of the clocks still open (kOk when none is warning or breached).
  ClockState worstOpen() const;
};

// Events after `now` are ignored: evaluating at an earlier instant gives the clocks as they stood
// then (the monthly compliance evaluates at each month's end this way).
SlaEvaluation evaluate(const SlaTimeline& timeline, const SlaPolicy& policy, EpochMillis now,
                       const WorkCalendar& calendar = WorkCalendar::china());

// A timeline's consistency, for the converter's tests and API input: times not before the
// creation, statuses in time order, arrival not before dispatch. Messages name the field.
Result<void> validate(const SlaTimeline& timeline);

// "2 h 15 min left (due 2026-10-09 17:30 +08:00)", "breached 35 min ago", "met (1 h 10 min of
// 4 hours)": a reading in words; working time is said as such.
std::string describe(const ClockReading& reading);
// "1 d 2 h 5 min" style text of a duration (no days for working time: "9 h 30 min").
std::string formatDuration(EpochMillis millis, bool workingTime = false);
// "2026-10-09 17:30 +08:00": an instant in China time, to the minute.
std::string formatChinaTime(EpochMillis t);

}  // namespace huitong::sla
