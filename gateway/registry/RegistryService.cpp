#include "gateway/registry/RegistryService.h"

#include <algorithm>

#include <rapidjson/document.h>

#include "gateway/core/Json.h"

namespace huitong::registry {
namespace {

// Longer fields are refused rather than stored: they would only be a way to bloat the trail.
constexpr std::size_t kMaxCodeBytes = 128;
constexpr std::size_t kMaxTextBytes = 4096;

bool mayEdit(const Actor& actor, const std::string& system, bool contact) {
  // The contact: also a department account for its own system; notes and scenarios: staff.
  switch (actor.role) {
    case Role::kAdmin:
    case Role::kOperator:
      return true;
    case Role::kDepartment:
      return contact && actor.system == system;
    case Role::kAuditor:
      return false;
  }
  return false;
}

Error invalid(const std::string& message, const std::string& path) {
  return Error{"filing.invalid", message, path};
}

bool plainCode(const std::string& s) {
  return !s.empty() && s.size() <= kMaxCodeBytes &&
         std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return c > 0x20 && c != 0x7f && c != '/'; });
}

}  // namespace

std::string filingTarget(const std::string& system, const std::string& itemCode) {
  return "filing " + system + "/" + itemCode;
}

std::string filingJson(const Filing& f) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](const char* key, const std::string& v) {
    d.AddMember(rapidjson::StringRef(key), json::string(v, a), a);
  };
  str("system", f.system);
  str("item_code", f.itemCode);
  str("item_name", f.itemName);
  str("state", toString(f.state));
  d.AddMember("version", f.version, a);
  str("contact_name", f.contactName);
  str("contact_phone", f.contactPhone);
  str("notes", f.notes);
  if (f.requirementConfirmedAt)
    str("requirement_confirmed_at", formatRfc3339(*f.requirementConfirmedAt));
  if (f.configuringDue) {
    str("configuring_due", formatDate(*f.configuringDue));
    d.AddMember("configuring_due_provisional", f.configuringDueProvisional, a);
  }
  str("live_mapping_version", f.liveMappingVersion);
  if (!f.scenarios.empty()) {
    auto scenarios = json::parse(f.scenarios);
    if (scenarios.ok())
      d.AddMember("scenarios", rapidjson::Value(scenarios.value(), a), a);
  }
  str("created_at", formatRfc3339(f.createdAt));
  str("updated_at", formatRfc3339(f.updatedAt));
  return json::write(d);
}

AuditEntry RegistryService::entry(const Actor& actor, const std::string& action,
                                  const std::string& system, const std::string& itemCode,
                                  const std::string& before, const std::string& after) const {
  AuditEntry e;
  e.at = clock_.now();
  e.actor = actor.name;
  e.role = toString(actor.role);
  e.action = action;
  e.target = filingTarget(system, itemCode);
  e.system = system;
  e.item = itemCode;
  e.before = before;
  e.after = after;
  return e;
}

Error RegistryService::refused(const Error& why, const Actor& actor, const std::string& action,
                               const std::string& system, const std::string& itemCode,
                               const std::optional<Filing>& filing, const std::string& requested) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("refused", json::string(why.code, a), a);
  d.AddMember("reason", json::string(why.message, a), a);
  if (!requested.empty())
    d.AddMember("requested", json::string(requested, a), a);
  const auto appended = store_.appendAudit(entry(
      actor, action, system, itemCode, filing ? filingJson(*filing) : "null", json::write(d)));
  if (!appended.ok()) {
    // The refusal stands; that it could not be recorded is the more urgent news.
    return Error{
        appended.error().code,
        why.message + " (and recording the refusal failed: " + appended.error().message + ")",
        why.path};
  }
  return why;
}

Result<Filing> RegistryService::create(const NewFiling& n, const Actor& actor) {
  if (!plainCode(n.system))
    return invalid("system is 1 to 128 printable characters without spaces or '/'", "system");
  if (!plainCode(n.itemCode))
    return invalid("item code is 1 to 128 printable characters without spaces or '/'", "item");
  for (const auto* text : {&n.itemName, &n.contactName, &n.contactPhone, &n.notes}) {
    if (text->size() > kMaxTextBytes)
      return invalid("a text field is longer than 4096 bytes", "");
  }
  if (auto s = parseScenarios(n.scenarios); !s.ok())
    return s.error();
  if (actor.role != Role::kAdmin && actor.role != Role::kOperator) {
    return refused(
        Error{"filing.forbidden",
              std::string("role ") + toString(actor.role) + " may not create filings", ""},
        actor, "filing.create.refused", n.system, n.itemCode, std::nullopt, "create");
  }
  Filing f;
  f.system = n.system;
  f.itemCode = n.itemCode;
  f.itemName = n.itemName;
  f.contactName = n.contactName;
  f.contactPhone = n.contactPhone;
  f.notes = n.notes;
  f.scenarios = n.scenarios;
  f.state = FilingState::kRequested;
  f.version = 1;
  f.createdAt = clock_.now();
  f.updatedAt = f.createdAt;
  auto stored = store_.createFiling(
      f, entry(actor, "filing.create", f.system, f.itemCode, "null", filingJson(f)));
  if (!stored.ok())
    return stored.error();
  if (changed_)
    changed_(f);
  return f;
}

