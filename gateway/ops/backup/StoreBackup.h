// The store-specific halves of a backup: a consistent snapshot of a running store and what it
// holds (SQLite: the online backup API, which in WAL mode never blocks the gateway's writers;
// PostgreSQL: pg_dump -Fc on a snapshot exported by a REPEATABLE READ transaction that also
// counts the rows and reads the audit anchor, so the manifest describes exactly what was
// dumped), restoring into a scratch location or for real, and whether a store is in use.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "gateway/core/Error.h"
#include "gateway/ops/backup/BackupPayload.h"
#include "gateway/registry/AuditChain.h"

namespace huitong::ops::backup {

// What a store (or a restored copy) holds.
struct StoreFacts {
  int schemaVersion = 0;
  std::map<std::string, std::int64_t> rowCounts;
  std::int64_t auditEntries = 0;  // the anchor's count
  std::string auditHead;          // the anchor's head
  // recomputeChain only: the chain recomputed entry by entry (its head, and whether every hash
  // and link holds against the anchor).
  std::optional<registry::ChainVerdict> chain;
};

// ---- SQLite ----
// Copies the live database `storePath` into `outPath` (a new file, or the live store a restore
// replaces) with sqlite3_backup_*; removes outPath when it fails and `removeOnFailure`.
Result<void> sqliteOnlineCopy(const std::string& storePath, const std::string& outPath,
                              bool removeOnFailure = true);
// Counts rows of every table, reads schema version and anchor; with recomputeChain also checks
// `PRAGMA quick_check` and walks the audit chain.
Result<StoreFacts> sqliteFacts(const std::string& dbPath, bool recomputeChain);
// Whether another process has the database open (it holds the WAL shared-memory file's
// "DMS" lock, as every SQLite connection in WAL mode does while it is open).
bool sqliteInUse(const std::string& storePath);

// ---- PostgreSQL ----
// pg_dump on PATH, else the newest /usr/lib/postgresql/<n>/bin; "" when none.
std::string findPgTool(const std::string& name);
// Runs pg_dump -Fc on an exported snapshot of `conninfo` and hands its output to `consume`
// (which writes the payload); returns the snapshot's facts.
Result<StoreFacts> postgresDump(const std::string& conninfo,
                                const std::function<Result<void>(const ByteSource&)>& consume);
// Restores the plaintext dump `dumpPath` into a new scratch database on the same server, takes
// its facts (recomputing the chain) and drops the database.
Result<StoreFacts> postgresRestoreTest(const std::string& conninfo, const std::string& dumpPath);
// pg_restore --clean --if-exists --single-transaction into the store's database.
Result<void> postgresRestore(const std::string& conninfo, const std::string& dumpPath);
// Other sessions of a Huitong gateway on the store's database (application_name huitong-*).
Result<std::int64_t> postgresGatewaySessions(const std::string& conninfo);

}  // namespace huitong::ops::backup
