// Where filings and the audit trail live: the same database as the exchange store (same SQLite
// file, same PostgreSQL database), tables created by gateway/storage's numbered migrations.
// One interface, two implementations (SQLite, PostgreSQL), one conformance suite
// (tests/storage/RegistryStoreConformance.cpp). RegistryService is the only writer of filings;
// this layer keeps the chain whole (appends serialized, anchor in the same transaction).
// Thread-safe: every method may be called from any thread. Database failures come back as
// Error{"store.*", ...}; nothing here throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/registry/AuditChain.h"
#include "gateway/registry/Filing.h"
#include "gateway/registry/MappingRecord.h"
#include "gateway/registry/StaffAccount.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::registry {

// Filings to list; every given field must match.
struct FilingFilter {
  std::string system;  // "" = every system
  std::optional<FilingState> state;
  std::optional<Day> overdueOn;  // only filings still configuring after their due day
};

// The largest audit page a query returns (a bigger limit is "audit.limit").
constexpr int kMaxAuditPage = 1000;

// An audit query: every given filter must hold. Pages go in seq order, after `afterSeq`.
struct AuditQuery {
  std::string system;
  std::string item;
  std::string actor;
  std::string action;
  std::string targetContains;        // a plain substring of the target (no wildcards)
  std::optional<EpochMillis> since;  // at >= since
  std::optional<EpochMillis> until;  // at <= until
  std::int64_t afterSeq = 0;         // the cursor: the last seq of the previous page
  int limit = 100;                   // 1..kMaxAuditPage
};

struct AuditPage {
  std::vector<AuditEntry> entries;
  // The cursor of the next page (the last entry's seq); 0 when this was the last page.
  std::int64_t nextAfterSeq = 0;
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Opens the registry in the exchange store's database, applying the schema migrations it
  // lacks (storage::ExchangeStore::migrate). New audit entries are hashed with
  // `hashAlgorithm` ("sha256" | "sm3"; "audit.algorithm" otherwise).
  static Result<std::unique_ptr<RegistryStore>> open(const storage::StoreConfig& config,
                                                     const std::string& hashAlgorithm = "sha256");

  // Stores a new filing and, when `audit` is given, appends it to the audit trail in the same
  // transaction. The filing is stored as given (version included). (system, itemCode) on file
  // already: "filing.exists", nothing written. Returns the appended entry (seq, hash filled).
  virtual Result<std::optional<AuditEntry>> createFiling(
      const Filing& filing, const std::optional<AuditEntry>& audit) = 0;

  virtual Result<std::optional<Filing>> filing(const std::string& system,
                                               const std::string& itemCode) = 0;
  // In (system, itemCode) order.
  virtual Result<std::vector<Filing>> filings(const FilingFilter& filter) = 0;
  // Filings still configuring after their due day on `today`.
  virtual Result<std::int64_t> overdueCount(Day today) = 0;

  // Replaces the stored filing (system, itemCode) with `next` when its stored version is still
  // `expectedVersion`, and appends `audit` (when given) in the same transaction.
  // Another version stored: "filing.stale"; none on file: "filing.not_found"; nothing written.
  virtual Result<std::optional<AuditEntry>> updateFiling(
      const Filing& next, std::int64_t expectedVersion, const std::optional<AuditEntry>& audit) = 0;

  // Appends one entry: chained (AuditChain::chain) on the anchor's head, and the anchor moved
  // to it, in one transaction. Appends are serialized (across threads, processes and, on
  // PostgreSQL, instances), so the chain never forks. `at` is raised to the head entry's time
  // when the clock went back, keeping the trail in time order. The caller's seq, prevHash,
  // hash and hashAlgorithm are ignored. Returns the entry as stored.
  virtual Result<AuditEntry> appendAudit(const AuditEntry& entry) = 0;

  // The anchor: entry count and head hash, as the last append wrote them.
  virtual Result<AuditAnchor> anchor() = 0;

