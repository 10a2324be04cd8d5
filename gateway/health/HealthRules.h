// Per-item health rules: what traffic an online item is expected to have (on the work calendar)
// and where its figures turn yellow or red. Read once from the config's "health" block
// (docs/configuration.md "health"), refused with file:line; immutable afterwards.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"

namespace huitong::health {

// "At least `minEvents` events per `per`", e.g. {"min_events": 1, "per": "working_day",
// "within_office_hours": true}.
struct ExpectRule {
  enum class Per { kHour, kDay, kWorkingDay };
  int minEvents = 1;
  Per per = Per::kWorkingDay;
  // working_day: count only events received in office hours, and a working day is over at the
  // end of its office hours; hour: judged only when the last hour was all office time.
  bool withinOfficeHours = false;
  std::string severity = "yellow";  // what a shortfall turns the item: "yellow" | "red"
};

// A figure's yellow and red thresholds (reached = that colour); nullopt = not judged.
struct Band {
  std::optional<double> yellow;
  std::optional<double> red;
};

struct ItemRules {
  std::optional<ExpectRule> expect;       // none: any amount of silence is fine
  Band rejectRate{0.05, 0.2};             // fraction of records refused in 24 h
  std::int64_t rejectMinSample = 10;      // fewer records in 24 h: the rate is not judged
  Band deadLetters{1, 3};                 // dead letters now (not discarded)
  Band lagP95Seconds{60, 600};            // accepted -> delivered, events of the last 24 h
  Band backlog{100, 1000};                // events waiting for delivery
  Band backlogAgeSeconds{300, 1800};      // age of the oldest waiting event
  std::string sourceUnreachable = "red";  // "yellow" | "red" | "ignore"
  Band oldestFileAgeSeconds{600, 3600};   // file_drop: the oldest file not taken yet
  Band unflaggedRows{1000, 10000};        // db_poll: rows not flagged yet
};

class HealthRules {
 public:
  // The defaults written in ItemRules, no expected activity, refresh every 5 s.
  HealthRules() = default;
  // {"refresh_s": 5, "defaults": {...}, "items": {"SYSTEM/ITEM": {...}}}: an item's keys are
  // laid over the defaults key by key ("expect": null removes the default rule).
  static Result<HealthRules> read(const ConfigNode& block);

  const ItemRules& rulesFor(const std::string& system, const std::string& item) const;
  std::int64_t refreshMillis() const { return refreshMillis_; }

 private:
  ItemRules defaults_;
  std::map<std::pair<std::string, std::string>, ItemRules> items_;
  std::int64_t refreshMillis_ = 5000;
};

// The last period the rule can be judged on at `now`: [start, end), events counted only when
// `officeOnly` (within office hours of working days). nullopt when no period applies now
// (an hour rule outside office hours).
struct ActivityPeriod {
  EpochMillis start = 0;
  EpochMillis end = 0;
  bool officeOnly = false;
  std::string label;  // "working day 2026-11-27", "2026-11-27", "the hour before 10:12"
};
std::optional<ActivityPeriod> lastPeriod(const ExpectRule& rule, const WorkCalendar& calendar,
                                         EpochMillis now);
// "at least 1 per working day (office hours)"
std::string describe(const ExpectRule& rule);

}  // namespace huitong::health
