#include "tests/ops/backup/BackupSuite.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "gateway/core/Json.h"

namespace huitong::ops::backup::testing {

TempDir::TempDir() {
  char tmpl[] = "/tmp/huitong-backup-test-XXXXXX";
  path = ::mkdtemp(tmpl);
}
TempDir::~TempDir() {
  std::system(("rm -rf '" + path + "'").c_str());
}

void appendAudit(registry::RegistryStore& trail, const std::string& target) {
  registry::AuditEntry e;
  e.at = 1762137000000;
  e.actor = "li.na";
  e.role = "operator";
  e.action = "test.seed";
  e.target = target;
  e.before = "null";
  e.after = "{\"n\":1}";
  BOOST_TEST_REQUIRE(trail.appendAudit(e).ok());
}

void seedStore(const storage::StoreConfig& config, int messages, int audits) {
  auto store = storage::ExchangeStore::open(config);
  BOOST_TEST_REQUIRE(store.ok(), (store.ok() ? "" : store.error().message));
  for (int i = 0; i < messages; ++i) {
    storage::IntakeRecord r;
    r.raw.system = "marriage";
    r.raw.adapter = "http_json";
    r.raw.contentType = "application/json;charset=UTF-8";
    r.raw.charset = "UTF-8";
    r.raw.bytes = "{\"case_no\":\"C" + std::to_string(i) +
                  "\",\"applicant\":\"张三\",\"item\":\"marriage-registration\",\"padding\":\"" +
                  std::string(200, 'x') + "\"}";
    r.raw.sourceRef = "127.0.0.1:40000";
    r.raw.receivedAt = 1762137000000 + i;
    r.messageId = "m-" + std::to_string(i);
    r.digest = "d-" + std::to_string(i) + std::string(60, '0');
    r.state = "accepted";
    r.events.push_back(storage::OutboxEvent{"e-" + std::to_string(i),
                                            "marriage:C" + std::to_string(i),
                                            "{\"event_id\":\"e-" + std::to_string(i) + "\"}"});
    r.answerJson = "{}";
    BOOST_TEST_REQUIRE(store.value()->recordIntake(r).ok());
  }
  auto trail = registry::RegistryStore::open(config);
  BOOST_TEST_REQUIRE(trail.ok());
  for (int i = 0; i < audits; ++i)
    appendAudit(*trail.value(), "seed " + std::to_string(i));
}

Harness::Harness(storage::StoreConfig config, const std::string& dir, const std::string& keyFile)
    : store(std::move(config)) {
  settings.dir = dir;
  settings.keyFile = keyFile;
  settings.keep = {0, 0};
  auto l = BackupLedger::open(store);
  BOOST_TEST_REQUIRE(l.ok(), (l.ok() ? "" : l.error().message));
  ledger = std::move(l).value();
  auto t = registry::RegistryStore::open(store);
  BOOST_TEST_REQUIRE(t.ok());
  trail = std::move(t).value();
  service = std::make_unique<BackupService>(store, settings, *ledger, trail.get(), clock);
}

namespace {
std::string writeKey(const std::string& dir) {
  const std::string path = dir + "/backup.key";
  std::ofstream(path, std::ios::binary) << std::string(32, '\x5a');
  return path;
}
}  // namespace

void backupVerifyRestoreRoundTrip(const storage::StoreConfig& config, bool encrypted) {
  TempDir dir;
  seedStore(config, 50, 5);
  Harness h(config, dir.path + "/backups", encrypted ? writeKey(dir.path) : "");
  const auto before = h.trail->anchor().value();

  auto created = h.service->create({"li.na", "operator"}, {});
  BOOST_TEST_REQUIRE(created.ok());
  BOOST_TEST_REQUIRE(created.value().ok, created.value().message);
  BOOST_TEST(created.value().encrypted == encrypted);
  BOOST_TEST(created.value().sha256.size() == 64u);
  BOOST_TEST(::access(created.value().path.c_str(), F_OK) == 0);
  const std::string id = created.value().id;

  // The store keeps changing after the backup.
  appendAudit(*h.trail, "after the backup");
  seedStore(config, 0, 1);

  auto verified = h.service->verify({"li.na", "operator"}, id);
  BOOST_TEST_REQUIRE(verified.ok());
  BOOST_TEST_REQUIRE(verified.value().ok, verified.value().message);
  BOOST_TEST(verified.value().restoreTest.ok);
  BOOST_TEST(verified.value().restoreTest.auditHeadMatches);
  BOOST_TEST(verified.value().restoreTest.rowCounts.at("journal") == 50);
  BOOST_TEST(verified.value().backupId == id);
  // The default ref is the newest successful backup.
  auto latest = h.service->verify({"li.na", "operator"}, "");
  BOOST_TEST(latest.value().ok);
  BOOST_TEST(latest.value().backupId == id);

  auto restored = h.service->restore({"li.na", "operator"}, id);
  BOOST_TEST_REQUIRE(restored.ok());
  BOOST_TEST_REQUIRE(restored.value().ok, restored.value().message);
  BOOST_TEST(restored.value().message.find("the store it replaced is backup B-") !=
             std::string::npos);

  // The store is as it was at the backup, plus the restore's own records and audit entries.
  auto trail = registry::RegistryStore::open(config);
  BOOST_TEST_REQUIRE(trail.ok());
  auto scanned = trail.value()->scanChain([](const registry::AuditEntry&) { return true; });
  BOOST_TEST_REQUIRE(scanned.ok());
  // Entries then: the 5 seeded + the backup.create of this backup is after the snapshot.
  BOOST_TEST(before.count == 5);
  BOOST_TEST(scanned.value()->count == 5 + 1);  // + this restore's backup.restore entry
  auto ledger = BackupLedger::open(config);
  auto records = ledger.value()->list(0, 0);
  BOOST_TEST_REQUIRE(records.ok());
  BOOST_TEST_REQUIRE(records.value().size() == 1u);
  BOOST_TEST((records.value()[0].kind == BackupKind::kRestore));

  // The copy of the replaced store is a backup of its own that verifies (it holds the records
  // and audit entries made after the first backup).
  const auto msg = restored.value().message;
  const std::string keptId = msg.substr(msg.rfind("backup ") + 7);
  Harness again(config, dir.path + "/backups", encrypted ? dir.path + "/backup.key" : "");
  auto keptOk = again.service->verify({"li.na", "operator"}, keptId);
  BOOST_TEST(keptOk.value().ok, keptOk.value().message);
  BOOST_TEST(keptOk.value().restoreTest.rowCounts.at("backup_record") >= 3);
}

void damagedBackupsAreCaught(const storage::StoreConfig& config) {
  TempDir dir;
  seedStore(config, 20, 3);
  Harness h(config, dir.path + "/backups", writeKey(dir.path));
  auto created = h.service->create({"li.na", "operator"}, {});
  BOOST_TEST_REQUIRE(created.value().ok, created.value().message);
  const std::string path = created.value().path;
  std::string good;
  {
    std::ifstream in(path, std::ios::binary);
    good.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  auto put = [&](const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; };

  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x20);
  put(flipped);
  auto v = h.service->verify({"li.na", "operator"}, created.value().id);
  BOOST_TEST(!v.value().ok);
  BOOST_TEST(v.value().message.find("SHA-256") != std::string::npos, v.value().message);

  put(good.substr(0, good.size() / 3));
  v = h.service->verify({"li.na", "operator"}, created.value().id);
  BOOST_TEST(!v.value().ok);
  BOOST_TEST(v.value().message.find("truncated") != std::string::npos, v.value().message);

  put(good);
  std::ofstream(dir.path + "/backup.key", std::ios::binary) << std::string(32, '\x01');
  v = h.service->verify({"li.na", "operator"}, created.value().id);
  BOOST_TEST(!v.value().ok);
  BOOST_TEST(v.value().message.find("wrong key") != std::string::npos, v.value().message);

  // A failed verify refuses a restore too (nothing replaced).
  auto r = h.service->restore({"li.na", "operator"}, created.value().id);
  BOOST_TEST(!r.value().ok);

  auto missing = h.service->verify({"li.na", "operator"}, "B-19700101-000000-0000");
  BOOST_TEST(!missing.value().ok);
  BOOST_TEST(missing.value().message.find("no backup 'B-19700101-000000-0000'") !=
             std::string::npos);

  // Every outcome is on record and on the audit trail.
  auto records = h.ledger->list(0, 0).value();
  int failedVerifies = 0;
  for (const auto& rec : records)
    failedVerifies += rec.kind == BackupKind::kVerify && !rec.ok;
  BOOST_TEST(failedVerifies == 4);
  auto latest = h.ledger->latestVerify().value();
  BOOST_TEST_REQUIRE(latest.has_value());
  BOOST_TEST(!latest->ok);
  registry::AuditQuery q;
  q.action = "backup.verify";
  auto page = h.trail->queryAudit(q);
  BOOST_TEST_REQUIRE(page.ok());
  BOOST_TEST(page.value().entries.size() == 4u);
}

}  // namespace huitong::ops::backup::testing
