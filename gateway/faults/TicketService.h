// Fault tickets as people and monitoring use them: create from every channel (phone/fax entered
// by an operator, API by staff and departments, alert/health automatically and deduplicated),
// classify by rules with operator override, dispatch by rules to a maintainer group's on-duty
// member in round robin (nobody on duty: assigned to the group, an event and a notification),
// reassign, escalate, move through statuses, comment. Every change is a TicketEvent and an entry
// in the registry's hash-chained audit trail ("ticket.create", "ticket.assign", ...), appended
// right after the ticket's transaction commits. Thread-safe as its stores are; the stores, rules,
// clock and calendar outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/FaultRules.h"
#include "gateway/faults/FollowUps.h"
#include "gateway/faults/MajorReports.h"
#include "gateway/faults/Ticket.h"
#include "gateway/faults/TicketStore.h"
#include "gateway/faults/sla/MajorReport.h"
#include "gateway/registry/Filing.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::faults {

// Who acts: a staff member (registry::Actor) or the gateway itself ("monitor", "mail").
struct Caller {
  std::string name;
  std::string role;    // admin | operator | auditor | department | system
  std::string system;  // a department's own system
  static Caller staff(const registry::Actor& actor);
  static Caller gateway(const std::string& name) { return Caller{name, "system", ""}; }
  // "operator:li", "department:minzheng", "system:monitor": the actor of events.
  std::string label() const { return role + ":" + name; }
};

struct NewAttachment {
  std::string name, contentType, bytes;
};

struct NewTicket {
  Channel channel = Channel::kApi;
  std::string reporter, contact;
  EpochMillis reportedAt = 0;  // phone/fax: the time of the call (required); else 0 = now
  std::string system, item, title, description;
  std::optional<TicketType> type;    // given: an override of the rules' proposal
  std::optional<Severity> severity;  // given: an override of the rules' proposal
  bool onSite = false;
  std::string source, dedupKey;  // alert/health
  std::vector<NewAttachment> attachments;
};

// A partial change (PATCH): only the given fields change.
struct TicketPatch {
  std::optional<std::string> reporter, contact, system, item, title, description;
  std::optional<TicketType> type;
  std::optional<Severity> severity;
  std::optional<bool> onSite;
  std::optional<std::string> fixVersion, fixCommit, fixChanged, fixDocumentation;
  std::optional<std::int64_t> expectedVersion;  // given: "ticket.stale" when it moved on
};

// A notification the service wants sent (assignment, nobody on duty, escalation).
struct TicketNotice {
  // "assigned" | "nobody_on_duty" | "escalated" | "sla_warning" | "sla_breach"
  std::string ticketId, event;
  std::string group, assignee, summary;
  Severity severity = Severity::kGeneral;
  std::vector<std::string> channels;  // notifier names; empty = every channel
  EpochMillis at = 0;
};

// Sends notices (the gateway adapts monitoring's notifiers). Called after the change committed;
// returns a short outcome ("sent to ops-webhook") or the failure, recorded as a kNotified event.
class TicketNotifier {
 public:
  virtual ~TicketNotifier() = default;
  virtual Result<std::string> notify(const TicketNotice& notice) = 0;
  // True when notify() only queues the notice: the service then records the outcome when the
  // sender reports it (recordNotified), not the "queued" answer.
  virtual bool deferred() const { return false; }
};

class TicketService {
 public:
  TicketService(TicketStore& store, registry::RegistryStore& audit, const FaultRules& rules,
                const Clock& clock, const WorkCalendar& calendar)
      : store_(store), audit_(audit), rules_(rules), clock_(clock), calendar_(calendar) {}

