// The store conformance suite on SQLite, plus what only the embedded backend has: its file.
#define BOOST_TEST_MODULE storage_sqlite
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

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

BOOST_AUTO_TEST_SUITE(sqlite_file)

BOOST_FIXTURE_TEST_CASE(journal_is_wal_with_full_sync, SqliteStore) {
  store();
  BOOST_TEST(fs::exists(dir.path() / "huitong.db-wal"));
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
