// What the audit trail records of the gateway's configuration: the config file as canonical
// JSON with every secret replaced by its SHA-256 fingerprint and every credential file it names
// (TLS keys and certificates, CA bundles, department public keys, connection files) recorded by
// the SHA-256 of its content — a rotated key shows in the trail, a secret never enters it.
// `huitong serve` compares it at start with what the trail last recorded (docs/audit.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::http {

// The config as the trail records it: the file as written (read from config.document), members
// sorted, no whitespace, with
// - a secret (ops_token, token, secret, password, key, authorization, *_token, *_secret,
//   *_password, *_key, ...) replaced by {"sha256": HEX};
// - a string holding a password (password=… / pwd=… of a connection string, user:pass@ of a
//   URL) replaced by {"text": the string with "***" for the password, "sha256": HEX of it};
// - a credential file (certificate_file, private_key_file, ca_file, public_key_file,
//   connection_file, *_key_file, *_cert_file, password_file) replaced by {"path": as written,
//   "sha256": HEX of its content} ("unreadable" when it cannot be read). Relative paths are taken
//   from the config file's folder.
// An object with a "sha256" member is a credential: a leaf of the diffs below.
std::string redactedConfig(const GatewayConfig& config);

// JSON Pointers of what differs between two redacted configs (changed, added or removed
// leaves; a credential object is one leaf), sorted.
std::vector<std::string> changedFields(const rapidjson::Value& before,
                                       const rapidjson::Value& after);

// The credentials of one scope that differ between two redacted configs.
struct CredentialChange {
  std::string system;                // the department system; "" for the gateway's own
  std::vector<std::string> changes;  // "key hy-2026 added", "key hy-2025 rotated", "token removed"
  std::string before;                // JSON: label -> fingerprint, before
  std::string after;                 // the same, after
};

// Per department system: its keys by key_id (added, removed, rotated: another secret, public
// key or algorithm), its token, its client certificates, and any other credential in its block
// (an adapter's connection password). Then the gateway's own (ops_token, the platform token
// and client certificate, TLS files, the store connection's password), named by JSON Pointer.
std::vector<CredentialChange> credentialChanges(const rapidjson::Value& before,
                                                const rapidjson::Value& after);

// The entries one start appends, given the config the trail last recorded (nullopt: none yet)
// and the current one (both redactedConfig text): "config.initial" on the first start;
// nothing when unchanged; otherwise one "credential.change" per scope whose credentials
// changed, then "config.change" (before/after: the redacted configs; target naming the changed
// fields). `configFile` names the file in targets.
std::vector<registry::AuditEntry> configAuditEntries(const std::optional<std::string>& recorded,
                                                     const std::string& current,
                                                     const std::string& configFile,
                                                     const std::string& actor, EpochMillis now);

// "serve:<os user>@<host>": who starts the gateway, as the trail names it (role "system").
std::string serveActor();

// Reads the config the trail last recorded (the latest config.initial or config.change) and
// appends configAuditEntries for `config`. Returns the entries as stored (empty: unchanged).
// The store's errors come back as they are; an entry not appended is tried again next start.
Result<std::vector<registry::AuditEntry>> recordConfig(registry::RegistryStore& trail,
                                                       const GatewayConfig& config,
                                                       const std::string& actor, EpochMillis now);

}  // namespace huitong::http
