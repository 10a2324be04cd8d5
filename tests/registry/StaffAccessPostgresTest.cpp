// The staff-access suite (StaffAccessSuite.inc) on PostgreSQL, against a server this test
// starts itself (tests/storage/PostgresServer), a fresh database per test case.
// Exits 77 (CTest: skipped) when no PostgreSQL server binaries are installed.
#define BOOST_TEST_MODULE registry_postgres
#define BOOST_TEST_NO_MAIN
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "gateway/registry/StaffAccess.h"
#include "tests/storage/PostgresServer.h"

using huitong::storage::testing::PostgresServer;

namespace {

PostgresServer* gServer = nullptr;

struct PostgresBackend {
  std::string database;
  PostgresBackend() {
    static std::atomic<int> counter{0};
    database = "huitong_staff" + std::to_string(++counter);
    gServer->createDatabase(database);
  }
  huitong::storage::StoreConfig config() const {
    huitong::storage::StoreConfig c;
    c.kind = "postgresql";
    c.connection = gServer->connection(database);
    return c;
  }
};

using StaffBackends = boost::mpl::list<PostgresBackend>;

}  // namespace

BOOST_AUTO_TEST_SUITE(staff_logins_postgres)
#include "tests/registry/StaffAccessSuite.inc"
BOOST_AUTO_TEST_SUITE_END()

int main(int argc, char* argv[]) {
  const auto binDir = PostgresServer::findBinDir();
  if (!binDir) {
    std::printf("test_registry_postgres SKIPPED: no PostgreSQL server binaries (initdb, pg_ctl)\n");
    return 77;
  }
  std::unique_ptr<PostgresServer> server;
  try {
    server = std::make_unique<PostgresServer>(*binDir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "test_registry_postgres: cannot start PostgreSQL: %s\n", e.what());
    return 1;
  }
  gServer = server.get();
  std::fflush(stdout);
  const int rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
  gServer = nullptr;
  server.reset();
  return rc;
}
