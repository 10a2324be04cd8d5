#include "gateway/ops/report/LedgerSources.h"

#include <limits>
#include <memory>
#include <mutex>

#if HUITONG_REPORT_BACKUP
#include "gateway/ops/backup/BackupLedger.h"
#endif
#if HUITONG_REPORT_CHANGES
#include "gateway/ops/baseline/ConfigChecks.h"
#include "gateway/storage/StatementDatabase.h"
#endif
#if HUITONG_REPORT_INSPECT
#include "gateway/ops/inspect/InspectionLedger.h"
#endif
#if HUITONG_REPORT_DRILLS
#include "gateway/ops/drill/DrillLedger.h"
#include "gateway/registry/RegistryStore.h"
#endif

namespace huitong::ops::report {

Result<LedgerSources> openLedgerSources([[maybe_unused]] const storage::StoreConfig& config) {
  LedgerSources s;
#if HUITONG_REPORT_BACKUP
  {
    auto opened = backup::BackupLedger::open(config);
    if (!opened.ok())
      return opened.error();
    std::shared_ptr<backup::BackupLedger> ledger = std::move(opened).value();
    s.backups = [ledger](EpochMillis from, EpochMillis to) -> Result<std::vector<BackupLine>> {
      auto records = ledger->list(from, to);
      if (!records.ok())
        return records.error();
      std::vector<BackupLine> out;
      for (const auto& r : records.value()) {
        BackupLine l;
        l.id = r.id;
        l.kind = backup::backupKindName(r.kind);
        l.startedAt = r.startedAt;
        l.finishedAt = r.finishedAt;
        l.ok = r.ok;
        l.bytes = r.bytes;
        l.encrypted = r.encrypted;
        if (r.restoreTest.ran)
          l.restoreTestOk = r.restoreTest.ok;
        l.message = r.message;
        out.push_back(std::move(l));
      }
      return out;
    };
  }
#endif
#if HUITONG_REPORT_CHANGES
  {
    auto db =
        storage::StatementDatabase::open(config, "report", "the monthly report's change records");
    if (!db.ok())
      return db.error();
    // ChangeLedger is one per thread: the source serialises its calls.
    struct Changes {
      std::unique_ptr<storage::StatementDatabase> db;
      std::mutex mu;
    };
    auto c = std::make_shared<Changes>();
    c->db = std::move(db).value();
    s.changes = [c](EpochMillis from, EpochMillis to) -> Result<std::vector<ChangeLine>> {
      std::lock_guard<std::mutex> lock(c->mu);
      baseline::ChangeLedger ledger(*c->db);
      auto records = ledger.between(from, to);
      if (!records.ok())
        return records.error();
      std::vector<ChangeLine> out;
      for (const auto& r : records.value()) {
        ChangeLine l;
        l.id = std::to_string(r.id);
        l.at = r.at;
        l.kind = r.kind;
        l.title = r.summary.empty() ? r.note : r.summary;
        l.approvedBy = r.by;
        l.detail = r.note;
        out.push_back(std::move(l));
      }
      return out;
    };
  }
#endif
#if HUITONG_REPORT_INSPECT
  {
    auto opened = inspect::InspectionLedger::open(config);
    if (!opened.ok())
      return opened.error();
    std::shared_ptr<inspect::InspectionLedger> ledger = std::move(opened).value();
    s.inspections = [ledger](EpochMillis from, EpochMillis to) -> Result<InspectionSection> {
      auto runs = ledger->runs(from, to);
      if (!runs.ok())
        return runs.error();
      auto findings = ledger->findings(from, to);
      if (!findings.ok())
        return findings.error();
      InspectionSection out;
      for (const auto& r : runs.value()) {
        InspectionLine l;
        l.id = std::to_string(r.id);
        l.startedAt = r.startedAt;
        l.trigger = inspect::triggerName(r.trigger);
        l.signedOffBy = r.signedOffBy;
        l.findings = r.counts.newFindings + r.counts.stillOpen + r.counts.worse;
        l.open = r.counts.open;
        l.resolved = r.counts.resolved;
        out.runs.push_back(std::move(l));
      }
      for (const auto& f : findings.value()) {
        FindingLine l;
        l.id = std::to_string(f.id);
        l.runId = std::to_string(f.firstSeenRun);
        l.check = f.check;
        l.severity = inspect::severityName(f.severity);
        l.title = f.title;
        l.status = f.status == inspect::FindingStatus::kOpen ? "open" : "resolved";
        out.findings.push_back(std::move(l));
      }
      return out;
    };
  }
#endif
#if HUITONG_REPORT_DRILLS
  {
    // Drills are entries of the audit trail (drill.platform_outage): read through the trail's
    // own store, one call at a time.
    auto opened = registry::RegistryStore::open(config);
    if (!opened.ok())
      return opened.error();
    struct Drills {
      std::unique_ptr<registry::RegistryStore> trail;
      std::mutex mu;
    };
    auto t = std::make_shared<Drills>();
    t->trail = std::move(opened).value();
    s.drills = [t](EpochMillis from, EpochMillis to) -> Result<std::vector<DrillLine>> {
      std::lock_guard<std::mutex> lock(t->mu);
      drill::DrillLedger ledger(*t->trail);
      // The trail's times never go backwards (an entry appended after a later one takes its
      // time), so the month is the drill's own finish time; entries appended after the month
      // may still hold one of its drills.
      auto records = ledger.list(from, std::numeric_limits<EpochMillis>::max());
      if (!records.ok())
        return records.error();
      std::vector<DrillLine> out;
      for (const auto& r : records.value()) {
        const EpochMillis finished = r.finishedAt != 0 ? r.finishedAt : r.startedAt;
        if (finished < from || finished >= to)
          continue;
        DrillLine l;
        l.kind = r.kind;
        l.outcome = r.outcome;
        l.ok = r.ok;
        l.startedAt = r.startedAt;
        l.actor = r.actor;
        l.system = r.system;
        l.outageSeconds = r.outageSeconds;
        l.eventsAccepted = r.eventsAccepted;
        l.eventsDelivered = r.eventsDelivered;
        l.eventsMissing = r.eventsMissing;
        l.drainSeconds = r.drainSeconds;
        l.detail = r.detail;
        out.push_back(std::move(l));
      }
      return out;
    };
  }
#endif
  return s;
}

}  // namespace huitong::ops::report
