// The `faults` config block compiled once: maintainer groups with their on-call roster,
// classification rules (keywords, alert source, item, department → type and severity),
// dispatch rules (type and item → group), attachment limits. Pure functions decide: which
// rule classifies a ticket, which group gets it, who in the group is on duty at an instant
// (7x24 by default, the work calendar's working time where configured, or shifts).
// Immutable after parsing; share it by const reference or shared_ptr.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/Ticket.h"

namespace huitong::faults {

// One stretch of duty: `members` are on duty on the matching days between from and to (China
// time, minutes after midnight; to <= from runs past midnight into the next day), or, with
// `workingTime`, exactly in the work calendar's office hours on working days.
struct Shift {
  std::vector<std::string> members;
  enum class Days { kAll, kWorkdays, kNonWorkdays } days = Days::kAll;
  int fromMinute = 0, toMinute = 24 * 60;
  bool workingTime = false;
};

struct MaintainerGroup {
  std::string name;
  std::vector<std::string> members;  // staff names, in round-robin order
  // Without a roster: "7x24" (every member always) or "calendar" (every member in the work
  // calendar's working time). With a roster: its shifts only.
  bool calendarHours = false;
  std::vector<Shift> roster;
  std::vector<std::string> channels;  // notifier names for this group; empty = every channel
};

struct ClassificationRule {
  std::string name;
  // Every given condition must hold; a rule without conditions matches everything.
  std::vector<std::string> keywords;  // any of them in title or description (case-insensitive)
  std::vector<std::string> sources;   // prefix of the ticket's source ("monitor:", "health")
  std::vector<std::string> items;
  std::vector<std::string> systems;  // the department system
  std::vector<Channel> channels;
  std::optional<TicketType> type;
  std::optional<Severity> severity;
};

struct DispatchRule {
  std::string name;
  std::vector<TicketType> types;  // empty: any
  std::vector<std::string> items;
  std::vector<std::string> systems;
  std::string group;
};

struct AttachmentLimits {
  std::int64_t maxBytes = 10LL * 1024 * 1024;  // one attachment's bytes kept at most
  int maxCount = 20;                           // attachments per ticket
  // Media types an upload through the API may have ("image/*" matches every image type);
  // faults.attachments.content_types replaces the list. Mail attachments are kept whatever
  // their type (the mail is evidence as it came).
  std::vector<std::string> contentTypes = {
      "text/plain",
      "text/csv",
      "application/pdf",
      "image/*",
      "application/zip",
      "application/json",
      "application/xml",
      "text/xml",
      "message/rfc822",
      "application/msword",
      "application/vnd.ms-excel",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
  // Whether `mediaType` (lower case, without parameters) is in contentTypes.
  bool allows(const std::string& mediaType) const;
};

struct FaultRules {
  std::vector<MaintainerGroup> groups;
  std::vector<ClassificationRule> classification;
  std::vector<DispatchRule> dispatch;
  std::string defaultGroup;  // when no dispatch rule matches ("" = the first group)
  AttachmentLimits attachments;
  std::vector<std::string> channels;  // notifier names for fault notifications; empty = all

  // Reads the `faults` block; unknown keys, unknown groups in rules or rosters, bad times and
  // members missing from their group are errors naming file:line.
  static Result<FaultRules> parse(const ConfigNode& block);

  const MaintainerGroup* group(const std::string& name) const;

  struct Proposal {
    TicketType type = TicketType::kOther;
    Severity severity = Severity::kGeneral;
    std::string rule;  // "" when no rule matched (the ticket's own values are kept)
  };
  // The first matching rule's type/severity; what a rule does not set stays as given.
  Proposal classify(const Ticket& ticket) const;

  struct Route {
    std::string group;  // "" when there are no groups at all
    std::string rule;   // "" = the default group
  };
  Route route(const Ticket& ticket) const;

  // Members of `group` on duty at `t`, in round-robin order (empty: nobody on duty).
  std::vector<std::string> onDuty(const MaintainerGroup& group, EpochMillis t,
                                  const WorkCalendar& calendar) const;
};

}  // namespace huitong::faults
