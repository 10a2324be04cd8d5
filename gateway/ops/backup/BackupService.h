// What `huitong backup create|verify|restore|list` and the daily job do (docs/operations.md
// "Backups"): a consistent online backup of the store with its manifest, the restore test,
// the real restore, retention — each recorded in the BackupLedger and audited on the registry
// trail (actions backup.create, backup.verify, backup.restore). Failures are records with
// ok = false and a message naming what failed; only a ledger that cannot be written is an
// Error. Not thread-safe: one operation at a time per service.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/ops/backup/BackupLedger.h"
#include "gateway/ops/backup/BackupManifest.h"
#include "gateway/ops/backup/Retention.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::registry {
class RegistryStore;
}

namespace huitong::ops::backup {

// The "backup" block of the gateway config.
struct BackupSettings {
  std::string dir;  // absolute; "" = not configured
  std::string schedule = "daily 02:30";
  bool verifyAfterCreate = true;  // "verify": a restore test after each scheduled backup
  std::string keyFile;            // "encryption_key_file"; "" = not encrypted
  RetentionPolicy keep{14, 30};   // "keep": {"count", "days"}
  std::string scratchDir;         // "scratch_dir": restore tests; "" = $TMPDIR or /tmp
};
// Unknown keys and wrong values are refused with file:line (ConfigNode).
Result<BackupSettings> parseBackupSettings(const ConfigNode& node);

struct BackupCaller {
  std::string name = "scheduler";
  std::string role = "system";
};

class BackupService {
 public:
  // `audit` may be null (no trail to write: tests of the pure flow). `progress` gets one line
  // per phase and periodic byte counts of long work (null: quiet).
  BackupService(storage::StoreConfig store, BackupSettings settings, BackupLedger& ledger,
                registry::RegistryStore* audit, const Clock& clock,
                std::ostream* progress = nullptr);

  struct CreateOptions {
    std::string toDir;                 // "" = settings.dir
    std::int64_t failAfterBytes = -1;  // tests: the target "fills up" after this many bytes
    bool applyRetention = true;
    std::string note;  // added to the record's message
  };
  Result<BackupRecord> create(const BackupCaller& caller, const CreateOptions& options);
  // `ref`: a backup id (looked up in the ledger, then in settings.dir), a manifest or payload
  // path; "" = the newest successful backup.
  Result<BackupRecord> verify(const BackupCaller& caller, const std::string& ref);
  // REQUIRES the caller's confirmation (the CLI's --yes). Refuses while the store is in use,
  // keeps a backup of the store it replaces (named in the record's message) and restores.
  Result<BackupRecord> restore(const BackupCaller& caller, const std::string& ref);
  // Removes what the policy says from `dir` ("" = settings.dir); returns the ids removed.
  Result<std::vector<std::string>> applyRetention(const std::string& dir);

  // Resolves a ref to its manifest file; errors name what was looked for.
  Result<std::string> manifestPath(const std::string& ref);

 private:
  struct Payload {
    Manifest manifest;
    std::string path;  // the payload file
  };
  Result<Payload> loadAndCheck(const std::string& ref, BackupRecord& record);
  Result<std::string> extractToScratch(const Payload& p, const std::string& scratch);
  Result<BackupRecord> finish(BackupRecord record, const std::string& role);
  void say(const std::string& line);

  storage::StoreConfig store_;
  BackupSettings settings_;
  BackupLedger& ledger_;
  registry::RegistryStore* audit_;
  const Clock& clock_;
  std::ostream* progress_;
};

}  // namespace huitong::ops::backup
