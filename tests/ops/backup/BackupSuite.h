// What every store backend's backup must do (one suite, run on SQLite and PostgreSQL): seed a
// store with journaled messages and audit entries, back it up while it keeps changing, verify
// it (restore test), catch a damaged copy, restore it and keep the store it replaced.
#pragma once

#include <memory>
#include <string>

#include "gateway/core/Clock.h"
#include "gateway/ops/backup/BackupLedger.h"
#include "gateway/ops/backup/BackupService.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::ops::backup::testing {

struct TempDir {
  std::string path;
  TempDir();
  ~TempDir();
};

// `messages` journaled intakes (one outbox event each) and `audits` audit entries.
void seedStore(const storage::StoreConfig& config, int messages, int audits);
void appendAudit(registry::RegistryStore& trail, const std::string& target);

// A service over the store with its own ledger and audit trail.
struct Harness {
  storage::StoreConfig store;
  BackupSettings settings;
  SystemClock clock;
  std::unique_ptr<BackupLedger> ledger;
  std::unique_ptr<registry::RegistryStore> trail;
  std::unique_ptr<BackupService> service;
  Harness(storage::StoreConfig config, const std::string& dir, const std::string& keyFile);
};

// The suite itself (Boost.Test assertions inside).
void backupVerifyRestoreRoundTrip(const storage::StoreConfig& config, bool encrypted);
void damagedBackupsAreCaught(const storage::StoreConfig& config);

}  // namespace huitong::ops::backup::testing
