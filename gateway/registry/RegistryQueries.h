// The registry's statements, written once with PostgreSQL's $1..$n parameters (the SQLite store
// reads them as ?1..?n), and the builders of the two queries whose filters vary. Internal to
// gateway/registry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/registry/RegistryStore.h"

namespace huitong::registry::queries {

// Column order of kFilingColumns, shared by every read and by the insert.
inline constexpr const char* kFilingColumns =
    "system, item_code, item_name, state, version, contact_name, contact_phone, notes,"
    " requirement_confirmed_at, configuring_due, configuring_due_provisional,"
    " live_mapping_version, created_at, updated_at, scenarios";

inline constexpr const char* kInsertFiling =
    "INSERT INTO filing (system, item_code, item_name, state, version, contact_name,"
    " contact_phone, notes, requirement_confirmed_at, configuring_due,"
    " configuring_due_provisional, live_mapping_version, created_at, updated_at, scenarios)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

inline constexpr const char* kSelectFiling =
    "SELECT system, item_code, item_name, state, version, contact_name, contact_phone, notes,"
    " requirement_confirmed_at, configuring_due, configuring_due_provisional,"
    " live_mapping_version, created_at, updated_at, scenarios FROM filing"
    " WHERE system = $1 AND item_code = $2";

// $16 = the version the caller read: no row changed means stale (or gone).
inline constexpr const char* kUpdateFiling =
    "UPDATE filing SET item_name = $3, state = $4, version = $5, contact_name = $6,"
    " contact_phone = $7, notes = $8, requirement_confirmed_at = $9, configuring_due = $10,"
    " configuring_due_provisional = $11, live_mapping_version = $12, created_at = $13,"
    " updated_at = $14, scenarios = $15 WHERE system = $1 AND item_code = $2 AND version = $16";

inline constexpr const char* kFilingVersion =
    "SELECT version FROM filing WHERE system = $1 AND item_code = $2";

// $1 = the day asked about (YYYY-MM-DD; ISO dates order as text).
inline constexpr const char* kOverdueCount =
    "SELECT COUNT(*) FROM filing WHERE state = 'configuring' AND configuring_due <> ''"
    " AND configuring_due < $1";

inline constexpr const char* kAnchor = "SELECT entry_count, head FROM audit_anchor WHERE id = 1";
// PostgreSQL: the row lock that serializes appends (instances included).
inline constexpr const char* kAnchorForUpdate =
    "SELECT entry_count, head FROM audit_anchor WHERE id = 1 FOR UPDATE";
inline constexpr const char* kMoveAnchor =
    "UPDATE audit_anchor SET entry_count = $1, head = $2 WHERE id = 1";
inline constexpr const char* kEntryAt = "SELECT at FROM audit_entry WHERE seq = $1";

inline constexpr const char* kInsertEntry =
    "INSERT INTO audit_entry (seq, at, actor, role, action, target, system, item, before_json,"
    " after_json, alg, prev_hash, hash)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

inline constexpr const char* kEntryColumns =
    "seq, at, actor, role, action, target, system, item, before_json, after_json, alg,"
    " prev_hash, hash";

inline constexpr const char* kScanEntries =
    "SELECT seq, at, actor, role, action, target, system, item, before_json, after_json, alg,"
    " prev_hash, hash FROM audit_entry ORDER BY seq";

// Entries are in time order (appendAudit), so a time bound is a seq bound; the (at, seq)
// index finds it in one probe.
inline constexpr const char* kFirstSeqSince =
    "SELECT seq FROM audit_entry WHERE at >= $1 ORDER BY at, seq LIMIT 1";
inline constexpr const char* kLastSeqUntil =
    "SELECT seq FROM audit_entry WHERE at <= $1 ORDER BY at DESC, seq DESC LIMIT 1";

enum class Dialect { kSqlite, kPostgres };

// A statement with its parameters in order ($1, $2, ...).
struct BuiltQuery {
  struct Param {
    bool isNull = false;
    bool isInt = false;
    std::int64_t integer = 0;
    std::string text;
  };
  std::string sql;
  std::vector<Param> params;

