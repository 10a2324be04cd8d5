#include "gateway/faults/TicketSla.h"

namespace huitong::faults {
namespace {

bool byStaff(const TicketEvent& e) {
  return e.actor.rfind("admin:", 0) == 0 || e.actor.rfind("operator:", 0) == 0;
}

bool responds(EventKind k) {
  switch (k) {
    case EventKind::kStatus:
    case EventKind::kComment:
    case EventKind::kAssigned:
    case EventKind::kReassigned:
    case EventKind::kEscalated:
    case EventKind::kOnSiteDispatched:
      return true;
    default:
      return false;
  }
}

}  // namespace

EpochMillis slaStart(const Ticket& t) {
  // The contract counts from the report: a call or fax the operator enters later still started
  // the clocks when it came in. Other channels' reported time is the creation (api, alert,
  // health) or a mail's own Date header, which the sender's clock writes: not trusted.
  const bool entered = t.channel == Channel::kPhone || t.channel == Channel::kFax;
  if (entered && t.reportedAt > 0 && t.reportedAt < t.createdAt)
    return t.reportedAt;
  return t.createdAt;
}

sla::SlaTimeline slaTimeline(const Ticket& t, const std::vector<TicketEvent>& events) {
  sla::SlaTimeline out;
  out.ticketId = t.id;
  out.createdAt = slaStart(t);
  out.severity = t.severity == Severity::kMajor ? sla::Severity::kMajor : sla::Severity::kGeneral;
  out.type = std::string(toString(t.type));
  out.maintainer = t.assignee;
  for (const auto& e : events) {
    if (e.at < t.createdAt)
      continue;
    if (!out.firstResponseAt && byStaff(e) && responds(e.kind))
      out.firstResponseAt = e.at;
    if (e.kind == EventKind::kStatus && e.toStatus)
      out.statuses.push_back(sla::StatusChange{e.at, std::string(toString(*e.toStatus))});
    if (e.kind == EventKind::kOnSiteDispatched && !out.onSiteDispatchedAt)
      out.onSiteDispatchedAt = e.at;
    if (e.kind == EventKind::kOnSiteArrived && out.onSiteDispatchedAt && !out.onSiteArrivedAt)
      out.onSiteArrivedAt = e.at;
  }
  if (t.resolvedAt > 0)
    out.resolvedAt = t.resolvedAt;
  if (t.closedAt > 0)
    out.closedAt = t.closedAt;
  return out;
}

}  // namespace huitong::faults
