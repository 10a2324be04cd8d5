// The emergency drill end to end (docs/operations.md "Emergency drill"): the real
// `huitong drill platform-outage` against the real `huitong serve` and `huitong mock-platform`.
// The platform is away for 4 s while 20 marriage messages go through the intake; every one is
// accepted, the backlog drains once the platform is back, every accepted event is at the
// platform, the time to drain is measured and the drill is on the audit trail (chain intact)
// under the operator's staff login.
// SIGTERM in the middle of an outage restores the platform before the drill exits.
#include <csignal>
#include <set>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

// The simulator config the drill reads: marriage with the gateway's key for it, on the
// project's scripts.
std::string simulatorConfig(const TempDir& dir, const DepartmentCredential& cred) {
  return dir
      .write(
          "simulator.json",
          R"({"interval_ms": 1000, "scripts": ")" +
              (std::filesystem::path(HUITONG_SOURCE_DIR) / "sandbox/simulator/scripts").string() +
              R"(", "departments": {"marriage": {"via": "http",
  "url": "http://127.0.0.1:8600/intake/v1/marriage",
  "content_type": "application/json; charset=utf-8", "alg": "hmac-sha256",
  "key_id": ")" +
              cred.keyId + R"(", "secret": ")" + cred.secret + R"("}}})")
      .string();
}

double outageLeft(MockPlatformProcess& platform) {
  auto a = platform.control("GET", "/control/v1/faults");
  auto d = huitong::json::parse(a.body);
  BOOST_REQUIRE(d.ok());
  return d.value()["outage_seconds"].GetDouble();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(drill)

BOOST_AUTO_TEST_CASE(platform_outage_drill_nothing_lost_drain_measured_and_recorded) {
  TempDir dir("huitong-it-drill");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential marriage = makeCredential("marriage");
  GatewayProcess gateway(dir.path(), deliveringTo(dir.path(), platform, {marriage}));
  const std::string gatewayUrl = "http://127.0.0.1:" + std::to_string(gateway.port());
  const std::int64_t heldBefore = platform.receivedTotal();
  // An operator's staff login: the drill logs in with it and records under its name.
  const auto password = dir.write("password.txt", "drill-password-2026\n");
  Process user({huitongBinary().string(), "user", "create", "--config",
                gateway.configPath().string(), "--name", "zhou.drill", "--role", "operator"},
               dir.path(), "user", password.string());
  user.wait(30s);
  BOOST_REQUIRE_EQUAL(user.describe(), "exit 0");

  const auto start = std::chrono::steady_clock::now();
  Process drill({huitongBinary().string(),
                 "drill",
                 "platform-outage",
                 "--gateway",
                 gatewayUrl,
                 "--platform-admin",
                 platform.url(),
                 "--outage-seconds",
                 "4",
                 "--messages",
                 "20",
                 "--system",
                 "marriage",
                 "--simulator-config",
                 simulatorConfig(dir, marriage),
                 "--drain-timeout",
                 "30",
                 "--json",
                 "--config",
                 gateway.configPath().string(),
                 "--user",
                 "zhou.drill",
                 "--password-file",
                 password.string()},
                dir.path(), "drill");
  const int status = drill.wait(60s);
  const double took = secondsSince(start);
  const std::string out = readFile(drill.outPath());
  BOOST_TEST_MESSAGE("drill took " << took << " s; progress:\n" << readFile(drill.errPath()));
  BOOST_TEST(drill.describe() == "exit 0", drill.describe() << "\n" << out);
  BOOST_TEST(status == 0);
  auto doc = huitong::json::parse(out);
  BOOST_REQUIRE_MESSAGE(doc.ok(), out);
  const auto& r = doc.value();
  BOOST_TEST(std::string(r["outcome"].GetString()) == "passed");
  BOOST_TEST(r["platform_down_confirmed"].GetBool());
  BOOST_TEST(r["platform_restored"].GetBool());
  BOOST_TEST(r["messages_sent"].GetInt64() == 20);
  BOOST_TEST(r["messages_accepted"].GetInt64() == 20);
  BOOST_TEST(r["events_accepted"].GetInt64() == 20);
  BOOST_TEST(r["events_delivered"].GetInt64() == 20);
  BOOST_TEST(r["events_missing"].GetInt64() == 0);
  BOOST_TEST(r["missing"].Size() == 0u);
  BOOST_REQUIRE(r["drain_seconds"].IsNumber());
  const double drain = r["drain_seconds"].GetDouble();
  BOOST_TEST_MESSAGE("time to drain: " << drain << " s, backlog at restore: "
                                       << r["backlog_at_restore"].GetInt64());
  BOOST_TEST(drain >= 0.0);
  BOOST_TEST(drain < 15.0);
  // The platform was away: the backlog built up in the gateway's outbox.
  BOOST_TEST(r["backlog_at_restore"].GetInt64() > 0);
  for (const auto& m : r["messages"].GetArray())
    BOOST_TEST(m["status"].GetInt() == 202);
  // What the drill counted is what the platform holds: the 20 events, once each.
  BOOST_TEST(platform.receivedTotal() == heldBefore + 20);
  std::set<std::string> held;
  for (const auto& e : platform.received())
    held.insert(e.eventId);
  for (const auto& m : r["messages"].GetArray())
    BOOST_TEST(held.count(m["events"][0].GetString()) == 1u);
  BOOST_TEST(outageLeft(platform) == 0.0);

  // Recorded on the audit trail, which still verifies.
  BOOST_TEST(out.find("recorded as audit entry") != std::string::npos);
  BOOST_TEST(out.find("(drill.platform_outage) by zhou.drill") != std::string::npos);
  Process verify(
      {huitongBinary().string(), "audit", "verify", "--config", gateway.configPath().string()},
      dir.path(), "verify");
  verify.wait(30s);
  BOOST_TEST(verify.describe() == "exit 0", readFile(verify.outPath())
                                                << readFile(verify.errPath()));
}

BOOST_AUTO_TEST_CASE(sigterm_during_the_outage_restores_the_platform) {
  TempDir dir("huitong-it-drill-stop");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential marriage = makeCredential("marriage");
  GatewayProcess gateway(dir.path(), deliveringTo(dir.path(), platform, {marriage}));
  Process drill({huitongBinary().string(), "drill", "platform-outage", "--gateway",
                 "http://127.0.0.1:" + std::to_string(gateway.port()), "--platform-admin",
                 platform.url(), "--outage-seconds", "120", "--messages", "4", "--simulator-config",
                 simulatorConfig(dir, marriage)},
                dir.path(), "drill");
  BOOST_REQUIRE(drill.waitForLine("platform away", true, 20s).has_value());
  BOOST_TEST(outageLeft(platform) > 100.0);
  const auto signalled = std::chrono::steady_clock::now();
  drill.signal(SIGTERM);
  drill.wait(20s);
  BOOST_TEST_MESSAGE("the drill ended " << secondsSince(signalled) << " s after SIGTERM");
  BOOST_TEST(secondsSince(signalled) < 5.0);
  BOOST_TEST(drill.describe() == "exit 1");
  BOOST_TEST(outageLeft(platform) == 0.0);
  const std::string out = readFile(drill.outPath());
  BOOST_TEST(out.find("INTERRUPTED") != std::string::npos, out);
}

BOOST_AUTO_TEST_SUITE_END()