  std::string add(std::int64_t v);
  std::string add(const std::string& v);
  std::string addNull();
};

// The 14 parameters of kInsertFiling / the first 14 of kUpdateFiling.
BuiltQuery filingParams(const Filing& f);

// Rows in kFilingColumns / kEntryColumns order. Row: text(c), int64(c), isNull(c).
template <typename Row>
Filing filingFromRow(const Row& r) {
  Filing f;
  f.system = r.text(0);
  f.itemCode = r.text(1);
  f.itemName = r.text(2);
  f.state = filingStateFrom(r.text(3)).value_or(FilingState::kRequested);
  f.version = r.int64(4);
  f.contactName = r.text(5);
  f.contactPhone = r.text(6);
  f.notes = r.text(7);
  if (!r.isNull(8))
    f.requirementConfirmedAt = r.int64(8);
  if (auto due = parseDate(r.text(9)); due.ok())
    f.configuringDue = due.value();
  f.configuringDueProvisional = r.int64(10) != 0;
  f.liveMappingVersion = r.text(11);
  f.createdAt = r.int64(12);
  f.updatedAt = r.int64(13);
  f.scenarios = r.text(14);
  return f;
}

template <typename Row>
AuditEntry entryFromRow(const Row& r) {
  AuditEntry e;
  e.seq = r.int64(0);
  e.at = r.int64(1);
  e.actor = r.text(2);
  e.role = r.text(3);
  e.action = r.text(4);
  e.target = r.text(5);
  e.system = r.text(6);
  e.item = r.text(7);
  e.before = r.text(8);
  e.after = r.text(9);
  e.hashAlgorithm = r.text(10);
  e.prevHash = r.text(11);
  e.hash = r.text(12);
  return e;
}

inline constexpr const char* kAccountColumns =
    "name, role, system, password_hash, disabled, failed_logins, locked_until, created_at,"
    " updated_at";
inline constexpr const char* kInsertAccount =
    "INSERT INTO staff_account (name, role, system, password_hash, disabled, failed_logins,"
    " locked_until, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
inline constexpr const char* kSelectAccount =
    "SELECT name, role, system, password_hash, disabled, failed_logins, locked_until,"
    " created_at, updated_at FROM staff_account WHERE name = $1";
inline constexpr const char* kSelectAccounts =
    "SELECT name, role, system, password_hash, disabled, failed_logins, locked_until,"
    " created_at, updated_at FROM staff_account ORDER BY name";
inline constexpr const char* kUpdateAccount =
    "UPDATE staff_account SET role = $2, system = $3, password_hash = $4, disabled = $5,"
    " failed_logins = $6, locked_until = $7, created_at = $8, updated_at = $9 WHERE name = $1";
inline constexpr const char* kDeleteAccountSessions = "DELETE FROM staff_session WHERE name = $1";
inline constexpr const char* kInsertSession =
    "INSERT INTO staff_session (token_hash, name, expires_at) VALUES ($1, $2, $3)";
inline constexpr const char* kDeleteExpiredSessions =
    "DELETE FROM staff_session WHERE expires_at < $1";
inline constexpr const char* kSelectSession =
    "SELECT token_hash, name, expires_at FROM staff_session WHERE token_hash = $1";
inline constexpr const char* kDeleteSession = "DELETE FROM staff_session WHERE token_hash = $1";

// The 9 parameters of kInsertAccount / kUpdateAccount.
BuiltQuery accountParams(const StaffAccount& a);

template <typename Row>
StaffAccount accountFromRow(const Row& r) {
  StaffAccount a;
  a.name = r.text(0);
  a.role = roleFrom(r.text(1)).value_or(Role::kAuditor);
  a.system = r.text(2);
  a.passwordHash = r.text(3);
  a.disabled = r.int64(4) != 0;
  a.failedLogins = static_cast<int>(r.int64(5));
  a.lockedUntil = r.int64(6);
  a.createdAt = r.int64(7);
  a.updatedAt = r.int64(8);
  return a;
}

// Mapping versions (migration 6). Lists leave the bundle out ('' in its column).
inline constexpr const char* kInsertMappingVersion =
    "INSERT INTO mapping_version (system, version, state, sha256, input_format, bundle,"
    " test_report, created_by, created_at, tested_at, published_by, published_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
// $13 = the state the caller read.
inline constexpr const char* kUpdateMappingVersion =
    "UPDATE mapping_version SET state = $3, sha256 = $4, input_format = $5, bundle = $6,"
    " test_report = $7, created_by = $8, created_at = $9, tested_at = $10, published_by = $11,"
    " published_at = $12 WHERE system = $1 AND version = $2 AND state = $13";
inline constexpr const char* kSelectMappingVersion =
    "SELECT system, version, state, sha256, input_format, bundle, test_report, created_by,"
    " created_at, tested_at, published_by, published_at FROM mapping_version"
    " WHERE system = $1 AND version = $2";
// $1 = '' lists every system.
inline constexpr const char* kSelectMappingVersions =
    "SELECT system, version, state, sha256, input_format, '', test_report, created_by,"
    " created_at, tested_at, published_by, published_at FROM mapping_version"
    " WHERE $1 = '' OR system = $1 ORDER BY system, created_at, version";
inline constexpr const char* kMappingVersionState =
    "SELECT state FROM mapping_version WHERE system = $1 AND version = $2";
inline constexpr const char* kSelectLiveMappings =
    "SELECT system, version, generation, switched_by, switched_at FROM mapping_live"
    " ORDER BY system";
inline constexpr const char* kLiveGeneration =
    "SELECT generation FROM mapping_live WHERE system = $1";
inline constexpr const char* kInsertLiveMapping =
    "INSERT INTO mapping_live (system, version, generation, switched_by, switched_at)"
    " VALUES ($1, $2, $3, $4, $5)";
// $6 = the generation the caller read.
inline constexpr const char* kUpdateLiveMapping =
    "UPDATE mapping_live SET version = $2, generation = $3, switched_by = $4, switched_at = $5"
    " WHERE system = $1 AND generation = $6";
inline constexpr const char* kMarkMappingPublished =
    "UPDATE mapping_version SET state = 'published', published_by = $3, published_at = $4"
    " WHERE system = $1 AND version = $2 AND state <> 'published'";
inline constexpr const char* kSwitchFilingsMapping =
    "UPDATE filing SET live_mapping_version = $2, version = version + 1, updated_at = $3"
    " WHERE system = $1 AND state IN ('online', 'suspended') AND live_mapping_version <> $2";

// The 12 parameters of kInsertMappingVersion / the first 12 of kUpdateMappingVersion.
BuiltQuery mappingVersionParams(const MappingVersionRecord& m);

template <typename Row>
MappingVersionRecord mappingVersionFromRow(const Row& r) {
  MappingVersionRecord m;
  m.system = r.text(0);
  m.version = r.text(1);
  m.state = mappingStateFrom(r.text(2)).value_or(MappingState::kDraft);
  m.sha256 = r.text(3);
  m.inputFormat = r.text(4);
  m.bundle = r.text(5);
  m.testReport = r.text(6);
  m.createdBy = r.text(7);
  m.createdAt = r.int64(8);
  m.testedAt = r.int64(9);
  m.publishedBy = r.text(10);
  m.publishedAt = r.int64(11);
  return m;
}

template <typename Row>
LiveMapping liveMappingFromRow(const Row& r) {
  return LiveMapping{r.text(0), r.text(1), r.int64(2), r.text(3), r.int64(4)};
}

// The errors of a switch or update that changed no row, worded once for both stores.
Error mappingNotFound(const std::string& system, const std::string& version);
Error mappingStale(const std::string& system, const std::string& what);

// The 13 parameters of kInsertEntry.
BuiltQuery entryParams(const AuditEntry& e);

// The next entry after the anchor: `at` raised to `headAt` (time order), chained with
// `algorithm`. Done inside the append's transaction, after the anchor was read (and locked).
Result<AuditEntry> nextEntry(const AuditEntry& entry, const AuditAnchor& anchor, EpochMillis headAt,
                             const std::string& algorithm);

// "audit.limit" / "audit.filter" for a query no store should run.
Result<void> checkQuery(const AuditQuery& q);

BuiltQuery filingsQuery(const FilingFilter& filter);

// The shortest target substring, in characters, the trigram indexes (migration 8) can look up;
// a shorter one (or text that is not valid UTF-8) is found by scanning the other filters' range.
inline constexpr int kTargetIndexMinChars = 3;
bool targetIndexServes(const std::string& substring);

// One page plus one row (to know whether another page follows). `seqFrom`/`seqTo` are the seq
// bounds the time range came to (inclusive).
BuiltQuery auditPageQuery(const AuditQuery& q, std::int64_t seqFrom, std::int64_t seqTo,
                          Dialect dialect);

}  // namespace huitong::registry::queries
