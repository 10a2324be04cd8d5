// The fault tickets' cases (TicketCases.cpp) on PostgreSQL, against a server this test starts
// itself (tests/storage/PostgresServer). Exits 77 (CTest: skipped) without server binaries.
#define BOOST_TEST_MODULE faults_postgres
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <exception>
#include <memory>

#include "tests/faults/TicketCases.h"
#include "tests/storage/PostgresServer.h"

using huitong::storage::testing::PostgresServer;

namespace {
PostgresServer* gServer = nullptr;
}

BOOST_AUTO_TEST_CASE(tickets_on_postgresql) {
  gServer->createDatabase("huitong_faults");
  huitong::storage::StoreConfig c;
  c.kind = "postgresql";
  c.connection = gServer->connection("huitong_faults");
  huitong::faults::testing::runTicketCases(c);
}

int main(int argc, char* argv[]) {
  const auto binDir = PostgresServer::findBinDir();
  if (!binDir) {
    std::printf("test_faults_postgres SKIPPED: no PostgreSQL server binaries (initdb, pg_ctl)\n");
    return 77;
  }
  std::unique_ptr<PostgresServer> server;
  try {
    server = std::make_unique<PostgresServer>(*binDir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "test_faults_postgres: cannot start PostgreSQL: %s\n", e.what());
    return 1;
  }
  gServer = server.get();
  const int rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
  gServer = nullptr;
  server.reset();
  return rc;
}
