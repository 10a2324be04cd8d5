// The input of the SLA clocks: what happened to one ticket and when, as plain values. The
// tickets part builds it from a Ticket's history (gateway/faults/Ticket.h); nothing here reads a
// store. Every time is a UTC instant (EpochMillis): clocks in clock hours are differences of
// instants, working-time clocks go through the work calendar (China time, UTC+8 all year).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"

namespace huitong::sla {

enum class Severity { kGeneral, kMajor };

// Status names are the ticket's own text forms ("new", "assigned", "in_progress",
// "waiting_for_reporter", "resolved", "closed"). For the clocks only three kinds matter:
inline constexpr const char* kWaitingForReporter = "waiting_for_reporter";  // clocks pause
inline constexpr const char* kResolved = "resolved";                        // clocks stop
inline constexpr const char* kClosed = "closed";                            // clocks stop
// Any other status runs the clocks; a status after resolved (a reopen) resumes them where they
// stopped: the time spent resolved is not counted.

struct StatusChange {
  EpochMillis at = 0;
  std::string status;  // the status entered at `at`
};

struct SlaTimeline {
  std::string ticketId;
  EpochMillis createdAt = 0;  // the clocks start here
  Severity severity = Severity::kGeneral;
  std::string type;        // application|database|network|exchange|security|bug|other
  std::string maintainer;  // who compliance is counted for ("" = unassigned)
  std::optional<EpochMillis> firstResponseAt;     // stops the response clock
  std::vector<StatusChange> statuses;             // in time order
  std::optional<EpochMillis> onSiteDispatchedAt;  // starts the on-site clock
  std::optional<EpochMillis> onSiteArrivedAt;     // stops it
  // The (last) resolution and closing. Used only when `statuses` has no "resolved" resp.
  // "closed" entry, so a timeline may carry them either way.
  std::optional<EpochMillis> resolvedAt;
  std::optional<EpochMillis> closedAt;
};

const char* toString(Severity s);
std::optional<Severity> parseSeverity(const std::string& s);

}  // namespace huitong::sla