  // REQUIRES: set before the service is shared. May be null (no notifications).
  void setNotifier(TicketNotifier* notifier) { notifier_ = notifier; }
  // Monitoring evidence for pre-filled reports (report()); may be null (none gathered).
  // REQUIRES: set before the service is shared; outlives it.
  void setEvidenceSource(IncidentEvidenceSource* source) { evidence_ = source; }
  // Asked before a ticket closes, after the built-in closing rules (MajorReports.h
  // checkClosable: a bug's fix record, a major ticket's complete analysis report); an error
  // refuses the close with that error. REQUIRES: set before the service is shared.
  void setCloseCheck(std::function<Result<void>(const Ticket&)> check) {
    closeCheck_ = std::move(check);
  }

  // Errors: "ticket.forbidden" (auditor; a department for another system or another channel),
  // "ticket.invalid" (path names the field), "ticket.attachment" (too many).
  // An alert/health ticket whose dedup key has an open ticket becomes a kAlert event on it and
  // that ticket is returned (`opened` false).
  struct Created {
    Ticket ticket;
    bool opened = true;
  };
  Result<Created> create(const NewTicket& ticket, const Caller& caller);

  // Monitoring: a problem is (still) firing / has cleared. `key` identifies the ongoing
  // problem ("check:db-port", "health:minzheng/1244"), the dedup key of its ticket.
  Result<Created> problemFiring(Channel channel, const std::string& source, const std::string& key,
                                const std::string& summary, const std::string& system,
                                const std::string& item, EpochMillis at);
  // Notes the resolution on the open ticket of `key` (none open: nothing, returns nullopt).
  Result<std::optional<Ticket>> problemResolved(const std::string& source, const std::string& key,
                                                const std::string& summary, EpochMillis at);

  // Staff (admin/operator). group "" = the ticket's group; assignee "" = the group's next
  // on-duty member (round robin; nobody: group only, kNobodyOnDuty). Audited "ticket.assign".
  Result<Ticket> assign(const std::string& id, const std::string& group,
                        const std::string& assignee, const std::string& reason,
                        const Caller& caller);
  // Raises severity to major and/or hands to another group. Audited "ticket.escalate".
  Result<Ticket> escalate(const std::string& id, const std::string& group,
                          const std::string& reason, const Caller& caller);
  // "ticket.illegal_move"; closing refused by the closing rules (MajorReports.h checkClosable):
  // a bug without documentation or a link to its fix "ticket.fix_required", a major ticket
  // without a complete analysis report "ticket.report_required".
  Result<Ticket> setStatus(const std::string& id, TicketStatus to, const std::string& reason,
                           const Caller& caller);
  // Staff; a department on its own system's tickets. Audited "ticket.comment".
  Result<Ticket> comment(const std::string& id, const std::string& text, const Caller& caller);
  // On site dispatched/arrived (kOnSiteDispatched/kOnSiteArrived). Audited "ticket.on_site".
  Result<Ticket> onSite(const std::string& id, bool arrived, const std::string& text,
                        const Caller& caller);
  // Field changes; type/severity here are an operator's override (kClassified, classifiedBy
  // "operator:NAME"); a severity raise is also kEscalated. Audited "ticket.update".
  Result<Ticket> update(const std::string& id, const TicketPatch& patch, const Caller& caller);
  // Attaches a file (bounded by faults.attachments: over max_bytes the metadata is kept, the
  // bytes refused, and the note says so). Audited "ticket.attach".
  Result<AttachmentInfo> attach(const std::string& id, const NewAttachment& file,
                                const Caller& caller);

  // Saves the major-fault analysis report as a `major_report` event (the latest counts; what
  // closing a major ticket checks). Staff only; not on a closed ticket. Audited "ticket.report".
  // In the same transaction the report is kept in the ledger (FollowUps.h) and each improvement
  // with an owner and a due date becomes (or updates) a follow-up task.
  Result<Ticket> saveMajorReport(const std::string& id, const sla::MajorReport& report,
                                 const Caller& caller);
  // The SLA watcher: records that `clock` ("response", "resolution", "on_site") of the ticket
  // crossed its warning fraction (kSlaWarning) or its target (kSlaBreach); `detail` is a JSON
  // object with at least {"clock": NAME} (what "once" compares). Audited
  // "ticket.sla_warning" / "ticket.sla_breach", and notifies ("sla_warning", "sla_breach": the
  // escalation). Once per ticket, kind and clock, even with several gateways on one database:
  // nullopt when that event is already in the history.
  Result<std::optional<Ticket>> recordSla(const std::string& id, EventKind kind,
                                          const std::string& clock, const std::string& text,
                                          const std::string& detail);

