// The monthly report's ledger sections from the real ledgers (backup, change, inspection, drill) on
// one SQLite store, opened through openLedgerSources as `huitong serve` and the CLI open them, each
// seeded through its own API; only records of the month are shown.
#define BOOST_TEST_MODULE ops_report_ledgers
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <random>

#include "gateway/ops/backup/BackupLedger.h"
#include "gateway/ops/baseline/ConfigChecks.h"
#include "gateway/ops/drill/DrillLedger.h"
#include "gateway/ops/inspect/InspectionLedger.h"
#include "gateway/ops/report/LedgerSources.h"
#include "gateway/ops/report/MonthlyReportRender.h"
#include "gateway/storage/StatementDatabase.h"

using namespace huitong;
using namespace huitong::ops;

namespace {

EpochMillis at(const std::string& text) {
  EpochMillis t = 0;
  BOOST_TEST_REQUIRE(parseRfc3339(text, t), text);
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ledger_sections_from_the_real_ledgers) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("huitong-report-ledgers-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  storage::StoreConfig config;
  config.kind = "sqlite";
  config.path = (dir / "store.db").string();
  const EpochMillis nov3 = at("2026-11-03T02:30:00+08:00");
  {
    auto backups = backup::BackupLedger::open(config);
    BOOST_TEST_REQUIRE(backups.ok());
    backup::BackupRecord b;
    b.id = "B-20261103-023000-aaaa";
    b.kind = backup::BackupKind::kCreate;
    b.backupId = b.id;
    b.startedAt = nov3;
    b.finishedAt = nov3 + 4000;
    b.ok = true;
    b.storeKind = "sqlite";
    b.bytes = 123456;
    b.actor = "scheduler";
    BOOST_TEST_REQUIRE(backups.value()->append(b).ok());
    backup::BackupRecord v = b;
    v.id = "V-20261103-023010-bbbb";
    v.kind = backup::BackupKind::kVerify;
    v.startedAt = nov3 + 10000;
    v.finishedAt = nov3 + 15000;
    v.restoreTest.ran = true;
    v.restoreTest.ok = true;
    v.restoreTest.auditHeadMatches = true;
    BOOST_TEST_REQUIRE(backups.value()->append(v).ok());
    backup::BackupRecord old = b;
    old.id = "B-20261030-023000-cccc";
    old.startedAt = at("2026-10-30T02:30:00+08:00");
    BOOST_TEST_REQUIRE(backups.value()->append(old).ok());

    auto db = storage::StatementDatabase::open(config, "test", "the test's change records");
    BOOST_TEST_REQUIRE(db.ok());
    baseline::ChangeLedger changes(*db.value());
    baseline::ChangeRecord c;
    c.at = nov3 + 86400000;
    c.by = "admin:wang";
    c.kind = "optimisation";
    c.note = "TLS 1.3 only <for the platform link>";
    c.summary = "1 file changed (+1 -1 lines)";
    BOOST_TEST_REQUIRE(changes.append(c).ok());

    auto inspections = inspect::InspectionLedger::open(config);
    BOOST_TEST_REQUIRE(inspections.ok());
    auto run = inspections.value()->beginRun(nov3 + 7 * 3600000, inspect::Trigger::kScheduled,
                                             "scheduler", "1.0");
    BOOST_TEST_REQUIRE(run.ok());
    inspect::ObservedProblem p;
    p.check = "disk";
    p.subject = "/";
    p.severity = inspect::Severity::kMajor;
    p.title = "disk / 91 % used";
    auto finished = inspections.value()->finishRun(
        run.value(), nov3 + 7 * 3600000 + 5000, {{"disk", "findings", 3, ""}}, {}, {p}, {"disk"});
    BOOST_TEST_REQUIRE(finished.ok());

    // Two drills on the audit trail: one in the month, one the month before.
    auto trail = registry::RegistryStore::open(config);
    BOOST_TEST_REQUIRE(trail.ok());
    drill::DrillLedger drills(*trail.value());
    drill::DrillRecord r;
    r.outcome = "passed";
    r.ok = true;
    r.startedAt = nov3 + 9 * 3600000;
    r.finishedAt = r.startedAt + 40000;
    r.system = "marriage";
    r.outageSeconds = 30;
    r.messagesSent = r.messagesAccepted = r.eventsAccepted = r.eventsDelivered = 20;
    r.drainSeconds = 1.0;
    r.backlogAtRestore = 79;
    r.detail = "drained <1 s>";
    registry::Actor actor{"li.na", registry::Role::kOperator, ""};
    BOOST_TEST_REQUIRE(drills.record(r, actor, r.finishedAt).ok());
    drill::DrillRecord before = r;
    before.startedAt = at("2026-10-20T10:00:00+08:00");
    before.finishedAt = before.startedAt + 40000;
    before.detail = "october";
    BOOST_TEST_REQUIRE(drills.record(before, actor, before.finishedAt).ok());
  }

  auto sources = report::openLedgerSources(config);
  BOOST_TEST_REQUIRE(sources.ok());
  report::ReportInputs in;
  WorkCalendar calendar = WorkCalendar::china();
  in.calendar = &calendar;
  in.ledgers = std::move(sources).value();
  auto got = report::gatherMonthlyReport(in, 2026, 11, at("2026-12-01T06:00:00+08:00"));
  BOOST_TEST_REQUIRE(got.ok());
  const auto& d = got.value();
  BOOST_TEST(d.backups.source.ok());
  BOOST_TEST_REQUIRE(d.backups.runs.size() == 2u);
  BOOST_TEST(d.backups.runs[0].kind == "create");
  BOOST_TEST(d.backups.runs[0].bytes == 123456);
  BOOST_TEST(d.backups.runs[1].restoreTestOk.value_or(false));
  BOOST_TEST(d.changes.source.ok());
  BOOST_TEST_REQUIRE(d.changes.changes.size() == 1u);
  BOOST_TEST(d.changes.changes[0].approvedBy == "admin:wang");
  BOOST_TEST(d.inspections.source.ok());
  BOOST_TEST_REQUIRE(d.inspections.runs.size() == 1u);
  BOOST_TEST(d.inspections.runs[0].trigger == "scheduled");
  BOOST_TEST(d.inspections.runs[0].open == 1);
  BOOST_TEST_REQUIRE(d.inspections.findings.size() == 1u);
  BOOST_TEST(d.inspections.findings[0].severity == "major");
  BOOST_TEST(d.inspections.findings[0].status == "open");
  BOOST_TEST(d.drills.source.ok());
  BOOST_TEST_REQUIRE(d.drills.drills.size() == 1u);
  BOOST_TEST(d.drills.drills[0].eventsDelivered == 20);
  BOOST_TEST(d.drills.drills[0].actor == "li.na");
  // The sections without a store given say so; these four show their rows.
  const std::string html = report::renderHtml(d);
  BOOST_TEST(html.find("B-20261103-023000-aaaa") != std::string::npos);
  BOOST_TEST(html.find("B-20261030") == std::string::npos);
  BOOST_TEST(html.find("TLS 1.3 only &lt;for the platform link&gt;") != std::string::npos);
  BOOST_TEST(html.find("disk / 91 % used") != std::string::npos);
  BOOST_TEST(html.find("应急演练 (Emergency drills)") != std::string::npos);
  BOOST_TEST(html.find("drained &lt;1 s&gt;") != std::string::npos);
  BOOST_TEST(html.find("october") == std::string::npos);
  BOOST_TEST(report::renderMarkdown(d).find("| 1 s |") != std::string::npos);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
