// Per-item health on the real gateway (docs/monitoring.md "Item health"): the marriage item is
// yellow before any traffic (its expected-activity rule), green after traffic is delivered,
// yellow while the platform is away and its events wait (backlog), red once they die (dead
// letters), and green again after the platform is back and the dead letters are requeued —
// through GET /ops/v1/health[/{system}/{item}] and the gauges on /metrics.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

const std::string kItem = "1244200045586317954442071001000";
const std::vector<std::pair<std::string, std::string>> kOps = {
    {"Authorization", "Bearer it-ops-token"}};

struct Seen {
  int status = 0;
  std::string health;  // green | yellow | red
  std::string summary;
  std::string body;
};

Seen itemHealth(HttpClient& c, const std::string& path = "marriage/" + kItem) {
  Answer a = c.send("GET", "/ops/v1/health/" + path, "", "", kOps);
  Seen s{a.status, "", "", a.body};
  auto d = json::parse(a.body);
  if (a.status == 200 && d.ok() && d.value().IsObject()) {
    s.health = d.value()["status"].GetString();
    s.summary = d.value()["summary"].GetString();
  }
  return s;
}

// Polls the item's health until `ok` holds or `limit` passes; the last answer either way.
Seen waitForHealth(HttpClient& c, const std::function<bool(const Seen&)>& ok,
                   std::chrono::seconds limit, const std::string& path = "marriage/" + kItem) {
  const auto end = std::chrono::steady_clock::now() + limit;
  Seen s;
  do {
    s = itemHealth(c, path);
    if (ok(s))
      return s;
    std::this_thread::sleep_for(200ms);
  } while (std::chrono::steady_clock::now() < end);
  return s;
}

// One of the item's gauges on /metrics (-1 when absent).
double itemMetric(GatewayProcess& gateway, const std::string& name) {
  return gateway.metric(name + "{system=\"marriage\",item=\"" + kItem + "\"}").value_or(-1);
}

