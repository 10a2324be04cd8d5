// The store conformance suite on PostgreSQL, against a server this test starts itself
// (PostgresServer), plus what only a server has: it can go away and come back.
// Exits 77 (CTest: skipped) when no PostgreSQL server binaries are installed.
#define BOOST_TEST_MODULE storage_postgres
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "tests/storage/PostgresServer.h"
#include "tests/storage/RegistryStoreConformance.h"
#include "tests/storage/StoreConformance.h"

using huitong::storage::ExchangeStore;
using huitong::storage::StoreConfig;
using huitong::storage::testing::makeIntake;
using huitong::storage::testing::PostgresServer;

namespace {

PostgresServer* gServer = nullptr;

// A fresh database per test case on the one server.
struct PostgresStore {
  std::string database;
  std::unique_ptr<ExchangeStore> opened;

  PostgresStore() {
    static std::atomic<int> counter{0};
    database = "huitong_t" + std::to_string(++counter);
    gServer->createDatabase(database);
  }
  StoreConfig config() const {
    StoreConfig c;
    c.kind = "postgresql";
    c.connection = gServer->connection(database);
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

BOOST_AUTO_TEST_SUITE(postgres_conformance)
HUITONG_STORE_CONFORMANCE_TESTS(PostgresStore)
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(postgres_registry_conformance)
HUITONG_REGISTRY_STORE_CONFORMANCE_TESTS(PostgresStore)
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(postgres_server)

BOOST_AUTO_TEST_CASE(no_server_is_an_error) {
  StoreConfig c;
  c.kind = "postgresql";
  c.connection = "host=127.0.0.1 port=1 dbname=huitong user=postgres connect_timeout=2";
  auto r = ExchangeStore::open(c);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "store.unavailable");
  BOOST_TEST_MESSAGE(r.error().message);
}

// Last in this file: it stops the shared server and starts it again.
BOOST_FIXTURE_TEST_CASE(server_going_away_gives_errors_then_recovers, PostgresStore) {
  auto& s = store();
  BOOST_TEST_REQUIRE(s.recordIntake(makeIntake("marriage", "m-1", {{"a1", "marriage:A"}})).ok());
  BOOST_TEST_REQUIRE(gServer->stop());

  auto intake = s.recordIntake(makeIntake("marriage", "m-2", {{"b1", "marriage:B"}}));
  BOOST_TEST_REQUIRE(!intake.ok());
  BOOST_TEST(intake.error().code == "store.unavailable");
  BOOST_TEST_MESSAGE(intake.error().message);
  auto claim = s.claimDeliverable(10, 1000, 1000);
  BOOST_TEST_REQUIRE(!claim.ok());
  BOOST_TEST(claim.error().code.rfind("store.", 0) == 0u);
  BOOST_TEST(!s.depths().ok());

  BOOST_TEST_REQUIRE(gServer->start());
  // Pooled sessions reconnect on their next use; what was committed is there.
  auto again = s.recordIntake(makeIntake("marriage", "m-2", {{"b1", "marriage:B"}}));
  BOOST_TEST_REQUIRE(again.ok(), (again.ok() ? "" : again.error().message));
  BOOST_TEST(!again.value().repeated);
  auto d = s.depths();
  BOOST_TEST_REQUIRE(d.ok());
  BOOST_TEST(d.value().journal == 2);
  auto items = s.claimDeliverable(10, 1000, 1000);
  BOOST_TEST_REQUIRE(items.ok());
  BOOST_TEST(items.value().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

int main(int argc, char* argv[]) {
  const auto binDir = PostgresServer::findBinDir();
  if (!binDir) {
    std::printf(
        "test_storage_postgres SKIPPED: no PostgreSQL server binaries (initdb, pg_ctl) under "
        "/usr/lib/postgresql/<n>/bin; install postgresql-15 or set HUITONG_PG_BINDIR\n");
    return 77;
  }
  std::unique_ptr<PostgresServer> server;
  try {
    server = std::make_unique<PostgresServer>(*binDir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "test_storage_postgres: cannot start PostgreSQL: %s\n", e.what());
    return 1;
  }
  gServer = server.get();
  std::printf("test_storage_postgres: PostgreSQL from %s on 127.0.0.1:%d\n", binDir->c_str(),
              server->port());
  std::fflush(stdout);
  const int rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
  gServer = nullptr;
  server.reset();
  return rc;
}
