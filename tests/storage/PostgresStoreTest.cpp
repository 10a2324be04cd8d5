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

#include <libpq-fe.h>

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

// Runs one statement over libpq as connection `conninfo`; the first cell of its first row, or
// "" (an error fails the test).
std::string sqlValue(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string value;
  if (PQstatus(conn) != CONNECTION_OK) {
    BOOST_ERROR("connect: " << PQerrorMessage(conn));
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      BOOST_ERROR(sql << ": " << PQerrorMessage(conn));
    else if (status == PGRES_TUPLES_OK && PQntuples(r) > 0)
      value = PQgetvalue(r, 0, 0);
    PQclear(r);
  }
  PQfinish(conn);
  return value;
}

const char* kTargetIndex =
    "SELECT count(*) FROM pg_indexes WHERE indexname = 'audit_entry_target_trgm'";

// Finds the entry written under `actor` by a target substring of 3 characters or more (the
// LIKE the trigram index serves) and of 2 (the scan alone).
void checkTargetSearch(const StoreConfig& config) {
  auto registry = huitong::registry::testing::openRegistryOrFail(config);
  huitong::registry::AuditEntry e;
  e.at = 1'790'000'000'000;
  e.actor = "li.na";
  e.role = "operator";
  e.action = "filing.update";
  e.target = "filing marriage/100%_结婚登记";
  e.before = "null";
  e.after = "null";
  BOOST_TEST_REQUIRE(registry->appendAudit(e).ok());
  for (const std::string needle : {"100%_结婚", "%_结", "结婚", "%_"}) {
    huitong::registry::AuditQuery q;
    q.targetContains = needle;
    auto page = registry->queryAudit(q);
    BOOST_TEST_REQUIRE(page.ok());
    BOOST_TEST(page.value().entries.size() == 1u, needle);
  }
  huitong::registry::AuditQuery none;
  none.targetContains = "100x_";  // '_' is no wildcard
  BOOST_TEST(registry->queryAudit(none).value().entries.empty());
}

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

BOOST_AUTO_TEST_SUITE(postgres_audit_target_index)

// Migration 8: the superuser (like a database owner: pg_trgm is trusted) gets the GIN index.
BOOST_FIXTURE_TEST_CASE(the_owner_gets_the_trigram_index, PostgresStore) {
  checkTargetSearch(config());
  BOOST_TEST(sqlValue(config().connection, kTargetIndex) == "1");
}

// A role that may create tables but not extensions: the migration still applies, without the
// index, and target search scans (same answers).
BOOST_AUTO_TEST_CASE(without_pg_trgm_the_migration_applies_and_search_scans) {
  const std::string database = "huitong_no_trgm";
  gServer->createDatabase(database);
  const std::string admin = gServer->connection(database);
  sqlValue(admin, "CREATE ROLE huitong_plain LOGIN");
  sqlValue(admin, "GRANT CREATE ON SCHEMA public TO huitong_plain");
  sqlValue(admin, "REVOKE CREATE ON DATABASE " + database + " FROM PUBLIC");
  StoreConfig c;
  c.kind = "postgresql";
  c.connection = "host=127.0.0.1 port=" + std::to_string(gServer->port()) + " dbname=" + database +
                 " user=huitong_plain";
  checkTargetSearch(c);
  BOOST_TEST(sqlValue(admin, kTargetIndex) == "0");
  BOOST_TEST(sqlValue(admin, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") == "0");
  BOOST_TEST(sqlValue(admin, "SELECT max(version) FROM schema_migrations") ==
             std::to_string(huitong::storage::latestSchemaVersion()));
}

BOOST_AUTO_TEST_SUITE_END()
