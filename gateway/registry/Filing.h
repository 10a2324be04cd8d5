// A filing (备案): one per (department system, item code), and the rules of its life —
// requested → configuring → joint_debugging → online → suspended → retired, who may make each
// move and what it requires (DESIGN.md §4). Pure rules: the registry service stores filings and
// writes the audit trail; this header decides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"

namespace huitong::registry {

enum class FilingState { kRequested, kConfiguring, kJointDebugging, kOnline, kSuspended, kRetired };

const char* toString(FilingState state);
std::optional<FilingState> filingStateFrom(const std::string& text);

// Staff roles (least privilege): auditors read, departments see their own system only.
enum class Role { kAdmin, kOperator, kAuditor, kDepartment };
const char* toString(Role role);
std::optional<Role> roleFrom(const std::string& text);

struct Actor {
  std::string name;
  Role role = Role::kOperator;
  std::string system;  // a department account's own system
};

struct Filing {
  std::string system;
  std::string itemCode;  // 事项编码 as the platform knows it
  std::string itemName;
  FilingState state = FilingState::kRequested;
  std::int64_t version = 1;  // optimistic concurrency: every change increments it
  std::string contactName;   // the department's contact person
  std::string contactPhone;
  std::string notes;
  std::optional<EpochMillis> requirementConfirmedAt;
  std::optional<Day> configuringDue;  // 2 working days after the requirement was confirmed
  bool configuringDueProvisional = false;
  std::string liveMappingVersion;  // the mapping version the gateway runs for this item
  // The sandbox scenarios going online requires (RequiredScenarios.h): canonical JSON text of
  // the list, "" = the defaults (each stage the version produces, plus one invalid message).
  std::string scenarios;
  EpochMillis createdAt = 0;
  EpochMillis updatedAt = 0;
};

// What the registry asks of the rest of the gateway before a filing goes online.
class GoLiveChecks {
 public:
  virtual ~GoLiveChecks() = default;
  virtual bool mappingVersionPublished(const std::string& system,
                                       const std::string& version) const = 0;
  // Recorded passing sandbox evidence of the item on that mapping version (the sandbox).
  virtual bool sandboxEvidencePassed(const std::string& system, const std::string& itemCode,
                                     const std::string& version) const = 0;
};

// What a move carries besides the target state.
struct MoveRequest {
  FilingState to = FilingState::kConfiguring;
  std::int64_t expectedVersion = 0;  // the version the actor saw (stale → filing.stale)
  std::string mappingVersion;        // online: the version to run
  std::string reason;                // suspended, retired, back to configuring
};

// One legal move and who may make it.
struct MoveRule {
  FilingState from;
  FilingState to;
  std::vector<Role> roles;
  const char* requires;  // for people: what the move needs
};
const std::vector<MoveRule>& moveRules();

// Applies a move. Errors: filing.stale (409), filing.forbidden (403), filing.illegal_move (409),
// filing.requirement (422: what is missing, e.g. no published mapping version).
Result<Filing> applyMove(const Filing& filing, const MoveRequest& move, const Actor& actor,
                         EpochMillis now, const WorkCalendar& calendar, const GoLiveChecks& checks);

// Still configuring after the day it was due.
bool isOverdue(const Filing& filing, Day today);

}  // namespace huitong::registry