// The config gatewayConfigJson writes for `o`, with a "health" block.
std::string withHealth(const GatewayOptions& o, const std::filesystem::path& dir,
                       const std::string& healthBlock) {
  std::string config = gatewayConfigJson(o, dir);
  const std::string anchor = "\"ops_token\": \"it-ops-token\",\n";
  BOOST_TEST_REQUIRE(config.find(anchor) != std::string::npos);
  config.replace(config.find(anchor), anchor.size(),
                 anchor + "  \"health\": " + healthBlock + ",\n");
  return config;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(health)

BOOST_AUTO_TEST_CASE(item_health_follows_the_platform_away_and_back) {
  TempDir dir("huitong-it-health");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential marriage = makeCredential("marriage");
  GatewayOptions o = deliveringTo(dir.path(), platform, {marriage});
  o.onlineItems = std::vector<OnlineItem>{{"marriage", kItem}};
  std::string config = withHealth(o, dir.path(),
                                  "{\"refresh_s\": 1, \"defaults\": {"
                                  "\"backlog\": {\"yellow\": 1, \"red\": 1000},"
                                  " \"dead_letters\": {\"yellow\": 1, \"red\": 3}},"
                                  " \"items\": {\"marriage/" +
                                      kItem +
                                      "\": {\"expect\": {\"min_events\": 1, \"per\": "
                                      "\"hour\"}}}}");
  // Three attempts, then a dead letter.
  const std::string attempts = "\"max_attempts\": 1000";
  BOOST_TEST_REQUIRE(config.find(attempts) != std::string::npos);
  config.replace(config.find(attempts), attempts.size(), "\"max_attempts\": 3");
  // An item turning red is a monitoring alert (a "signal" rule on source health).
  const std::string anchor = "\"ops_token\": \"it-ops-token\",\n";
  config.replace(config.find(anchor), anchor.size(),
                 anchor +
                     "  \"monitor\": {\"alerts\": [{\"name\": \"item-red\", \"kind\": "
                     "\"signal\", \"source\": \"health\"}]},\n");
  o.configText = config;
  GatewayProcess gateway(dir.path(), o);
  HttpClient c(gateway.port());

  // No traffic yet: the activity rule makes it yellow, in words.
  Seen s = waitForHealth(
      c, [](const Seen& x) { return x.status == 200; }, 30s);
  BOOST_TEST_REQUIRE(s.status == 200, s.body);
  BOOST_TEST(s.health == "yellow", s.summary);
  BOOST_TEST(s.summary == "黄: no event received so far, expected at least 1 per hour", s.summary);

  // Traffic, delivered: green.
  std::atomic<int> port{gateway.port()};
  LoadPlan plan;
  plan.cases = 20;
  plan.clients = 2;
  plan.casePrefix = "HYHE";
  Load load(plan, marriage, port);
  load.start();
  load.join();
  BOOST_TEST_REQUIRE(waitForDrain(platform, gateway, static_cast<std::int64_t>(load.size()), 120s));
  s = waitForHealth(
      c, [](const Seen& x) { return x.health == "green"; }, 30s);
  BOOST_TEST(s.health == "green", s.body);
  BOOST_TEST(s.summary == "绿");
  BOOST_TEST(itemMetric(gateway, "huitong_item_health_status") == 0.0);
  BOOST_TEST(itemMetric(gateway, "huitong_item_events_24h") == 80.0);

  // The platform goes away (503 for 4 s, then 500s): the new events wait, then die.
  platform.setFaults("{\"outage_seconds\": 4, \"error_rate\": 1.0}");
  for (int i = 0; i < 3; ++i) {
    const MarriageMessage m = marriageMessage("HYHX0000" + std::to_string(i), 900 + i, 0);
    BOOST_TEST_REQUIRE(signedPost(c, marriage, "/intake/v1/marriage", m.body).status == 202);
  }
  s = waitForHealth(
      c, [](const Seen& x) { return has(x.summary, "3 events waiting for delivery"); }, 30s);
  BOOST_TEST(s.health == "yellow", s.body);
  BOOST_TEST(s.summary == "黄: 3 events waiting for delivery", s.summary);
  s = waitForHealth(
      c, [](const Seen& x) { return x.health == "red"; }, 60s);
  BOOST_TEST(s.health == "red", s.body);
  BOOST_TEST(s.summary.rfind("红: 3 dead letters (the last at ", 0) == 0, s.summary);
  BOOST_TEST(itemMetric(gateway, "huitong_item_health_status") == 2.0);
  BOOST_TEST(itemMetric(gateway, "huitong_item_dead_letters") == 3.0);
  // The summary list says the same, with the counts.
  Answer list = c.send("GET", "/ops/v1/health?status=red", "", "", kOps);
  BOOST_TEST_REQUIRE(list.status == 200, list.body);
  auto d = json::parse(list.body);
  BOOST_TEST_REQUIRE(d.ok());
  BOOST_TEST(d.value()["counts"]["red"].GetInt64() == 1);
  BOOST_TEST(d.value()["items"].Size() == 1u);
  BOOST_TEST(std::string(d.value()["items"][0]["item"].GetString()) == kItem);
  // ... and the alert fired, keyed by the item, with the reasons.
  auto firing = [&] {
    Answer a = c.send("GET", "/ops/v1/monitor/alerts?state=firing", "", "", kOps);
    return a.status == 200 ? a.body : std::string();
  };
  const auto alertBy = std::chrono::steady_clock::now() + 30s;
  while (!has(firing(), "marriage/" + kItem) && std::chrono::steady_clock::now() < alertBy)
    std::this_thread::sleep_for(200ms);
  const std::string alerts = firing();
  BOOST_TEST(has(alerts, "\"item-red\""), alerts);
  BOOST_TEST(has(alerts, "marriage/" + kItem), alerts);
  BOOST_TEST(has(alerts, "3 dead letters"), alerts);

  // The CLI asks the gateway: a table without colours (not a terminal), exit 1 for a red item.
  {
    Process cli({huitongBinary().string(), "health", "--url",
                 "http://127.0.0.1:" + std::to_string(gateway.port()), "--token", "it-ops-token"},
                dir.path(), "cli-red");
    cli.wait(60s);
    const std::string out = readFile(cli.outPath());
    BOOST_TEST(cli.describe() == "exit 1", cli.describe() << "\n"
                                                          << out << readFile(cli.errPath()));
    BOOST_TEST(has(out, "red    marriage/" + kItem), out);
    BOOST_TEST(has(out, "3 dead letters"), out);
    BOOST_TEST(has(out, "0 green, 0 yellow, 1 red"), out);
    BOOST_TEST(!has(out, "\033["), out);
  }

  // The platform is back; the operator requeues the dead letters: green again.
  platform.setFaults("{\"error_rate\": 0}");
  Answer dead = c.send("GET", "/ops/v1/dead-letters", "", "", kOps);
  BOOST_TEST_REQUIRE(dead.status == 200, dead.body);
  auto dl = json::parse(dead.body);
  BOOST_TEST_REQUIRE((dl.ok() && dl.value().IsArray()), dead.body);
  BOOST_TEST(dl.value().Size() == 3u);
  for (const auto& letter : dl.value().GetArray()) {
    const std::string id = std::to_string(letter["id"].GetInt64());
    Answer r = c.send("POST", "/ops/v1/dead-letters/" + id + ":requeue", "", "", kOps);
    BOOST_TEST(r.status == 200, r.body);
  }
  BOOST_TEST(waitForDrain(platform, gateway, static_cast<std::int64_t>(load.size()) + 3, 60s));
  s = waitForHealth(
      c, [](const Seen& x) { return x.health == "green"; }, 30s);
  BOOST_TEST(s.health == "green", s.body);
  BOOST_TEST(itemMetric(gateway, "huitong_item_health_status") == 0.0);
  // Green again: the alert resolved itself.
  const auto resolvedBy = std::chrono::steady_clock::now() + 30s;
  while (has(firing(), "marriage/" + kItem) && std::chrono::steady_clock::now() < resolvedBy)
    std::this_thread::sleep_for(200ms);
  BOOST_TEST(!has(firing(), "marriage/" + kItem), firing());

  // The CLI reading the store itself (--config), one item in detail: exit 0.
  {
    Process cli({huitongBinary().string(), "health", "--config", gateway.configPath().string(),
                 "marriage/" + kItem},
                dir.path(), "cli-green");
    cli.wait(60s);
    const std::string out = readFile(cli.outPath());
    BOOST_TEST(cli.describe() == "exit 0", cli.describe() << "\n"
                                                          << out << readFile(cli.errPath()));
    BOOST_TEST(has(out, "status          绿"), out);
    BOOST_TEST(has(out, "events 24 h     83"), out);
  }
  {
    Process cli({huitongBinary().string(), "health", "--url", "http://127.0.0.1:1"}, dir.path(),
                "cli-usage");
    cli.wait(60s);
    BOOST_TEST(cli.describe() == "exit 2");
    BOOST_TEST(has(readFile(cli.errPath()), "--url needs --token"), readFile(cli.errPath()));
  }

  // The detail names the push source's last request; an item not online is 404; no token 401.
  auto detail = json::parse(itemHealth(c).body);
  BOOST_TEST_REQUIRE(detail.ok());
  BOOST_TEST(std::string(detail.value()["source"]["kind"].GetString()) == "push");
  BOOST_TEST(detail.value()["source"]["last_request_at"].IsString());
  BOOST_TEST(detail.value()["events_24h"].GetInt64() == 83);
  BOOST_TEST(c.send("GET", "/ops/v1/health/marriage/1244200045586317954442071002000", "", "", kOps)
                 .status == 404);
  BOOST_TEST(c.send("GET", "/ops/v1/health").status == 401);
  BOOST_TEST(c.send("POST", "/ops/v1/health", "{}", "application/json", kOps).status == 405);
  BOOST_TEST(gateway.stop() == 0);
}

// A pull adapter's source as health sees it: file_drop's folder goes away (red, the adapter's
// words) and comes back (green); source facts in the detail, the reachability gauge.
BOOST_AUTO_TEST_CASE(a_file_drop_folder_that_goes_away_turns_its_item_red) {
  const std::string item = "12442000MB2C09173L4442093001000";
  const std::string path = "social-assistance/" + item;
  TempDir dir("huitong-it-health-fd");
  const std::filesystem::path folder = dir.path() / "drop";
  std::filesystem::create_directories(folder);
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  GatewayOptions o = deliveringTo(dir.path(), platform, {});
  o.adapters["social-assistance"] = "{\"kind\": \"file_drop\", \"folder\": \"" + folder.string() +
                                    "\", \"encoding\": \"GB18030\", \"poll_ms\": 100}";
  o.onlineItems = std::vector<OnlineItem>{{"social-assistance", item}};
  o.configText = withHealth(o, dir.path(), "{\"refresh_s\": 1}");
  GatewayProcess gateway(dir.path(), o);
  HttpClient c(gateway.port());
  const std::string reachable =
      "huitong_item_source_reachable{system=\"social-assistance\",item=\"" + item + "\"}";

  Seen s = waitForHealth(
      c, [](const Seen& x) { return has(x.body, "\"pending_files\":\"0\""); }, 30s, path);
  BOOST_TEST(s.health == "green", s.body);
  auto d = json::parse(s.body);
  BOOST_TEST_REQUIRE(d.ok());
  BOOST_TEST(std::string(d.value()["source"]["adapter"].GetString()) == "file_drop");
  BOOST_TEST(std::string(d.value()["source"]["kind"].GetString()) == "pull");
  BOOST_TEST(d.value()["source"]["reachable"].GetBool());

  std::filesystem::rename(folder, dir.path() / "drop.away");
  s = waitForHealth(
      c, [](const Seen& x) { return x.health == "red"; }, 30s, path);
  BOOST_TEST(s.health == "red", s.body);
  BOOST_TEST(s.summary == "红: source unreachable: folder " + folder.string() +
                              " not reachable: No such file or directory",
             s.summary);
  BOOST_TEST(gateway.metric(reachable).value_or(-1) == 0.0);

  std::filesystem::rename(dir.path() / "drop.away", folder);
  s = waitForHealth(
      c, [](const Seen& x) { return x.health == "green"; }, 30s, path);
  BOOST_TEST(s.health == "green", s.body);
  BOOST_TEST(gateway.metric(reachable).value_or(-1) == 1.0);
  BOOST_TEST(gateway.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
