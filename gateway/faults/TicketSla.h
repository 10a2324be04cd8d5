// A ticket's stored history as the SLA engine's input (gateway/faults/sla/SlaTimeline.h).
// Pure; thread-safe.
#pragma once

#include <vector>

#include "gateway/faults/Ticket.h"
#include "gateway/faults/sla/SlaClock.h"
#include "gateway/faults/sla/SlaTimeline.h"

namespace huitong::faults {

// The clocks start at the ticket's creation. First response = the first status change,
// (re)assignment, escalation, on-site dispatch or comment by staff (admin/operator): automatic
// dispatch by the rules is not a response. Statuses = every status event's new status; on site =
// the first dispatch and the first arrival after it; maintainer = the current assignee.
sla::SlaTimeline slaTimeline(const Ticket& ticket, const std::vector<TicketEvent>& events);

}  // namespace huitong::faults
