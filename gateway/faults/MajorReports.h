// The closing rules of tickets and the major-fault analysis report as the ticket keeps it: a
// bug closes only with its documentation and a link to the fix, a major ticket only with a
// complete report. A report is stored as the ticket's `major_report` history event (its JSON in
// the event's detail; the latest one counts), so it needs no table of its own and every saved
// version stays in the history and the audit trail. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/Ticket.h"
#include "gateway/faults/sla/BugRecord.h"
#include "gateway/faults/sla/MajorReport.h"
#include "gateway/faults/sla/SlaPolicy.h"

namespace huitong::faults {

sla::BugRecord bugRecord(const Ticket& ticket);

// The report's JSON as stored: ticket_id, title, system, item, type, severity, incident_start,
// resolved_at, process [{at, source, text}], cause, measures, improvements [{action, owner,
// due: "YYYY-MM-DD"}], author, prepared_at. The SLA readings are not stored: they are evaluated
// again whenever the report is shown.
std::string majorReportJson(const sla::MajorReport& report);

// Reads a report written by majorReportJson or by a person (`huitong ticket report --edit`):
// members absent keep `base`'s values. Unknown members, wrong types and bad dates are errors
// ("ticket.report_invalid") naming the member ("improvements[1].due").
Result<sla::MajorReport> parseMajorReport(const std::string& json, const sla::MajorReport& base);

// The latest major_report event's report, if any. A stored report that no longer reads is an
// error naming the event.
Result<std::optional<sla::MajorReport>> latestMajorReport(const std::vector<TicketEvent>& history);

// What monitoring saw around an incident, asked when a report is pre-filled: the gateway wires
// it to the monitoring results store and item health (gateway/app/FaultsWiring), so that
// faults reads neither (gateway/CMakeLists.txt: health is not below faults). Called on request
// threads: thread-safe. A part it cannot read is a note in the evidence, not an error.
class IncidentEvidenceSource {
 public:
  virtual ~IncidentEvidenceSource() = default;
  virtual sla::IncidentEvidence evidence(const std::string& system, const std::string& item,
                                         EpochMillis from, EpochMillis to) = 0;
};

// The incident window the evidence covers: an hour before the fault was reported (the call's
// time for phone and fax, else the ticket's creation) to its resolution, or `now` while open.
constexpr EpochMillis kEvidenceBefore = 3'600'000;
std::pair<EpochMillis, EpochMillis> incidentWindow(const Ticket& ticket, EpochMillis now);

// The report pre-filled from the ticket (its timeline and its other history: assignments,
// escalations, comments, alerts on the ticket) and monitoring evidence (`alerts`), with the
// SLA clocks as of `now`, and `evidence` (probe results, item health) as its evidence section.
// Its cause, measures and improvements are empty.
sla::MajorReport prefillReport(const Ticket& ticket, const std::vector<TicketEvent>& history,
                               const std::vector<sla::IncidentEntry>& alerts,
                               const sla::SlaPolicy& policy, EpochMillis now,
                               const WorkCalendar& calendar,
                               const sla::IncidentEvidence& evidence = sla::IncidentEvidence());

// The report to show: the latest stored one with its SLA clocks evaluated as of `now`, else
// the pre-filled one (with `evidence`).
Result<sla::MajorReport> currentReport(
    const Ticket& ticket, const std::vector<TicketEvent>& history,
    const std::vector<sla::IncidentEntry>& alerts, const sla::SlaPolicy& policy, EpochMillis now,
    const WorkCalendar& calendar, const sla::IncidentEvidence& evidence = sla::IncidentEvidence());

// The closing rules, asked by TicketService before a ticket closes:
// - a bug ticket: sla::checkBugClosable (documentation and a version, commit or changed mapping
//   or config) — "ticket.fix_required";
// - a major ticket: sla::checkReadyToClose on the latest stored report — "ticket.report_required"
//   (no report at all: path "report").
// The error's path is the first problem's; its message lists every problem.
Result<void> checkClosable(const Ticket& ticket, const std::vector<TicketEvent>& history);

}  // namespace huitong::faults