  // Reads the anchor, then every entry in seq order, from one snapshot (appends made meanwhile
  // are not seen): for verifying the whole chain without holding it in memory. `visit` returns
  // false to stop early. Returns the snapshot's anchor; nullopt when the anchor row is gone
  // (itself a sign of tampering).
  virtual Result<std::optional<AuditAnchor>> scanChain(
      const std::function<bool(const AuditEntry&)>& visit) = 0;

  // One page of entries matching `query` ("audit.limit" for a limit outside 1..kMaxAuditPage).
  // Every filter is served by an index; a time range is turned into a seq range (entries are
  // in time order, see appendAudit), so a filtered first page stays fast on millions of
  // entries. targetContains of 3 characters or more uses a trigram index (SQLite FTS5;
  // PostgreSQL pg_trgm where the extension could be created), a shorter one scans the other
  // filters' range; either way the match is the exact byte substring.
  virtual Result<AuditPage> queryAudit(const AuditQuery& query) = 0;

  // Mapping versions (migration 6). MappingVersions is their only writer.
  // A new version, and `audit` appended in the same transaction. (system, version) stored
  // already: "mapping.exists", nothing written.
  virtual Result<std::optional<AuditEntry>> insertMappingVersion(
      const MappingVersionRecord& record, const std::optional<AuditEntry>& audit) = 0;
  // Replaces the stored version's state, sha256, input format, bundle, test report, createdBy/At
  // and testedAt when its stored state is still `expectedState`, and appends `audit`.
  // Another state stored: "mapping.stale"; none stored: "mapping.not_found"; nothing written.
  virtual Result<std::optional<AuditEntry>> updateMappingVersion(
      const MappingVersionRecord& record, MappingState expectedState,
      const std::optional<AuditEntry>& audit) = 0;
  // With its bundle.
  virtual Result<std::optional<MappingVersionRecord>> mappingVersion(
      const std::string& system, const std::string& version) = 0;
  // The system's versions, oldest first, without bundles ("" = every system).
  virtual Result<std::vector<MappingVersionRecord>> mappingVersions(const std::string& system) = 0;
  // What every system runs, in system order.
  virtual Result<std::vector<LiveMapping>> liveMappings() = 0;
  // One transaction: makes the stored `version` the one `system` runs when the live
  // generation is still `expectedGeneration` (0: none yet), the generation one more; marks
  // the version published (by `actor` at `at`) unless it is already; sets the live mapping
  // version of the system's filings that are online or suspended (their version + 1); appends
  // `audit`. The live generation moved meanwhile: "mapping.stale"; no such version:
  // "mapping.not_found"; nothing written. Returns the new live row.
  virtual Result<LiveMapping> switchLiveMapping(const std::string& system,
                                                const std::string& version,
                                                std::int64_t expectedGeneration,
                                                const std::string& actor, EpochMillis at,
                                                const std::optional<AuditEntry>& audit) = 0;

  // Staff accounts and sessions (migration 5). StaffAccess is their only writer.
  // A new account, and `audit` appended in the same transaction. The name is taken:
  // "staff.exists", nothing written.
  virtual Result<void> createAccount(const StaffAccount& account,
                                     const std::optional<AuditEntry>& audit) = 0;
  virtual Result<std::optional<StaffAccount>> account(const std::string& name) = 0;
  // In name order.
  virtual Result<std::vector<StaffAccount>> accounts() = 0;
  // Replaces the account's role, system, password hash, disabled flag, failure count, lock
  // and updatedAt, and appends `audit` in the same transaction. None of that name:
  // "staff.not_found". `endSessions` also deletes the account's sessions (password set,
  // disabled).
  virtual Result<void> updateAccount(const StaffAccount& account,
                                     const std::optional<AuditEntry>& audit, bool endSessions) = 0;
  // Stores a session and deletes the sessions expired before `now`.
  virtual Result<void> createSession(const StaffSession& session, EpochMillis now) = 0;
  virtual Result<std::optional<StaffSession>> session(const std::string& tokenHash) = 0;
  virtual Result<void> deleteSession(const std::string& tokenHash) = 0;
};

}  // namespace huitong::registry
