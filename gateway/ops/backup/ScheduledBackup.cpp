#include "gateway/ops/backup/ScheduledBackup.h"

#include <stdexcept>

#include "gateway/registry/RegistryStore.h"

namespace huitong::ops::backup {

ScheduledBackup::~ScheduledBackup() = default;

Result<std::unique_ptr<ScheduledBackup>> ScheduledBackup::open(const storage::StoreConfig& store,
                                                               const ConfigNode& block,
                                                               const Clock& clock) {
  auto settings = parseBackupSettings(block);
  if (!settings.ok())
    return settings.error();
  if (auto when = parseJobWhen(settings.value().schedule); !when.ok())
    return block.fail("schedule", when.error().message);
  std::unique_ptr<ScheduledBackup> s(new ScheduledBackup());
  s->settings_ = settings.value();
  auto ledger = BackupLedger::open(store);
  if (!ledger.ok())
    return ledger.error();
  s->ledger_ = std::move(ledger).value();
  auto trail = registry::RegistryStore::open(store);
  if (!trail.ok())
    return trail.error();
  s->trail_ = std::move(trail).value();
  s->service_ =
      std::make_unique<BackupService>(store, s->settings_, *s->ledger_, s->trail_.get(), clock);
  return s;
}

Job ScheduledBackup::job() {
  Job j;
  j.name = "backup";
  j.when = parseJobWhen(settings_.schedule).value();
  j.run = [this](EpochMillis, bool) {
    std::lock_guard<std::mutex> lock(mu_);
    const BackupCaller scheduler;
    auto created = service_->create(scheduler, {});
    if (!created.ok())
      throw std::runtime_error(created.error().describe());
    if (!created.value().ok)
      throw std::runtime_error(created.value().message);
    if (settings_.verifyAfterCreate) {
      auto verified = service_->verify(scheduler, created.value().id);
      if (!verified.ok())
        throw std::runtime_error(verified.error().describe());
      if (!verified.value().ok)
        throw std::runtime_error(verified.value().message);
    }
  };
  return j;
}

Result<BackupRecord> ScheduledBackup::createNow(const BackupCaller& caller) {
  std::lock_guard<std::mutex> lock(mu_);
  auto created = service_->create(caller, {});
  if (!created.ok() || !created.value().ok || !settings_.verifyAfterCreate)
    return created;
  auto verified = service_->verify(caller, created.value().id);
  if (!verified.ok())
    return verified.error();
  return created;
}

}  // namespace huitong::ops::backup
