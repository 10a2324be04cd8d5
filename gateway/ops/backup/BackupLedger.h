// The records of every backup, restore test and restore (migration 13's backup_record, in the
// store's own database, SQLite or PostgreSQL): what the inspection reads for "last backup's age
// and restore test" and the monthly report for its backup section. Rows are only ever inserted.
// Thread-safe (one connection behind a mutex). Database failures are Error{"store.*"}.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage {
class StatementDatabase;
}

namespace huitong::ops::backup {

enum class BackupKind { kCreate, kVerify, kRestore };
const char* backupKindName(BackupKind kind);  // "create" | "verify" | "restore"

// A restore test (kVerify records only; the scheduled backup with "verify": true writes its own
// kVerify record right after the kCreate): the backup was restored into a scratch location, its
// rows counted and its audit chain recomputed.
struct RestoreTest {
  bool ran = false;  // false: no restore test belongs to this record
  bool ok = false;   // restored, row counts equal to the manifest's, audit head matches
  std::map<std::string, std::int64_t> rowCounts;  // table -> rows, as restored
  bool auditHeadMatches = false;
};

struct BackupRecord {
  std::string id;  // "B-20261103-023000-1a2b" (create) / "V-…" (verify) / "R-…" (restore)
  BackupKind kind = BackupKind::kCreate;
  std::string backupId;  // kVerify / kRestore: the backup concerned; kCreate: its own id
  EpochMillis startedAt = 0;
  EpochMillis finishedAt = 0;
  bool ok = false;
  std::string storeKind;  // "sqlite" | "postgres"
  std::string path;       // the backup file (kRestore: the file restored from)
  std::int64_t bytes = 0;
  std::string sha256;  // of the payload file as written (hex)
  bool encrypted = false;
  std::string message;  // what failed, or a short summary of what was done
  RestoreTest restoreTest;
  std::string actor;  // "scheduler" for the daily job, else the staff name or OS user
};

// A record as JSON (the CLI's --json, GET /ops/v1/backups): id, kind, backup_id, started_at,
// finished_at (epoch ms), ok, store_kind, path, bytes, sha256, encrypted, message, actor, and
// restore_test {ok, audit_head_matches, row_counts} when one ran.
std::string backupRecordJson(const BackupRecord& record);

class BackupLedger {
 public:
  explicit BackupLedger(std::unique_ptr<storage::StatementDatabase> db);
  ~BackupLedger();
  // Opens the store's database (migrated first).
  static Result<std::unique_ptr<BackupLedger>> open(const storage::StoreConfig& config);

  Result<void> append(const BackupRecord& record);
  // Records started in [from, to) (to = 0: no upper bound), oldest first.
  Result<std::vector<BackupRecord>> list(EpochMillis from, EpochMillis to);
  // The newest successful kCreate.
  Result<std::optional<BackupRecord>> latestBackup();
  // The newest kVerify, successful or not (a failed restore test is what an inspection reports).
  Result<std::optional<BackupRecord>> latestVerify();
  // The record with this id (any kind).
  Result<std::optional<BackupRecord>> get(const std::string& id);

 private:
  Result<std::vector<BackupRecord>> query(const std::string& where,
                                          const std::vector<std::string>& args, int limit);
  std::mutex mu_;
  std::unique_ptr<storage::StatementDatabase> db_;
};

}  // namespace huitong::ops::backup
