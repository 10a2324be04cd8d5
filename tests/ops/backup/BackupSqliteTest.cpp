// Backups of a SQLite store end to end (the suite of BackupSuite.h), plus what only SQLite has
// here: a backup target that fills up under a real file size limit (RLIMIT_FSIZE in a forked
// child), and the restore refused while another process has the store open.
#define BOOST_TEST_MODULE ops_backup_sqlite
#include <boost/test/unit_test.hpp>

#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "gateway/core/Json.h"
#include "gateway/ops/backup/ScheduledBackup.h"
#include "gateway/ops/backup/StoreBackup.h"
#include "tests/ops/backup/BackupSuite.h"

using namespace huitong::ops::backup;
using namespace huitong::ops::backup::testing;

namespace {

huitong::storage::StoreConfig sqliteAt(const std::string& dir) {
  huitong::storage::StoreConfig c;
  c.kind = "sqlite";
  c.path = dir + "/store.db";
  return c;
}

int filesIn(const std::string& dir) {
  int n = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      n += name != "." && name != "..";
    }
    ::closedir(d);
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(backup_verify_restore_plain) {
  TempDir t;
  backupVerifyRestoreRoundTrip(sqliteAt(t.path), false);
}

BOOST_AUTO_TEST_CASE(backup_verify_restore_encrypted) {
  TempDir t;
  backupVerifyRestoreRoundTrip(sqliteAt(t.path), true);
}

BOOST_AUTO_TEST_CASE(damaged_backups_are_caught) {
  TempDir t;
  damagedBackupsAreCaught(sqliteAt(t.path));
}

BOOST_AUTO_TEST_CASE(an_injected_full_target_leaves_no_partial_file_and_is_recorded) {
  TempDir t;
  seedStore(sqliteAt(t.path), 200, 2);
  Harness h(sqliteAt(t.path), t.path + "/backups", "");
  BackupService::CreateOptions o;
  o.failAfterBytes = 20000;
  auto r = h.service->create({"li.na", "operator"}, o);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(!r.value().ok);
  BOOST_TEST(r.value().message.find("full after") != std::string::npos, r.value().message);
  BOOST_TEST(filesIn(t.path + "/backups") == 0);
  auto latest = h.ledger->list(0, 0).value();
  BOOST_TEST_REQUIRE(latest.size() == 1u);
  BOOST_TEST(!latest[0].ok);
  BOOST_TEST(!h.ledger->latestBackup().value().has_value());
}

BOOST_AUTO_TEST_CASE(a_real_file_size_limit_mid_write_removes_the_partial_file) {
  TempDir t;
  seedStore(sqliteAt(t.path), 300, 2);
  {
    Harness warm(sqliteAt(t.path), t.path + "/unused", "");  // migrations done before the limit
  }
  const pid_t pid = fork();
  BOOST_TEST_REQUIRE(pid >= 0);
  if (pid == 0) {
    // The store is a few hundred KiB; the snapshot and the payload are written in the target.
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{60 * 1024, 60 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    huitong::SystemClock clock;
    auto ledger = BackupLedger::open(sqliteAt(t.path));
    BackupSettings s;
    s.dir = t.path + "/backups";
    BackupService service(sqliteAt(t.path), s, *ledger.value(), nullptr, clock);
    auto r = service.create({"li.na", "operator"}, {});
    _exit(r.ok() && !r.value().ok ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  BOOST_TEST_REQUIRE(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
  BOOST_TEST(filesIn(t.path + "/backups") == 0);
  auto ledger = BackupLedger::open(sqliteAt(t.path));
  auto records = ledger.value()->list(0, 0).value();
  BOOST_TEST_REQUIRE(records.size() == 1u);
  BOOST_TEST(!records[0].ok);
  BOOST_TEST(records[0].message.find("full") != std::string::npos, records[0].message);
}

BOOST_AUTO_TEST_CASE(restore_is_refused_while_another_process_has_the_store_open) {
  TempDir t;
  seedStore(sqliteAt(t.path), 5, 1);
  Harness h(sqliteAt(t.path), t.path + "/backups", "");
  auto created = h.service->create({"li.na", "operator"}, {});
  BOOST_TEST_REQUIRE(created.value().ok);
  // Another process (the sqlite3 shell, a real exec: a forked copy of this one would share
  // SQLite's per-process lock table and take no lock of its own) opens the store and waits.
  int toShell[2], fromShell[2];
  BOOST_TEST_REQUIRE(::pipe(toShell) == 0);
  BOOST_TEST_REQUIRE(::pipe(fromShell) == 0);
  const pid_t pid = fork();
  if (pid == 0) {
    ::dup2(toShell[0], 0);
    ::dup2(fromShell[1], 1);
    ::close(toShell[1]);
    ::close(fromShell[0]);
    ::execlp("sqlite3", "sqlite3", (t.path + "/store.db").c_str(), nullptr);
    _exit(127);
  }
  ::close(toShell[0]);
  ::close(fromShell[1]);
  const std::string sql = "SELECT 'ready' FROM journal LIMIT 1;\n";
  BOOST_TEST_REQUIRE(::write(toShell[1], sql.data(), sql.size()) ==
                     static_cast<ssize_t>(sql.size()));
  char c;
  BOOST_TEST_REQUIRE(::read(fromShell[0], &c, 1) == 1);
  BOOST_TEST(sqliteInUse(t.path + "/store.db"));
  auto refused = h.service->restore({"li.na", "operator"}, created.value().id);
  ::close(toShell[1]);  // the shell ends at end of input
  ::waitpid(pid, nullptr, 0);
  ::close(fromShell[0]);
  BOOST_TEST(!refused.value().ok);
  BOOST_TEST(refused.value().message.find("stop the gateway first") != std::string::npos);
  BOOST_TEST(!sqliteInUse(t.path + "/store.db"));
}

// The figures of docs/operations.md: backup and verify of a store of 10,000 journaled messages.
// Runs only with HUITONG_BACKUP_MEASURE=1 (a measurement, not a timed test).
BOOST_AUTO_TEST_CASE(measure_10000_messages) {
  if (!std::getenv("HUITONG_BACKUP_MEASURE"))
    return;
  TempDir t;
  seedStore(sqliteAt(t.path), 10000, 100);
  for (bool encrypted : {false, true}) {
    if (encrypted)
      std::ofstream(t.path + "/k", std::ios::binary) << std::string(32, 'k');
    Harness h(sqliteAt(t.path), t.path + "/backups", encrypted ? t.path + "/k" : "");
    const auto t0 = std::chrono::steady_clock::now();
    auto c = h.service->create({"li.na", "operator"}, {});
    const auto t1 = std::chrono::steady_clock::now();
    auto v = h.service->verify({"li.na", "operator"}, c.value().id);
    const auto t2 = std::chrono::steady_clock::now();
    BOOST_TEST(v.value().ok);
    struct stat st {};
    ::stat((t.path + "/store.db").c_str(), &st);
    std::printf(
        "10,000 messages, %s: store %lld bytes, backup %lld bytes, create %.0f ms, verify %.0f "
        "ms\n",
        encrypted ? "AES-256-GCM" : "plain", static_cast<long long>(st.st_size),
        static_cast<long long>(c.value().bytes),
        std::chrono::duration<double, std::milli>(t1 - t0).count(),
        std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
}

BOOST_AUTO_TEST_CASE(the_scheduled_job_backs_up_and_runs_the_restore_test) {
  TempDir t;
  seedStore(sqliteAt(t.path), 10, 2);
  const std::string text = "{\"dir\": \"" + t.path +
                           "/backups\", \"schedule\": \"daily 02:30\", \"verify\": true, "
                           "\"keep\": {\"count\": 2, \"days\": 0}}";
  auto doc = huitong::json::parse(text);
  BOOST_TEST_REQUIRE(doc.ok());
  huitong::ConfigNode block(
      doc.value(), "/backup", [](const std::string& p) { return "gateway.json" + p; }, t.path);
  huitong::SystemClock clock;
  auto scheduled = ScheduledBackup::open(sqliteAt(t.path), block, clock);
  BOOST_TEST_REQUIRE(scheduled.ok());
  auto job = scheduled.value()->job();
  BOOST_TEST(job.name == "backup");
  for (int i = 0; i < 3; ++i)
    job.run(0, false);
  auto records = scheduled.value()->ledger().list(0, 0).value();
  BOOST_TEST_REQUIRE(records.size() == 6u);
  BOOST_TEST((records[1].kind == BackupKind::kVerify));
  BOOST_TEST(records[1].ok);
  BOOST_TEST(records[1].actor == "scheduler");
  BOOST_TEST(filesIn(t.path + "/backups") == 4);  // keep.count 2: two payloads, two manifests

  auto bad = huitong::json::parse("{\"dir\": \"x\", \"kep\": {}}");
  huitong::ConfigNode badBlock(
      bad.value(), "/backup", [](const std::string& p) { return "gateway.json" + p; }, t.path);
  auto refused = ScheduledBackup::open(sqliteAt(t.path), badBlock, clock);
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().describe().find("kep") != std::string::npos);
}
