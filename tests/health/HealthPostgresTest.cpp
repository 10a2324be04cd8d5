// The store queries of per-item health (StoreQueryCases.cpp) on PostgreSQL, against a server this
// test starts itself (tests/storage/PostgresServer), and the health computed over it.
// Exits 77 (CTest: skipped) when no PostgreSQL server binaries are installed.
#define BOOST_TEST_MODULE health_postgres
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "tests/health/HealthFixture.h"
#include "tests/storage/PostgresServer.h"

using namespace huitong;
using namespace huitong::health;
using namespace huitong::health::testing;
using huitong::storage::testing::PostgresServer;

namespace {

PostgresServer* gServer = nullptr;

std::unique_ptr<storage::ExchangeStore> freshStore(const std::string& database) {
  gServer->createDatabase(database);
  storage::StoreConfig c;
  c.kind = "postgresql";
  c.connection = gServer->connection(database);
  auto s = storage::ExchangeStore::open(c);
  BOOST_TEST_REQUIRE(s.ok(), errorOf(s));
  return std::move(s).value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(store_queries_on_postgresql) {
  auto store = freshStore("huitong_health_q");
  runStoreQueryCases(*store);
}

BOOST_AUTO_TEST_CASE(health_over_postgresql) {
  auto store = freshStore("huitong_health_h");
  StoreFiller fill(*store);
  FixedClock clock(at("2026-10-12T11:00:00+08:00"));
  std::vector<OnlineItem> online = {{"civil", "A", ""}};
  HealthService service(
      *store, [&]() -> Result<std::vector<OnlineItem>> { return online; }, nullptr, HealthRules(),
      WorkCalendar::china(), clock);
  for (int i = 0; i < 3; ++i)
    fill.send("civil", {"A"}, at("2026-10-12T10:00:00+08:00"));
  fill.settleAll(at("2026-10-12T10:30:00+08:00"), true);
  auto all = service.compute();
  BOOST_TEST_REQUIRE(all.ok(), errorOf(all));
  const ItemHealth& a = find(all.value(), "civil", "A");
  BOOST_TEST(a.status == Status::kRed, a.summary());
  BOOST_TEST(a.summary() == "红: 3 dead letters (the last at 2026-10-12 10:30)", a.summary());
  BOOST_TEST(a.figures.events24h == 3);
}

int main(int argc, char* argv[]) {
  const auto binDir = PostgresServer::findBinDir();
  if (!binDir) {
    std::printf("test_health_postgres SKIPPED: no PostgreSQL server binaries (initdb, pg_ctl)\n");
    return 77;
  }
  std::unique_ptr<PostgresServer> server;
  try {
    server = std::make_unique<PostgresServer>(*binDir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "test_health_postgres: cannot start PostgreSQL: %s\n", e.what());
    return 1;
  }
  gServer = server.get();
  const int rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
  gServer = nullptr;
  server.reset();
  return rc;
}
