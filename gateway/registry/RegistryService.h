// The filing registry as people use it: create filings, move them through their life (Filing.h
// decides), change contact and notes — each change stored with its audit entry in one
// transaction (nothing half-applied), and refusals that touch access audited too.
// Thread-safe as the store is; the store, clock, calendar and checks outlive the service.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/registry/Filing.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/registry/RequiredScenarios.h"

namespace huitong::registry {

struct NewFiling {
  std::string system;
  std::string itemCode;
  std::string itemName;
  std::string contactName;
  std::string contactPhone;
  std::string notes;
  std::string scenarios;  // normalizeScenarios' text; "" = the default sandbox scenarios
};

// The filing as JSON (what an audit entry's before/after and `huitong filing show` carry).
std::string filingJson(const Filing& filing);
// "filing SYSTEM/ITEM": an audit entry's target.
std::string filingTarget(const std::string& system, const std::string& itemCode);

class RegistryService {
 public:
  RegistryService(RegistryStore& store, const Clock& clock, const WorkCalendar& calendar,
                  const GoLiveChecks& checks)
      : store_(store), clock_(clock), calendar_(calendar), checks_(checks) {}

  // A new filing, state requested, version 1. Audited "filing.create". Admins and operators
  // only ("filing.forbidden", audited "filing.create.refused"); "filing.exists"; bad fields:
  // "filing.invalid".
  Result<Filing> create(const NewFiling& filing, const Actor& actor);

  // Moves the filing (Filing.h's applyMove). Audited "filing.move"; a move refused as
  // filing.forbidden, filing.illegal_move or filing.stale is audited "filing.move.refused".
  // "filing.not_found" when there is none.
  Result<Filing> move(const std::string& system, const std::string& itemCode,
                      const MoveRequest& move, const Actor& actor);

  // The department's contact. Admins, operators, and a department account for its own system.
  // Audited "filing.update"; refused for the role: "filing.forbidden", audited
  // "filing.update.refused"; a stale expectedVersion: "filing.stale".
  Result<Filing> updateContact(const std::string& system, const std::string& itemCode,
                               std::int64_t expectedVersion, const std::string& contactName,
                               const std::string& contactPhone, const Actor& actor);
  // Free notes. Admins and operators; otherwise as updateContact.
  Result<Filing> updateNotes(const std::string& system, const std::string& itemCode,
                             std::int64_t expectedVersion, const std::string& notes,
                             const Actor& actor);
  // The sandbox scenarios going online requires (RequiredScenarios.h; `scenarios` as
  // normalizeScenarios gives it, "" = the defaults). Admins and operators; as updateNotes.
  Result<Filing> updateScenarios(const std::string& system, const std::string& itemCode,
                                 std::int64_t expectedVersion, const std::string& scenarios,
                                 const Actor& actor);

  // Told of every filing this service stored (created, moved, updated), right after the commit
  // (the intake gate's FilingSnapshot::apply). REQUIRES: set before the service is shared.
  void setChangeListener(std::function<void(const Filing&)> listener) {
    changed_ = std::move(listener);
  }

  Result<std::optional<Filing>> get(const std::string& system, const std::string& itemCode);
  Result<std::vector<Filing>> list(const FilingFilter& filter);
  // Filings still configuring after their due day (today in China).
  Result<std::int64_t> overdueCount();

 private:
  AuditEntry entry(const Actor& actor, const std::string& action, const std::string& system,
                   const std::string& itemCode, const std::string& before,
                   const std::string& after) const;
  // Records a refusal that touches access, then returns it.
  Error refused(const Error& why, const Actor& actor, const std::string& action,
                const std::string& system, const std::string& itemCode,
                const std::optional<Filing>& filing, const std::string& requested);
  enum class Field { kContact, kNotes, kScenarios };
  Result<Filing> update(const std::string& system, const std::string& itemCode,
                        std::int64_t expectedVersion, const Actor& actor, Field field,
                        const std::string& a, const std::string& b);

  RegistryStore& store_;
  const Clock& clock_;
  const WorkCalendar& calendar_;
  const GoLiveChecks& checks_;
  std::function<void(const Filing&)> changed_;
};

}  // namespace huitong::registry