  // The ticket's major-fault report (currentReport): the saved one with its clocks as of now,
  // else pre-filled with the monitoring evidence over incidentWindow(). Reads as get().
  Result<sla::MajorReport> report(const std::string& id, const sla::SlaPolicy& policy,
                                  const Caller& caller);
  // Kept reports whose incident started in [from, to), every ticket's; follow-up tasks
  // (filter.today is set here). Staff but departments ("ticket.forbidden").
  Result<std::vector<MajorReportSummary>> majorReports(EpochMillis from, EpochMillis to,
                                                       const Caller& caller);
  Result<std::vector<FollowUp>> followUps(FollowUpFilter filter, const Caller& caller);
  // Closes an open follow-up task with a note (required: what was done). Admin and operator.
  // Errors "followup.not_found", "followup.closed", "ticket.invalid" (note). Audited
  // "ticket.follow_up_close".
  Result<FollowUp> closeFollowUp(const std::string& ticketId, int n, const std::string& note,
                                 const Caller& caller);

  // A deferred notifier's outcome for `notice`: a `notified` event in its ticket's history,
  // the ticket's version unchanged (not audited: the gateway's own bookkeeping). Failures to
  // record are dropped (the notice was sent or not whatever the history says).
  void recordNotified(const TicketNotice& notice, const Result<std::string>& outcome);

  // Reads: "ticket.not_found", "ticket.forbidden" (a department, another system's ticket).
  Result<Ticket> get(const std::string& id, const Caller& caller);
  Result<std::vector<TicketEvent>> history(const std::string& id, const Caller& caller);
  // A department sees its own system's tickets only (the filter's system is forced).
  Result<std::vector<Ticket>> list(TicketFilter filter, const Caller& caller);

  const FaultRules& rules() const { return rules_; }
  TicketStore& store() { return store_; }

 private:
  Result<Ticket> load(const std::string& id);
  Result<void> audit(const Caller& caller, const std::string& action, const Ticket& ticket,
                     const std::string& before, const std::string& after);
  // Picks the assignee in `group` (round robin over who is on duty now) and fills the events.
  Result<void> dispatchTo(Ticket& t, const std::string& group, const std::string& rule,
                          const Caller& caller, EventKind kind, const std::string& reason,
                          std::vector<TicketEvent>& events);
  void notifyAfter(Ticket& t, const std::string& event, const std::string& summary);
  // Appends a `notified` event to `t` (retried on a lost race; `t` becomes the stored ticket).
  void appendNotified(Ticket& t, const std::string& text);
  TicketEvent event(const Ticket& t, const Caller& caller, EventKind kind,
                    const std::string& text) const;
  bool canWrite(const Caller& caller) const;

  TicketStore& store_;
  registry::RegistryStore& audit_;
  const FaultRules& rules_;
  const Clock& clock_;
  const WorkCalendar& calendar_;
  TicketNotifier* notifier_ = nullptr;
  IncidentEvidenceSource* evidence_ = nullptr;
  std::function<Result<void>(const Ticket&)> closeCheck_;
};

// The ticket as JSON (API answers, audit before/after, `huitong ticket show --json`).
std::string ticketJson(const Ticket& ticket);
std::string eventJson(const TicketEvent& event);
// The "clock" of an sla_warning/sla_breach event's detail ("" when none).
std::string slaEventClock(const TicketEvent& event);

}  // namespace huitong::faults
