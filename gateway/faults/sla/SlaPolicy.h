// The SLA policy: targets per clock, severity and ticket type, and the warning fraction, read
// from the `faults.sla` block of the gateway's configuration (errors name file:line:column).
// Defaults are the contract's: resolution general 4 h, major 24 h (clock hours, 7x24), on site
// within 1 h of a dispatch, a bug fixed within 5 working days on the work calendar, warning at 75
// %.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/sla/SlaTimeline.h"

namespace huitong::sla {

enum class ClockKind { kResponse, kResolution, kOnSite };
const char* toString(ClockKind k);

// One target: an amount in clock time (minutes, hours, days of 24 h: 7x24) or in working time
// on the work calendar (working days, working hours: office hours of working days only).
struct SlaTarget {
  enum class Unit { kMinutes, kHours, kDays, kWorkingDays, kWorkingHours };
  long long amount = 0;
  Unit unit = Unit::kHours;

  bool workingTime() const { return unit == Unit::kWorkingDays || unit == Unit::kWorkingHours; }
  // The target in milliseconds of the clock's own time: clock time, or office-hours time where a
  // working day is the calendar's office hours of one working day (default 7 h).
  EpochMillis millis(const WorkCalendar& calendar) const;
  // "4h", "30m", "1d", "5wd", "7wh": the config form.
  std::string text() const;
  // Words for people: "4 hours", "5 working days".
  std::string words() const;
  // Parses the config form; false when it is not one (amount ≥ 1, at most 10 years).
  static bool parse(const std::string& text, SlaTarget& out);

  bool operator==(const SlaTarget& o) const { return amount == o.amount && unit == o.unit; }
};

// The targets that apply to one ticket type, indexed by Severity.
struct ClockTargets {
  std::array<SlaTarget, 2> response;
  std::array<SlaTarget, 2> resolution;
  std::array<SlaTarget, 2> onSite;
  int warningPercent = 75;  // warning once this share of the target has elapsed (1..99)

  const SlaTarget& target(ClockKind k, Severity s) const;
};

class SlaPolicy {
 public:
  // The contract's defaults: response general 30 min, major 15 min; resolution general 4 h,
  // major 24 h; on site 1 h; type bug: resolution 5 working days; warning at 75 %.
  SlaPolicy();

  // Reads the `faults.sla` block (absent keys keep the defaults):
  // {"warning_percent": 75,
  //  "response":   {"general": "30m", "major": "15m"},   (or one string for both severities)
  //  "resolution": {"general": "4h", "major": "24h"},
  //  "on_site": "1h",
  //  "types": {"bug": {"resolution": "5wd"}, "security": {"response": "10m", "warning_percent":
  //  50}}}
  // A type's override starts from the block's own targets (and, for bug, its 5 working days).
  // Unknown keys, types, severities and malformed durations are errors naming file:line:column.
  static Result<SlaPolicy> read(const ConfigNode& block);

  // The targets for a ticket type (an unknown type gets the block's own).
  const ClockTargets& targetsFor(const std::string& type) const;
  const ClockTargets& defaults() const { return defaults_; }

  // The ticket types the policy knows (the ticket's text forms).
  static const std::vector<std::string>& knownTypes();

 private:
  ClockTargets defaults_;
  std::map<std::string, ClockTargets, std::less<>> byType_;
};

}  // namespace huitong::sla
