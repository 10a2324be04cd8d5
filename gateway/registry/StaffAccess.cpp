#include "gateway/registry/StaffAccess.h"

#include <rapidjson/document.h>

#include "gateway/core/Json.h"

namespace huitong::registry {
namespace {

constexpr std::size_t kMaxPasswordChars = 1024;
// Beyond this many unknown names in memory the oldest-keyed are forgotten: an attacker
// spraying names cannot grow the process without bound.
constexpr std::size_t kMaxUnknownNames = 10000;
// A name longer than an account name can be is cut in the trail.
constexpr std::size_t kMaxLoggedName = 64;

Error failed() {
  return Error{"auth.failed", "the name or the password is wrong, or the account is disabled", ""};
}

Error locked(EpochMillis until) {
  return Error{"auth.locked", "too many failed logins: try again after " + formatRfc3339(until),
               ""};
}

std::string loggedName(const std::string& name) {
  if (name.size() <= kMaxLoggedName)
    return name;
  // Cut on a character boundary: the trail stays valid UTF-8.
  std::size_t cut = kMaxLoggedName;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xc0) == 0x80)
    --cut;
  return name.substr(0, cut);
}

std::string failureJson(const char* reason, int failures) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("reason", rapidjson::StringRef(reason), a);
  d.AddMember("consecutive_failures", failures, a);
  return json::write(d);
}

std::string untilJson(const char* key, EpochMillis at) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember(rapidjson::StringRef(key), json::string(formatRfc3339(at), a), a);
  return json::write(d);
}

}  // namespace

Result<void> checkPassword(const std::string& password) {
  std::size_t chars = 0;
  for (unsigned char c : password) {
    if ((c & 0xc0) != 0x80)
      ++chars;
  }
  if (chars < kMinPasswordLength || chars > kMaxPasswordChars) {
    return Error{"staff.weak_password",
                 "a password has " + std::to_string(kMinPasswordLength) + " to " +
                     std::to_string(kMaxPasswordChars) + " characters",
                 ""};
  }
  return {};
}

AuditEntry StaffAccess::entry(const std::string& actor, const std::string& role,
                              const std::string& action, const std::string& name,
                              const std::string& before, const std::string& after) const {
  AuditEntry e;
  e.at = clock_.now();
  e.actor = actor;
  e.role = role;
  e.action = action;
  e.target = "staff " + loggedName(name);
  e.before = before;
  e.after = after;
  return e;
}

Result<LoginGrant> StaffAccess::login(const std::string& name, const std::string& password) {
  const EpochMillis now = clock_.now();
  auto found = store_.account(name);
  if (!found.ok())
    return found.error();
  // The slow hash runs outside the lock (logins of different people go in parallel) and runs
  // for every attempt — unknown name, locked or disabled account alike — so that the time an
  // answer takes tells nothing.
  const std::string stored =
      found.value() ? found.value()->passwordHash
                    : "pbkdf2-sha256$" + std::to_string(policy_.passwordIterations) +
                          "$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  const bool matches = verifyPassword(password, stored) && found.value().has_value();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!found.value())
    return failUnknown(name, now);
  // Read again under the lock: another attempt may have counted a failure meanwhile.
  found = store_.account(name);
  if (!found.ok())
    return found.error();
  if (!found.value())
    return failed();
  StaffAccount account = *found.value();
  const char* role = toString(account.role);
  if (account.lockedUntil > now) {
    (void)store_.appendAudit(
        entry(name, role, "login.failed", name, "null", failureJson("locked", 0)));
    return locked(account.lockedUntil);
  }
  // A password set meanwhile: the one checked is no longer the account's.
  if (matches && !account.disabled && account.passwordHash == stored) {
    LoginGrant grant;
    grant.token = base64Url(randomBytes(32));
    grant.expiresAt = now + policy_.sessionMillis;
    grant.actor = Actor{account.name, account.role, account.system};
    if (auto s =
            store_.createSession(StaffSession{sha256Hex(grant.token), name, grant.expiresAt}, now);
        !s.ok())
      return s.error();
    account.failedLogins = 0;
    account.lockedUntil = 0;
    account.updatedAt = now;
    auto stored = store_.updateAccount(
        account, entry(name, role, "login", name, "null", untilJson("expires_at", grant.expiresAt)),
        false);
    if (!stored.ok())
      return stored.error();
    return grant;
  }
  account.failedLogins += 1;
  account.updatedAt = now;
  const bool lockNow = account.failedLogins >= policy_.maxFailures;
  if (lockNow) {
    account.lockedUntil = now + policy_.lockoutMillis;
    account.failedLogins = 0;
  }
  auto audit =
      lockNow
          ? entry(name, role, "login.locked", name, "null",
                  untilJson("locked_until", account.lockedUntil))
          : entry(name, role, "login.failed", name, "null",
                  failureJson(account.disabled ? "disabled" : "password", account.failedLogins));
  if (auto s = store_.updateAccount(account, audit, false); !s.ok())
    return s.error();
  return lockNow ? locked(account.lockedUntil) : failed();
}

