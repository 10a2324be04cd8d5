// Who is at the keyboard: staff accounts, logins with short-lived bearer tokens, lockout after
// repeated failures, and the account changes the `huitong user` CLI makes — each an audit
// entry ("login", "login.failed", "login.locked", "logout", "user.create", ...). Answers never
// say whether a name exists: an unknown name fails and locks exactly as a wrong password does.
// Thread-safe; the store and clock outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/registry/Filing.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/registry/StaffAccount.h"

namespace huitong::registry {

struct AccessPolicy {
  std::int64_t sessionMillis = 30 * 60 * 1000;  // a login token's life
  int maxFailures = 5;                          // consecutive failures before a lock
  std::int64_t lockoutMillis = 15 * 60 * 1000;  // how long a lock lasts
  int passwordIterations = kPasswordIterations;
};

struct LoginGrant {
  std::string token;  // give it back as `Authorization: Bearer <token>`
  EpochMillis expiresAt = 0;
  Actor actor;
};

// Who made an account change: "cli:<os user>" with role "system", or a logged-in admin.
struct ChangedBy {
  std::string name;
  std::string role;
};

class StaffAccess {
 public:
  StaffAccess(RegistryStore& store, const Clock& clock, AccessPolicy policy = {})
      : store_(store), clock_(clock), policy_(policy) {}

  // A token for the right name and password. Errors: "auth.failed" (401: wrong name or
  // password, disabled account), "auth.locked" (429: too many failures; the lock ends at the
  // time in the message). Audited "login", "login.failed", "login.locked".
  Result<LoginGrant> login(const std::string& name, const std::string& password);
  // The actor a live token belongs to; "auth.token" (401) for a missing, unknown or expired
  // token or a disabled account.
  Result<Actor> authenticate(const std::string& token);
  // Ends the token's session. Audited "logout".
  Result<void> logout(const std::string& token);

  // "staff.invalid" (bad name, role/system mismatch), "staff.weak_password", "staff.exists".
  // Audited "user.create".
  Result<StaffAccount> createAccount(const std::string& name, Role role, const std::string& system,
                                     const std::string& password, const ChangedBy& by);
  Result<std::vector<StaffAccount>> accounts();
  // Ends the account's sessions and clears a lock. Audited "user.password".
  Result<void> setPassword(const std::string& name, const std::string& password,
                           const ChangedBy& by);
  // Ends the account's sessions; logins are refused from then on. Audited "user.disable".
  Result<void> disable(const std::string& name, const ChangedBy& by);

  const AccessPolicy& policy() const { return policy_; }

 private:
  // Failures of names with no account, so that they lock like real ones (bounded).
  struct UnknownName {
    int failures = 0;
    EpochMillis lockedUntil = 0;
  };

  AuditEntry entry(const std::string& actor, const std::string& role, const std::string& action,
                   const std::string& name, const std::string& before,
                   const std::string& after) const;
  Result<LoginGrant> failUnknown(const std::string& name, EpochMillis now);
  Result<StaffAccount> existing(const std::string& name);

  RegistryStore& store_;
  const Clock& clock_;
  const AccessPolicy policy_;
  std::mutex mutex_;  // failure counting is read-modify-write (never held while hashing)
  std::map<std::string, UnknownName> unknown_;
};

// "staff.weak_password" unless 12..1024 characters (UTF-8 code points).
Result<void> checkPassword(const std::string& password);

}  // namespace huitong::registry
