#include "gateway/registry/Filing.h"

#include <algorithm>

namespace huitong::registry {
namespace {

using S = FilingState;
using R = Role;

constexpr int kConfiguringWorkdays = 2;  // the contract: onboarding within two working days

Error fail(const std::string& code, const std::string& message) {
  return Error{code, message, ""};
}

}  // namespace

const char* toString(FilingState s) {
  switch (s) {
    case S::kRequested:
      return "requested";
    case S::kConfiguring:
      return "configuring";
    case S::kJointDebugging:
      return "joint_debugging";
    case S::kOnline:
      return "online";
    case S::kSuspended:
      return "suspended";
    case S::kRetired:
      return "retired";
  }
  return "?";
}

std::optional<FilingState> filingStateFrom(const std::string& text) {
  for (S s : {S::kRequested, S::kConfiguring, S::kJointDebugging, S::kOnline, S::kSuspended,
              S::kRetired}) {
    if (text == toString(s))
      return s;
  }
  return std::nullopt;
}

const char* toString(Role r) {
  switch (r) {
    case R::kAdmin:
      return "admin";
    case R::kOperator:
      return "operator";
    case R::kAuditor:
      return "auditor";
    case R::kDepartment:
      return "department";
  }
  return "?";
}

std::optional<Role> roleFrom(const std::string& text) {
  for (R r : {R::kAdmin, R::kOperator, R::kAuditor, R::kDepartment}) {
    if (text == toString(r))
      return r;
  }
  return std::nullopt;
}

const std::vector<MoveRule>& moveRules() {
  static const std::vector<MoveRule> kRules = {
      {S::kRequested,
       S::kConfiguring,
       {R::kAdmin, R::kOperator},
       "the requirement is confirmed; configuring is due 2 working days later"},
      {S::kConfiguring,
       S::kJointDebugging,
       {R::kAdmin, R::kOperator},
       "a mapping version to debug with the department"},
      {S::kJointDebugging,
       S::kConfiguring,
       {R::kAdmin, R::kOperator},
       "a reason (the joint debugging found something to change)"},
      {S::kJointDebugging,
       S::kOnline,
       {R::kAdmin, R::kOperator},
       "a published mapping version with recorded passing sandbox evidence"},
      {S::kOnline, S::kSuspended, {R::kAdmin, R::kOperator}, "a reason"},
      {S::kSuspended,
       S::kOnline,
       {R::kAdmin, R::kOperator},
       "a published mapping version with recorded passing sandbox evidence"},
      {S::kSuspended,
       S::kConfiguring,
       {R::kAdmin, R::kOperator},
       "a reason (the item's exchange must change)"},
      {S::kRequested, S::kRetired, {R::kAdmin}, "a reason"},
      {S::kConfiguring, S::kRetired, {R::kAdmin}, "a reason"},
      {S::kJointDebugging, S::kRetired, {R::kAdmin}, "a reason"},
      {S::kSuspended, S::kRetired, {R::kAdmin}, "a reason (an online item is suspended first)"},
  };
  return kRules;
}

Result<Filing> applyMove(const Filing& filing, const MoveRequest& move, const Actor& actor,
                         EpochMillis now, const WorkCalendar& calendar,
                         const GoLiveChecks& checks) {
  if (move.expectedVersion != filing.version) {
    return fail("filing.stale",
                "the filing changed since it was read (version " + std::to_string(filing.version) +
                    ", not " + std::to_string(move.expectedVersion) + "): read it again and retry");
  }
  const auto& rules = moveRules();
  const auto rule = std::find_if(rules.begin(), rules.end(), [&](const MoveRule& r) {
    return r.from == filing.state && r.to == move.to;
  });
  if (rule == rules.end()) {
    std::string allowed;
    for (const auto& r : rules) {
      if (r.from == filing.state)
        allowed += (allowed.empty() ? "" : ", ") + std::string(toString(r.to));
    }
    return fail("filing.illegal_move", std::string("a filing cannot move from ") +
                                           toString(filing.state) + " to " + toString(move.to) +
                                           " (from " + toString(filing.state) + ": " +
                                           (allowed.empty() ? "no move" : allowed) + ")");
  }
  if (std::find(rule->roles.begin(), rule->roles.end(), actor.role) == rule->roles.end()) {
    return fail("filing.forbidden", std::string("role ") + toString(actor.role) +
                                        " may not move a filing from " + toString(filing.state) +
                                        " to " + toString(move.to));
  }
  Filing next = filing;
  const bool needsReason = move.to == S::kSuspended || move.to == S::kRetired ||
                           (move.to == S::kConfiguring && filing.state != S::kRequested);
  if (needsReason && move.reason.empty()) {
    return fail("filing.requirement",
                std::string("moving to ") + toString(move.to) + " needs a reason");
  }
  switch (move.to) {
    case S::kConfiguring:
      if (filing.state == S::kRequested) {
        next.requirementConfirmedAt = now;
        const auto due = calendar.addWorkdays(chinaDay(now), kConfiguringWorkdays);
        next.configuringDue = due.day;
        next.configuringDueProvisional = due.provisional;
      }
      break;
    case S::kJointDebugging:
      if (move.mappingVersion.empty()) {
        return fail("filing.requirement",
                    "joint debugging needs the mapping version to debug (mapping_version)");
      }
      break;
    case S::kOnline: {
      const std::string version =
          move.mappingVersion.empty() ? filing.liveMappingVersion : move.mappingVersion;
      if (version.empty() || !checks.mappingVersionPublished(filing.system, version)) {
        return fail("filing.requirement",
                    "going online needs a published mapping version" +
                        (version.empty() ? std::string(" (mapping_version)")
                                         : " (" + version + " is not published)"));
      }
      if (!checks.sandboxEvidencePassed(filing.system, filing.itemCode, version)) {
        return fail("filing.requirement",
                    "going online needs recorded passing sandbox evidence "
                    "of item " +
                        filing.itemCode + " on mapping version " + version +
                        " (GET /ops/v1/filings/" + filing.system + "/" + filing.itemCode +
                        "/evidence?version=" + version + " lists the scenarios still to pass)");
      }
      next.liveMappingVersion = version;
      break;
    }
    default:
      break;
  }
  if (!move.reason.empty())
    next.notes = move.reason;
  next.state = move.to;
  next.version = filing.version + 1;
  next.updatedAt = now;
  return next;
}

bool isOverdue(const Filing& filing, Day today) {
  return filing.state == S::kConfiguring && filing.configuringDue && today > *filing.configuringDue;
}

}  // namespace huitong::registry
