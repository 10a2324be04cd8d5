// The fault ticket (故障工单) and its history: what the fault module's store, service, API, SLA
// clocks (gateway/faults/sla) and mail intake (gateway/faults/mail) share. Plain values; the
// enums' text forms are the ones stored, sent over the API and written in config.
// A ticket's history is a list of TicketEvent in time order; every change to a ticket adds one
// (and an entry in the registry's hash-chained audit trail, see TicketService).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/Clock.h"

namespace huitong::faults {

// How the fault reached us. phone/fax are entered by an operator; email comes from the polled
// mailbox; api from staff or a department; alert/health are opened by monitoring.
enum class Channel { kPhone, kFax, kEmail, kApi, kAlert, kHealth };
enum class TicketType { kApplication, kDatabase, kNetwork, kExchange, kSecurity, kBug, kOther };
enum class Severity { kGeneral, kMajor };
// new → assigned → in_progress ⇄ waiting_for_reporter → resolved → closed (resolved may reopen
// to in_progress). The SLA clocks pause while waiting_for_reporter.
enum class TicketStatus { kNew, kAssigned, kInProgress, kWaitingForReporter, kResolved, kClosed };

// What a history entry records. Status changes (resolved and closed included) are kStatus with
// fromStatus/toStatus set; assignments carry group/assignee.
enum class EventKind {
  kCreated,           // the ticket was opened (text: the description's first line)
  kClassified,        // type/severity proposed by a rule or set by an operator (override)
  kAssigned,          // first assignment (group, assignee; assignee empty: nobody on duty)
  kReassigned,        // a later assignment by an operator
  kEscalated,         // severity raised or handed to another group/higher level
  kStatus,            // fromStatus → toStatus
  kOnSiteDispatched,  // someone is sent on site (the 1 h on-site clock starts)
  kOnSiteArrived,     // they arrived
  kComment,           // a note by staff, the reporter (mail) or the system
  kAlert,             // a further alert/health signal on the same ongoing problem
  kAlertResolved,     // monitoring says the problem cleared (the ticket stays open)
  kNobodyOnDuty,      // dispatch found nobody on the group's roster: assigned to the group only
  kUpdated,           // fields changed (description, contact, item, fix record ...)
  kNotified,          // a notification was sent (or failed: text says which)
  kSlaWarning,        // an SLA clock crossed its warning fraction (detail: clock, due)
  kSlaBreach,         // an SLA clock passed its target (detail: clock, due); escalation notified
  kMajorReport,       // the major-fault analysis report as saved (detail: its JSON; latest counts)
};

std::string_view toString(Channel v);
std::string_view toString(TicketType v);
std::string_view toString(Severity v);
std::string_view toString(TicketStatus v);
std::string_view toString(EventKind v);
// Parsers accept exactly the text forms above ("waiting_for_reporter", "on_site_dispatched").
std::optional<Channel> parseChannel(std::string_view s);
std::optional<TicketType> parseTicketType(std::string_view s);
std::optional<Severity> parseSeverity(std::string_view s);
std::optional<TicketStatus> parseTicketStatus(std::string_view s);
std::optional<EventKind> parseEventKind(std::string_view s);

// The "a|b|c" list of every text form, for error messages ("type must be one of ...").
std::string allChannels();
std::string allTicketTypes();
std::string allSeverities();
std::string allTicketStatuses();

// Open = not resolved and not closed (what dedup and the open-ticket lists mean).
bool isOpen(TicketStatus s);
// Whether a status change is allowed (any open status to any other, resolved → in_progress or
// closed; closed is final; a change to the same status is not a change).
bool canMove(TicketStatus from, TicketStatus to);

// "T-2026-000123": the year of creation (China time) and a number counted per year.
std::string formatTicketId(int year, std::int64_t number);
bool parseTicketId(std::string_view s, int& year, std::int64_t& number);

// An attachment's metadata; the bytes are kept by the store (bounded by faults.attachments).
struct AttachmentInfo {
  std::int64_t id = 0;
  std::string name;
  std::string contentType;
  std::int64_t size = 0;
  std::string sha256;  // hex of the bytes
  bool stored = true;  // false: over the size bound, metadata kept, bytes refused (with reason)
  std::string note;    // why not stored
  EpochMillis addedAt = 0;
};

// A bug's fix record: a bug ticket cannot close without `documentation`.
struct BugFix {
  std::string version;  // gateway or mapping version that carries the fix
  std::string commit;   // VCS commit
  std::string changed;  // the mapping or config changed ("mappings/minzheng v7", "faults.dispatch")
  std::string documentation;  // what changed and why, for operators
  bool empty() const {
    return version.empty() && commit.empty() && changed.empty() && documentation.empty();
  }
};

struct Ticket {
  std::string id;  // T-2026-000123
  Channel channel = Channel::kApi;
  std::string reporter;        // caller's name, mail sender, staff user, department system
  std::string contact;         // phone/fax number, mail address
  EpochMillis reportedAt = 0;  // time of the call / the mail / the alert (≤ createdAt)
  std::string system;          // department system ("" when not known)
  std::string item;            // item code ("" when not known)
  TicketType type = TicketType::kOther;
  Severity severity = Severity::kGeneral;
  TicketStatus status = TicketStatus::kNew;
  std::string group;     // maintainer group dispatched to
  std::string assignee;  // maintainer ("" while nobody is assigned)
  bool onSite = false;   // dispatched on site
  std::string title;
  std::string description;
  std::vector<AttachmentInfo> attachments;
  std::string source;     // alert source / rule ("monitor:tcp-check", "health"), "" otherwise
  std::string dedupKey;   // alert/health: one open ticket per key ("check:tcp-1"), else ""
  std::string createdBy;  // actor who entered it ("operator:li", "department:minzheng", "monitor")
  std::string classifiedBy;  // rule name that proposed type/severity, or "operator:NAME"
  BugFix fix;
  EpochMillis createdAt = 0;
  EpochMillis updatedAt = 0;
  EpochMillis resolvedAt = 0;  // 0 while not resolved
  EpochMillis closedAt = 0;    // 0 while not closed
  std::int64_t version = 1;    // optimistic concurrency: every stored change increments it
};

// One history entry. `seq` orders a ticket's events (store-assigned, increasing).
struct TicketEvent {
  std::int64_t seq = 0;
  std::string ticketId;
  EpochMillis at = 0;
  std::string actor;  // "operator:li", "system", "monitor", "mail:someone@example.cn"
  EventKind kind = EventKind::kComment;
  std::optional<TicketStatus> fromStatus, toStatus;  // kStatus
  std::string group, assignee;                       // kAssigned / kReassigned / kEscalated
  std::string text;                                  // comment, reason, alert summary
  std::string detail;                                // JSON object text, "" when none
};

}  // namespace huitong::faults
