// The store conformance suite on SQLite, plus what only the embedded backend has: its file.
#define BOOST_TEST_MODULE storage_sqlite
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/storage/RegistryStoreConformance.h"
#include "tests/storage/StoreConformance.h"

namespace fs = std::filesystem;
using huitong::storage::ExchangeStore;
using huitong::storage::StoreConfig;

namespace {

// A fresh directory per test case, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "huitong-store-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct SqliteStore {
  TempDir dir;
  std::unique_ptr<ExchangeStore> opened;

  StoreConfig config() const {
    StoreConfig c;
    c.kind = "sqlite";
    c.path = (dir.path() / "huitong.db").string();
    return c;
  }
  ExchangeStore& store() {
    if (!opened) {
      opened = huitong::storage::testing::openOrFail(config());
    }
    return *opened;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sqlite_conformance)
HUITONG_STORE_CONFORMANCE_TESTS(SqliteStore)
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sqlite_registry_conformance)
HUITONG_REGISTRY_STORE_CONFORMANCE_TESTS(SqliteStore)
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sqlite_file)

BOOST_FIXTURE_TEST_CASE(journal_is_wal_with_full_sync, SqliteStore) {
  store();
  BOOST_TEST(fs::exists(dir.path() / "huitong.db-wal"));
}

// The transitions' log as stored: the action text once outlived its binding (found by ASan).
BOOST_FIXTURE_TEST_CASE(dead_letter_log_keeps_each_transition, SqliteStore) {
  using huitong::storage::testing::makeIntake;
  auto& s = store();
  BOOST_TEST_REQUIRE(s.recordIntake(makeIntake("marriage", "m-1", {{"a1", "marriage:A"}})).ok());
  auto items = s.claimDeliverable(1, 1000, 1000);
  BOOST_TEST_REQUIRE(items.ok());
  BOOST_TEST_REQUIRE(items.value().size() == 1u);
  const auto id = items.value()[0].id;
  BOOST_TEST_REQUIRE(s.markDead(id, "E1", 1100).ok());
  BOOST_TEST_REQUIRE(s.requeueDeadLetter(id, "", 1200).ok());
  BOOST_TEST_REQUIRE(s.claimDeliverable(1, 1200, 1000).ok());
  BOOST_TEST_REQUIRE(s.markDead(id, "E2", 1300).ok());
  BOOST_TEST_REQUIRE(s.discardDeadLetter(id, 1400).ok());
  opened.reset();

  sqlite3* db = nullptr;
  BOOST_TEST_REQUIRE(sqlite3_open_v2(config().path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
                     SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  BOOST_TEST_REQUIRE(sqlite3_prepare_v2(db,
                                        "SELECT action || ' ' || at || ' ' || error || ' ' || "
                                        "attempts FROM dead_letter_log ORDER BY id",
                                        -1, &st, nullptr) == SQLITE_OK);
  std::vector<std::string> log;
  while (sqlite3_step(st) == SQLITE_ROW) {
    log.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  BOOST_TEST(log == (std::vector<std::string>{"dead 1100 E1 1", "requeued 1200 E1 1",
                                              "dead 1300 E2 1", "discarded 1400 E2 1"}),
             boost::test_tools::per_element());
}

// The writer never checkpoints (wal_autocheckpoint=0): a checkpointer connection copies the
// committed WAL into the database file in the background while the store stays open.
BOOST_FIXTURE_TEST_CASE(wal_is_checkpointed_in_the_background, SqliteStore) {
  using huitong::storage::testing::makeIntake;
  auto& s = store();
  constexpr int kMessages = 50;
  for (int i = 0; i < kMessages; ++i) {
    const std::string id = std::to_string(i);
    BOOST_TEST_REQUIRE(
        s.recordIntake(makeIntake("marriage", "m-" + id, {{"e-" + id, "marriage:" + id}})).ok());
  }
  // The database file alone (as a copy without its WAL) holds every committed row once the
  // checkpointer has run; it runs twice a second.
  const fs::path copy = dir.path() / "copy.db";
  int journaled = -1;
  for (int attempt = 0; attempt < 50 && journaled != kMessages; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    fs::copy_file(config().path, copy, fs::copy_options::overwrite_existing);
    sqlite3* db = nullptr;
    // immutable: read the file as it is, never look for a WAL beside it.
    const std::string uri = "file:" + copy.string() + "?immutable=1";
    BOOST_TEST_REQUIRE(sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                                       nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM journal", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      journaled = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  BOOST_TEST(journaled == kMessages);
  BOOST_TEST(s.depths().ok());
}

BOOST_AUTO_TEST_CASE(unusable_paths_are_errors) {
  TempDir dir;
  StoreConfig c;
  c.kind = "sqlite";
  c.path = (dir.path() / "missing" / "huitong.db").string();
  auto r = ExchangeStore::open(c);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code.rfind("store.", 0) == 0u);
  BOOST_TEST(r.error().message.find("missing") != std::string::npos);

  c.path = dir.path().string();  // a directory
  r = ExchangeStore::open(c);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code.rfind("store.", 0) == 0u);

  const fs::path garbage = dir.path() / "garbage.db";
  {
    std::FILE* f = std::fopen(garbage.c_str(), "wb");
    BOOST_TEST_REQUIRE(f != nullptr);
    for (int i = 0; i < 200; ++i) {
      std::fputs("this is not a database file. ", f);
    }
    std::fclose(f);
  }
  c.path = garbage.string();
  r = ExchangeStore::open(c);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "store.io");
}

BOOST_AUTO_TEST_CASE(bad_configs_are_errors) {
  StoreConfig c;
  c.kind = "oracle";
  auto r = ExchangeStore::open(c);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "store.config");
  BOOST_TEST(r.error().path == "storage.kind");
  c.kind = "sqlite";
  r = ExchangeStore::open(c);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path == "storage.path");
}

BOOST_FIXTURE_TEST_CASE(a_newer_schema_is_refused, SqliteStore) {
  store();
  opened.reset();
  {
    const std::string sql = "sqlite3 '" + config().path +
                            "' \"INSERT INTO schema_migrations VALUES (999, 'future', 0)\"";
    if (std::system(sql.c_str()) != 0) {
      BOOST_TEST_MESSAGE("sqlite3 shell missing: skipped");
      return;
    }
  }
  auto r = ExchangeStore::open(config());
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "store.schema");
}

BOOST_AUTO_TEST_SUITE_END()
