// The results store on both databases: raw runs, hourly rollups (downsampling), retention,
// counts for availability, alerts with deliveries, declared windows.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <filesystem>

#include "gateway/monitor/schedule/ResultsStore.h"
#include "gateway/storage/Migrations.h"
#include "tests/storage/PostgresServer.h"

using namespace huitong;
using namespace huitong::monitor;
using namespace huitong::monitor::schedule;
namespace fs = std::filesystem;

namespace {

constexpr EpochMillis kHour = 3600000;
// 2026-03-02T10:00:00+08:00
constexpr EpochMillis kT0 = 1772416800000;

RunRecord run(const std::string& id, EpochMillis at, double ms, bool ok, double latency = 0) {
  RunRecord r;
  r.result.checkId = id;
  r.result.kind = "http";
  r.result.startedAt = at;
  r.result.durationMs = ms;
  r.result.status = ok ? CheckStatus::kOk : CheckStatus::kFail;
  r.result.message = ok ? "" : "status 500";
  r.result.values["latency_ms"] = latency == 0 ? ms : latency;
  r.result.values["disk_used_percent{mount=\"/\"}"] = 40;
  r.dueAt = at - 5;
  r.latenessMs = 5;
  r.schedule = "5x8";
  return r;
}

void conformance(const storage::StoreConfig& config) {
  auto opened = ResultsStore::open(config);
  BOOST_TEST_REQUIRE(opened.ok(), (opened.ok() ? "" : opened.error().describe()));
  auto& store = *opened.value();

  // Hour 10: 20 runs of portal (durations 10..200 ms, 2 failures), 1 of login.
  std::vector<RunRecord> batch;
  for (int i = 1; i <= 20; ++i)
    batch.push_back(run("portal", kT0 + i * 60000, i * 10.0, i % 10 != 0));
  batch.push_back(run("login", kT0 + 30000, 80, true));
  // Hour 11: 2 runs of portal.
  batch.push_back(run("portal", kT0 + kHour + 1000, 50, true));
  batch.push_back(run("portal", kT0 + kHour + 2000, 70, false));
  BOOST_TEST_REQUIRE(store.record(batch).ok());

  auto raw = store.results("portal", kT0, kT0 + 2 * kHour, 100);
  BOOST_TEST_REQUIRE(raw.ok());
  BOOST_TEST(raw.value().size() == 22U);
  BOOST_TEST(raw.value()[0].status == "ok");
  BOOST_TEST(raw.value()[0].latenessMs == 5.0);
  BOOST_TEST(raw.value()[9].status == "fail");
  BOOST_TEST(raw.value()[9].message == "status 500");
  BOOST_TEST(raw.value()[0].values.at("latency_ms") == 10.0);
  BOOST_TEST(raw.value()[0].values.at("disk_used_percent{mount=\"/\"}") == 40.0);
  BOOST_TEST(raw.value()[0].resultJson.find("\"check\":\"portal\"") != std::string::npos);
  BOOST_TEST(store.results("portal", kT0, kT0 + 2 * kHour, 3).value().size() == 3U);

  // Counts before any rollup come from the raw runs.
  auto c = store.counts("portal", kT0, kT0 + kHour);
  BOOST_TEST_REQUIRE(c.ok());
  BOOST_TEST(c.value().runs == 20);
  BOOST_TEST(c.value().okRuns == 18);

  // Downsample up to 11:30: hour 10 only (hour 11 is not complete).
  auto n = store.downsample(kT0 + kHour + kHour / 2);
  BOOST_TEST_REQUIRE(n.ok(), (n.ok() ? "" : n.error().describe()));
  BOOST_TEST(n.value() == 2);                                          // portal and login
  BOOST_TEST(store.downsample(kT0 + kHour + kHour / 2).value() == 0);  // idempotent
  auto hours = store.rollups("portal", kT0 - kHour, kT0 + 3 * kHour);
  BOOST_TEST_REQUIRE(hours.ok());
  BOOST_TEST_REQUIRE(hours.value().size() == 1U);
  const Rollup& h = hours.value()[0];
  BOOST_TEST(h.hour == kT0);
  BOOST_TEST(h.runs == 20);
  BOOST_TEST(h.okRuns == 18);
  BOOST_TEST(h.minMs == 10.0);
  BOOST_TEST(h.maxMs == 200.0);
  BOOST_TEST(h.avgMs == 105.0);
  BOOST_TEST(h.p95Ms == 190.0);  // nearest rank: the 19th of 20
  BOOST_TEST(h.values.at("latency_ms").avg == 105.0);
  BOOST_TEST(h.values.at("latency_ms").max == 200.0);
  BOOST_TEST(h.values.at("disk_used_percent{mount=\"/\"}").max == 40.0);

  // Counts across the rolled-up hour and the raw one after it.
  c = store.counts("portal", kT0, kT0 + 2 * kHour);
  BOOST_TEST(c.value().runs == 22);
  BOOST_TEST(c.value().okRuns == 19);
  BOOST_TEST(store.downsample(kT0 + 2 * kHour).value() == 1);
  c = store.counts("portal", kT0, kT0 + 2 * kHour);
  BOOST_TEST(c.value().runs == 22);
  BOOST_TEST(c.value().okRuns == 19);

  // Retention: 7 days later the raw runs of hour 10 go, the rollups stay; 13 months later
  // the rollups go too.
  Retention keep;
  auto pruned = store.prune(kT0 + kHour + keep.rawMillis, keep);
  BOOST_TEST_REQUIRE(pruned.ok());
  BOOST_TEST(pruned.value() == 21);  // 20 portal + 1 login of hour 10
  BOOST_TEST(store.results("portal", 0, kT0 + 3 * kHour, 100).value().size() == 2U);
  BOOST_TEST(store.rollups("portal", 0, kT0 + 3 * kHour).value().size() == 2U);
  c = store.counts("portal", kT0, kT0 + 2 * kHour);
  BOOST_TEST(c.value().runs == 22);
  BOOST_TEST(store.prune(kT0 + 3 * kHour + keep.rollupMillis, keep).value() ==
             5);  // 2 raw + 3 rollups
  BOOST_TEST(store.rollups("portal", 0, kT0 + 3 * kHour).value().empty());

  // Alerts and their deliveries.
  StoredAlert a;
  a.rule = "portal-down";
  a.key = "portal";
  a.source = "check";
  a.openedAt = kT0;
  a.summary = "3 consecutive failures";
  auto id = store.openAlert(a);
  BOOST_TEST_REQUIRE(id.ok());
  BOOST_TEST(store.alerts("firing", 10).value().size() == 1U);
  BOOST_TEST(
      store.recordDelivery({id.value(), "wecom", "firing", kT0, 2, "delivered", "errcode 0"}).ok());
  BOOST_TEST(store.resolveAlert(id.value(), kT0 + 60000).ok());
  auto all = store.alerts("", 10).value();
  BOOST_TEST_REQUIRE(all.size() == 1U);
  BOOST_TEST(all[0].state == "resolved");
  BOOST_TEST(all[0].resolvedAt == kT0 + 60000);
  BOOST_TEST(store.alerts("firing", 10).value().empty());
  auto d = store.deliveries(id.value()).value();
  BOOST_TEST_REQUIRE(d.size() == 1U);
  BOOST_TEST(d[0].attempts == 2);
  BOOST_TEST(d[0].outcome == "delivered");

  // Windows.
  BOOST_TEST(store.addWindow({0, "event", "高考报名", "", kT0, kT0 + kHour, "admin", kT0}).ok());
  BOOST_TEST(
      store.addWindow({0, "silence", "upgrade", "check=portal", kT0, kT0 + 60000, "ops", kT0})
          .ok());
  BOOST_TEST(store.windows(kT0).value().size() == 2U);
  auto later = store.windows(kT0 + 120000).value();
  BOOST_TEST_REQUIRE(later.size() == 1U);
  BOOST_TEST(later[0].name == "高考报名");
}

}  // namespace

BOOST_AUTO_TEST_CASE(results_store_on_sqlite) {
  std::string pattern = (fs::temp_directory_path() / "huitong-monitor-XXXXXX").string();
  BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  storage::StoreConfig config;
  config.kind = "sqlite";
  config.path = pattern + "/huitong.db";
  conformance(config);
  fs::remove_all(pattern);
}

BOOST_AUTO_TEST_CASE(results_store_on_postgres) {
  auto bin = storage::testing::PostgresServer::findBinDir();
  if (!bin) {
    BOOST_TEST_MESSAGE("PostgreSQL is not installed: the PostgreSQL half is not run");
    return;
  }
  storage::testing::PostgresServer server(*bin);
  server.createDatabase("monitor");
  storage::StoreConfig config;
  config.kind = "postgresql";
  config.connection = server.connection("monitor");
  conformance(config);
}
