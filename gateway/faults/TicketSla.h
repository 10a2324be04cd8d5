// A ticket's stored history as the SLA engine's input (gateway/faults/sla/SlaTimeline.h).
// Pure; thread-safe.
#pragma once

#include <vector>

#include "gateway/faults/Ticket.h"
#include "gateway/faults/sla/SlaClock.h"
#include "gateway/faults/sla/SlaTimeline.h"

namespace huitong::faults {

// When the clocks start: the contract counts from the report, so a phone or fax ticket's clocks
// start at the time of the call (reportedAt, when before the creation); every other ticket's at
// its creation (docs/faults.md "SLA clocks").
EpochMillis slaStart(const Ticket& ticket);

// The clocks start at slaStart(). First response = the first status change,
// (re)assignment, escalation, on-site dispatch or comment by staff (admin/operator): automatic
// dispatch by the rules is not a response. Statuses = every status event's new status; on site =
// the first dispatch and the first arrival after it; maintainer = the current assignee.
sla::SlaTimeline slaTimeline(const Ticket& ticket, const std::vector<TicketEvent>& events);

}  // namespace huitong::faults
