// The backup suite (BackupSuite.h) on a throwaway PostgreSQL server: pg_dump on an exported
// snapshot, the restore test in a scratch database the command creates and drops, pg_restore.
// Exits 77 (CTest: skipped) when no PostgreSQL server binaries are installed.
#define BOOST_TEST_MODULE ops_backup_postgres
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <memory>

#include "gateway/ops/backup/StoreBackup.h"
#include "tests/ops/backup/BackupSuite.h"
#include "tests/storage/PostgresServer.h"

using huitong::storage::testing::PostgresServer;
using namespace huitong::ops::backup;
using namespace huitong::ops::backup::testing;

namespace {
PostgresServer* gServer = nullptr;
int gDatabases = 0;

// A fresh database; the backup tool's connections name themselves huitong-backup, so the
// restore's "gateway still connected" check counts no connection of this test. The password
// (the server trusts local connections and never asks for it) takes the way a real one takes:
// out of pg_dump's and pg_restore's command lines, into their environment.
huitong::storage::StoreConfig freshStore() {
  const std::string name = "backup_" + std::to_string(++gDatabases);
  gServer->createDatabase(name);
  huitong::storage::StoreConfig c;
  c.kind = "postgresql";
  c.connection = gServer->connection(name) +
                 " password='not on a command line' application_name=huitong-backup";
  return c;
}
}  // namespace

BOOST_AUTO_TEST_CASE(backup_verify_restore_plain) {
  backupVerifyRestoreRoundTrip(freshStore(), false);
}

// Encryption is the same bytes on both backends: its round trip runs on SQLite only (a
// PostgreSQL round trip costs ~25 s of pg_dump, CREATE DATABASE and pg_restore on 2 cores).

BOOST_AUTO_TEST_CASE(damaged_backups_are_caught) {
  damagedBackupsAreCaught(freshStore());
}

BOOST_AUTO_TEST_CASE(restore_is_refused_while_a_gateway_is_connected) {
  auto config = freshStore();
  seedStore(config, 3, 1);
  TempDir t;
  Harness h(config, t.path, "");
  auto created = h.service->create({"li.na", "operator"}, {});
  BOOST_TEST_REQUIRE(created.value().ok, created.value().message);
  auto gatewayConfig = config;
  gatewayConfig.connection =
      config.connection.substr(0, config.connection.find(" application_name"));
  auto gateway = huitong::storage::ExchangeStore::open(gatewayConfig);  // as huitong serve does
  BOOST_TEST_REQUIRE(gateway.ok());
  auto refused = h.service->restore({"li.na", "operator"}, created.value().id);
  BOOST_TEST(!refused.value().ok);
  BOOST_TEST(refused.value().message.find("stop every gateway node first") != std::string::npos,
             refused.value().message);
}

int main(int argc, char* argv[]) {
  const auto binDir = PostgresServer::findBinDir();
  if (!binDir) {
    std::printf("test_ops_backup_postgres SKIPPED: no PostgreSQL server binaries\n");
    return 77;
  }
  if (findPgTool("pg_dump").empty() || findPgTool("pg_restore").empty()) {
    std::printf("test_ops_backup_postgres SKIPPED: no pg_dump / pg_restore\n");
    return 77;
  }
  std::unique_ptr<PostgresServer> server;
  try {
    server = std::make_unique<PostgresServer>(*binDir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "test_ops_backup_postgres: cannot start PostgreSQL: %s\n", e.what());
    return 1;
  }
  gServer = server.get();
  const int rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
  gServer = nullptr;
  server.reset();
  return rc;
}