Result<LoginGrant> StaffAccess::failUnknown(const std::string& name, EpochMillis now) {
  const std::string logged = loggedName(name);
  if (unknown_.size() >= kMaxUnknownNames && unknown_.count(logged) == 0)
    unknown_.erase(unknown_.begin());
  UnknownName& u = unknown_[logged];
  if (u.lockedUntil > now) {
    (void)store_.appendAudit(
        entry(logged, "none", "login.failed", name, "null", failureJson("locked", 0)));
    return locked(u.lockedUntil);
  }
  u.failures += 1;
  if (u.failures >= policy_.maxFailures) {
    u.failures = 0;
    u.lockedUntil = now + policy_.lockoutMillis;
    if (auto a = store_.appendAudit(entry(logged, "none", "login.locked", name, "null",
                                          untilJson("locked_until", u.lockedUntil)));
        !a.ok())
      return a.error();
    return locked(u.lockedUntil);
  }
  if (auto a = store_.appendAudit(entry(logged, "none", "login.failed", name, "null",
                                        failureJson("unknown_name", u.failures)));
      !a.ok())
    return a.error();
  return failed();
}

Result<Actor> StaffAccess::authenticate(const std::string& token) {
  const Error refused{"auth.token", "no valid login token: log in again", ""};
  if (token.empty())
    return refused;
  auto s = store_.session(sha256Hex(token));
  if (!s.ok())
    return s.error();
  if (!s.value() || s.value()->expiresAt <= clock_.now())
    return refused;
  auto a = store_.account(s.value()->name);
  if (!a.ok())
    return a.error();
  if (!a.value() || a.value()->disabled)
    return refused;
  return Actor{a.value()->name, a.value()->role, a.value()->system};
}

Result<void> StaffAccess::logout(const std::string& token) {
  auto actor = authenticate(token);
  if (!actor.ok())
    return actor.error();
  if (auto d = store_.deleteSession(sha256Hex(token)); !d.ok())
    return d;
  auto a = store_.appendAudit(entry(actor.value().name, toString(actor.value().role), "logout",
                                    actor.value().name, "null", "null"));
  if (!a.ok())
    return a.error();
  return {};
}

Result<StaffAccount> StaffAccess::createAccount(const std::string& name, Role role,
                                                const std::string& system,
                                                const std::string& password, const ChangedBy& by) {
  if (!validAccountName(name)) {
    return Error{"staff.invalid", "an account name is 1 to 64 of A-Z a-z 0-9 . _ @ -", "name"};
  }
  if ((role == Role::kDepartment) == system.empty()) {
    return Error{"staff.invalid", "a department account names its system; other roles name none",
                 "system"};
  }
  if (auto p = checkPassword(password); !p.ok())
    return p.error();
  StaffAccount account;
  account.name = name;
  account.role = role;
  account.system = system;
  account.passwordHash = hashPassword(password, policy_.passwordIterations);
  account.createdAt = account.updatedAt = clock_.now();
  auto created = store_.createAccount(
      account, entry(by.name, by.role, "user.create", name, "null", accountJson(account)));
  if (!created.ok())
    return created.error();
  return account;
}

Result<std::vector<StaffAccount>> StaffAccess::accounts() {
  return store_.accounts();
}

Result<StaffAccount> StaffAccess::existing(const std::string& name) {
  auto found = store_.account(name);
  if (!found.ok())
    return found.error();
  if (!found.value())
    return Error{"staff.not_found", "no account named " + name, "name"};
  return *found.value();
}

Result<void> StaffAccess::setPassword(const std::string& name, const std::string& password,
                                      const ChangedBy& by) {
  if (auto p = checkPassword(password); !p.ok())
    return p;
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = existing(name);
  if (!found.ok())
    return found.error();
  StaffAccount account = found.value();
  account.passwordHash = hashPassword(password, policy_.passwordIterations);
  account.failedLogins = 0;
  account.lockedUntil = 0;
  account.updatedAt = clock_.now();
  return store_.updateAccount(
      account,
      entry(by.name, by.role, "user.password", name, accountJson(account), accountJson(account)),
      true);
}

Result<void> StaffAccess::disable(const std::string& name, const ChangedBy& by) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = existing(name);
  if (!found.ok())
    return found.error();
  StaffAccount account = found.value();
  const std::string before = accountJson(account);
  account.disabled = true;
  account.updatedAt = clock_.now();
  return store_.updateAccount(
      account, entry(by.name, by.role, "user.disable", name, before, accountJson(account)), true);
}

}  // namespace huitong::registry
