// The daily backup of `huitong serve` (config block "backup"): an OpsJobs job that backs up the
// store, runs the restore test when "verify" is true, and applies retention — each outcome a
// BackupLedger record and an audit entry with actor "scheduler". Owns its ledger, audit trail
// connection and service; the job and createNow take turns.
#pragma once

#include <memory>
#include <mutex>

#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/ops/OpsJobs.h"
#include "gateway/ops/backup/BackupService.h"

namespace huitong::ops::backup {

class ScheduledBackup {
 public:
  // Reads the block (errors with file:line) and opens the store's ledger and audit trail.
  static Result<std::unique_ptr<ScheduledBackup>> open(const storage::StoreConfig& store,
                                                       const ConfigNode& block, const Clock& clock);
  ~ScheduledBackup();
  // The job for OpsJobs::add ("backup", at settings.schedule).
  Job job();
  // A backup now (POST /ops/v1/backups), then its restore test when "verify" is true; one
  // backup at a time with the scheduled job. Returns the create record.
  Result<BackupRecord> createNow(const BackupCaller& caller);
  BackupService& service() { return *service_; }
  BackupLedger& ledger() { return *ledger_; }

 private:
  ScheduledBackup() = default;
  std::mutex mu_;
  BackupSettings settings_;
  std::unique_ptr<BackupLedger> ledger_;
  std::unique_ptr<registry::RegistryStore> trail_;
  std::unique_ptr<BackupService> service_;
};

}  // namespace huitong::ops::backup
