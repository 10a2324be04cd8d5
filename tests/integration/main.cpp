// One main for every integration executable. Built with HUITONG_IT_POSTGRES=1 it starts a
// private PostgreSQL server (tests/storage/PostgresServer) for the gateway's store and exits
// 77 (CTest: skipped) when no server binaries are installed; otherwise the store is SQLite.
// Built with HUITONG_IT_NEEDS_PROMTOOL=1 it exits 77 when `promtool` is not on PATH.
#define BOOST_TEST_MODULE integration
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>

#include "tests/integration/Harness.h"
#include "tests/storage/PostgresServer.h"

#ifndef HUITONG_IT_POSTGRES
#define HUITONG_IT_POSTGRES 0
#endif
#ifndef HUITONG_IT_NEEDS_PROMTOOL
#define HUITONG_IT_NEEDS_PROMTOOL 0
#endif

using huitong::storage::testing::PostgresServer;

namespace huitong::integration {
namespace {
PostgresServer* gServer = nullptr;
}  // namespace

bool onPostgres() {
  return HUITONG_IT_POSTGRES != 0;
}

StoreSetting freshStore(const std::filesystem::path&) {
  StoreSetting s;
  if (!onPostgres())
    return s;
  static std::atomic<int> counter{0};
  const std::string database = "huitong_it" + std::to_string(++counter);
  gServer->createDatabase(database);
  s.kind = "postgresql";
  s.connection = gServer->connection(database);
  return s;
}

}  // namespace huitong::integration

int main(int argc, char* argv[]) {
  if (HUITONG_IT_NEEDS_PROMTOOL && huitong::integration::findProgram("promtool").empty()) {
    std::printf("SKIPPED: promtool is not on PATH (Debian package `prometheus`)\n");
    return 77;
  }
  std::unique_ptr<PostgresServer> server;
  if (huitong::integration::onPostgres()) {
    const auto binDir = PostgresServer::findBinDir();
    if (!binDir) {
      std::printf(
          "SKIPPED: no PostgreSQL server binaries (initdb, pg_ctl) under "
          "/usr/lib/postgresql/<n>/bin; install postgresql-15 or set HUITONG_PG_BINDIR\n");
      return 77;
    }
    try {
      server = std::make_unique<PostgresServer>(*binDir);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cannot start PostgreSQL: %s\n", e.what());
      return 1;
    }
    huitong::integration::gServer = server.get();
  }
  const int rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
  huitong::integration::gServer = nullptr;
  server.reset();
  return rc;
}
