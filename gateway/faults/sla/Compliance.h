// SLA compliance for one calendar month (China time): for each clock, how many tickets met or
// missed their target in the month and how many were still open past it at the month's end —
// overall, per type, per severity and per maintainer. What the monthly operation report calls.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/sla/SlaClock.h"
#include "gateway/faults/sla/SlaPolicy.h"
#include "gateway/faults/sla/SlaTimeline.h"

namespace huitong::sla {

struct ComplianceCounts {
  int met = 0;           // stopped in the month within the target
  int missed = 0;        // stopped in the month past the target
  int openBreached = 0;  // still open at the month's end (or now) and past the target
  int openInTime = 0;    // still open and within the target: not judged yet

  int judged() const { return met + missed + openBreached; }
  // met ÷ judged × 100; none when nothing was judged.
  std::optional<double> percentMet() const;
};

struct ComplianceRow {
  std::string group;  // "all", "type", "severity", "maintainer"
  std::string key;    // "" for all; the type, severity or maintainer ("(unassigned)" when none)
  ClockKind clock = ClockKind::kResolution;
  ComplianceCounts counts;
};

struct MonthlyCompliance {
  int year = 0;
  int month = 0;                    // 1..12
  EpochMillis from = 0;             // the month's first instant (00:00 +08:00)
  EpochMillis to = 0;               // the next month's first instant
  EpochMillis asOf = 0;             // min(now, to): when open clocks were judged
  std::vector<ComplianceRow> rows;  // by group (all, type, severity, maintainer), key, clock

  const ComplianceRow* find(const std::string& group, const std::string& key,
                            ClockKind clock) const;
};

// A clock belongs to the month in which it stopped (met/missed); a clock still open at the
// month's end counts in that month as open (breached or in time), and again in the next month
// if it is still open then. Tickets created after the month are left out.
// REQUIRES: 1 ≤ month ≤ 12.
MonthlyCompliance monthlyCompliance(const std::vector<SlaTimeline>& timelines,
                                    const SlaPolicy& policy, int year, int month, EpochMillis now,
                                    const WorkCalendar& calendar = WorkCalendar::china());

}  // namespace huitong::sla
