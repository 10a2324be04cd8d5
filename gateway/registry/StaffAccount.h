// Staff accounts (admin, operator, auditor, department) and how their passwords are kept:
// PBKDF2-HMAC-SHA256 with a random 16-byte salt, stored as `pbkdf2-sha256$ITER$SALT$HASH`
// (salt and hash base64url), compared in constant time. Pure functions and values; the
// registry store keeps accounts and sessions, StaffAccess decides logins.
#pragma once

#include <cstdint>
#include <string>

#include "gateway/core/Clock.h"
#include "gateway/registry/Filing.h"

namespace huitong::registry {

// OWASP's 2023 floor for PBKDF2-HMAC-SHA256.
constexpr int kPasswordIterations = 310000;
// Shorter passwords are refused when an account is created or its password set.
constexpr std::size_t kMinPasswordLength = 12;

struct StaffAccount {
  std::string name;
  Role role = Role::kOperator;
  std::string system;  // department accounts: the one system they act for
  std::string passwordHash;
  bool disabled = false;
  int failedLogins = 0;         // consecutive failures since the last successful login
  EpochMillis lockedUntil = 0;  // no login before this time
  EpochMillis createdAt = 0;
  EpochMillis updatedAt = 0;
};

// A login session: only the SHA-256 (hex) of its bearer token is stored.
struct StaffSession {
  std::string tokenHash;
  std::string name;
  EpochMillis expiresAt = 0;
};

// PBKDF2-HMAC-SHA256 of `password` (raw bytes out, `length` of them).
std::string pbkdf2Sha256(const std::string& password, const std::string& salt, int iterations,
                         std::size_t length);
// A new stored hash with a fresh random salt.
std::string hashPassword(const std::string& password, int iterations = kPasswordIterations);
// Whether `password` matches `stored`; false for a malformed stored value. The hashes are
// compared with CRYPTO_memcmp (time independent of where they differ).
bool verifyPassword(const std::string& password, const std::string& stored);
// Equal length and bytes, in time that depends only on the length.
bool constantTimeEquals(const std::string& a, const std::string& b);

// `n` random bytes (OpenSSL's CSPRNG), and base64url without padding.
std::string randomBytes(std::size_t n);
std::string base64Url(const std::string& bytes);
// Lowercase hex SHA-256 of `text`.
std::string sha256Hex(const std::string& text);

// Account names: 1..64 of [A-Za-z0-9._@-] (they appear in audit entries and the CLI).
bool validAccountName(const std::string& name);

// The account as JSON for audit entries: never the password hash.
std::string accountJson(const StaffAccount& account);

}  // namespace huitong::registry