Result<Filing> RegistryService::move(const std::string& system, const std::string& itemCode,
                                     const MoveRequest& request, const Actor& actor) {
  auto current = store_.filing(system, itemCode);
  if (!current.ok())
    return current.error();
  if (!current.value()) {
    return Error{"filing.not_found", "no filing for item " + itemCode + " of system " + system, ""};
  }
  const Filing& f = *current.value();
  auto refusedMove = [&](const Error& why) {
    return refused(why, actor, "filing.move.refused", system, itemCode, f, toString(request.to));
  };
  auto next = applyMove(f, request, actor, clock_.now(), calendar_, checks_);
  if (!next.ok()) {
    const std::string& code = next.error().code;
    if (code == "filing.forbidden" || code == "filing.illegal_move" || code == "filing.stale")
      return refusedMove(next.error());
    return next.error();
  }
  auto stored = store_.updateFiling(
      next.value(), f.version,
      entry(actor, "filing.move", system, itemCode, filingJson(f), filingJson(next.value())));
  if (!stored.ok()) {
    // Another change landed between the read and this write.
    if (stored.error().code == "filing.stale")
      return refusedMove(stored.error());
    return stored.error();
  }
  if (changed_)
    changed_(next.value());
  return next;
}

Result<Filing> RegistryService::update(const std::string& system, const std::string& itemCode,
                                       std::int64_t expectedVersion, const Actor& actor,
                                       Field field, const std::string& a, const std::string& b) {
  const bool contact = field == Field::kContact;
  const char* what = contact ? "contact" : field == Field::kNotes ? "notes" : "scenarios";
  if (field == Field::kScenarios) {
    if (auto s = parseScenarios(a); !s.ok())
      return s.error();
  }
  if (a.size() > kMaxTextBytes || b.size() > kMaxTextBytes)
    return invalid("a text field is longer than 4096 bytes", "");
  auto current = store_.filing(system, itemCode);
  if (!current.ok())
    return current.error();
  if (!current.value()) {
    return Error{"filing.not_found", "no filing for item " + itemCode + " of system " + system, ""};
  }
  const Filing& f = *current.value();
  if (!mayEdit(actor, system, contact)) {
    return refused(Error{"filing.forbidden",
                         std::string("role ") + toString(actor.role) + " may not change the " +
                             what + " of " + filingTarget(system, itemCode),
                         ""},
                   actor, "filing.update.refused", system, itemCode, f, what);
  }
  if (expectedVersion != f.version) {
    return Error{"filing.stale",
                 "the filing changed since it was read (version " + std::to_string(f.version) +
                     ", not " + std::to_string(expectedVersion) + "): read it again and retry",
                 ""};
  }
  Filing next = f;
  if (contact) {
    next.contactName = a;
    next.contactPhone = b;
  } else if (field == Field::kNotes) {
    next.notes = a;
  } else {
    next.scenarios = a;
  }
  next.version = f.version + 1;
  next.updatedAt = clock_.now();
  auto stored = store_.updateFiling(
      next, f.version,
      entry(actor, "filing.update", system, itemCode, filingJson(f), filingJson(next)));
  if (!stored.ok())
    return stored.error();
  if (changed_)
    changed_(next);
  return next;
}

Result<Filing> RegistryService::updateContact(const std::string& system,
                                              const std::string& itemCode,
                                              std::int64_t expectedVersion,
                                              const std::string& contactName,
                                              const std::string& contactPhone, const Actor& actor) {
  return update(system, itemCode, expectedVersion, actor, Field::kContact, contactName,
                contactPhone);
}

Result<Filing> RegistryService::updateNotes(const std::string& system, const std::string& itemCode,
                                            std::int64_t expectedVersion, const std::string& notes,
                                            const Actor& actor) {
  return update(system, itemCode, expectedVersion, actor, Field::kNotes, notes, "");
}

Result<Filing> RegistryService::updateScenarios(const std::string& system,
                                                const std::string& itemCode,
                                                std::int64_t expectedVersion,
                                                const std::string& scenarios, const Actor& actor) {
  return update(system, itemCode, expectedVersion, actor, Field::kScenarios, scenarios, "");
}

Result<std::optional<Filing>> RegistryService::get(const std::string& system,
                                                   const std::string& itemCode) {
  return store_.filing(system, itemCode);
}

Result<std::vector<Filing>> RegistryService::list(const FilingFilter& filter) {
  return store_.filings(filter);
}

Result<std::int64_t> RegistryService::overdueCount() {
  return store_.overdueCount(chinaDay(clock_.now()));
}

}  // namespace huitong::registry
