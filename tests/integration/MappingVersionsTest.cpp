// Mapping versions on a running gateway (issue 5 item 3): a version uploaded, tested and
// published through the API goes live without a restart while departments keep sending — no
// request fails, every accepted event is delivered once, in order; a version whose embedded
// tests fail is refused with its report and the running one stays; a live version that cannot
// be loaded (its files broken in the database, or another input format) is not installed; a
// version published with the CLI is picked up by the running gateway; rollback; the audit
// trail holds every step and verifies. On SQLite and PostgreSQL.
#include <sqlite3.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = huitong::json;

namespace {

const std::string kOps = "it-ops-token";  // the break-glass token gatewayConfigJson writes (admin)

Answer ops(HttpClient& c, const std::string& method, const std::string& path,
           const std::string& body = "") {
  return c.send(method, path, body, body.empty() ? "" : "application/json",
                {{"Authorization", "Bearer " + kOps}});
}

rapidjson::Document parsed(const Answer& a) {
  auto d = json::parse(a.body);
  BOOST_TEST_REQUIRE(d.ok(), a.body);
  return std::move(d).value();
}

// The marriage mapping folder in the API's upload form, as version `version`, with `from`
// replaced by `to` in mapping.json.
std::string marriageUpload(const std::string& version, const std::string& from = "",
                           const std::string& to = "") {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value files(rapidjson::kObjectType);
  for (const auto& e : fs::recursive_directory_iterator("mappings/marriage")) {
    if (!e.is_regular_file())
      continue;
    std::string text = readFile(e.path());
    const std::string rel = fs::relative(e.path(), "mappings/marriage").generic_string();
    if (rel == "mapping.json") {
      const std::string v1 = "\"version\": \"1\"";
      BOOST_TEST_REQUIRE(text.find(v1) != std::string::npos);
      text.replace(text.find(v1), v1.size(), "\"version\": \"" + version + "\"");
      if (!from.empty()) {
        BOOST_TEST_REQUIRE(text.find(from) != std::string::npos);
        text.replace(text.find(from), from.size(), to);
      }
    }
    files.AddMember(json::string(rel, a), json::string(text, a), a);
  }
  d.AddMember("files", files, a);
  return json::write(d);
}

// What /ops/v1/mappings says of marriage: {running, live, error}.
struct Running {
  std::string running, live, error;
};
Running marriageStatus(HttpClient& c) {
  const Answer a = ops(c, "GET", "/ops/v1/mappings");
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  const auto d = parsed(a);
  for (const auto& s : d.GetArray()) {
    if (std::string(s["system"].GetString()) != "marriage")
      continue;
    Running r;
    r.running = s["running"].GetString();
    r.live = s.HasMember("live") ? s["live"].GetString() : "";
    r.error = s.HasMember("error") ? s["error"].GetString() : "";
    return r;
  }
  BOOST_FAIL("marriage is not in /ops/v1/mappings");
  return {};
}

// Uploads, tests and publishes `upload` through the API; returns the publish answer.
Answer draftTestPublish(HttpClient& c, const std::string& version, const std::string& upload) {
  const Answer drafted = ops(c, "POST", "/ops/v1/mappings/marriage/versions", upload);
  BOOST_TEST_REQUIRE(drafted.status == 201, drafted.body);
  BOOST_TEST(std::string(parsed(drafted)["state"].GetString()) == "draft");
  const Answer tested =
      ops(c, "POST", "/ops/v1/mappings/marriage/versions/" + version + ":test", "");
  BOOST_TEST_REQUIRE(tested.status == 200, tested.body);
  return ops(c, "POST", "/ops/v1/mappings/marriage/versions/" + version + ":publish", "");
}

int runHuitong(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> all{huitongBinary().string()};
  all.insert(all.end(), args.begin(), args.end());
  Process p(all, dir, "cli");
  const int status = p.wait(120s);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs `sql` on the gateway's SQLite store (the tampering a broken deployment would do).
void sqliteExec(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  BOOST_TEST_REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_busy_timeout(h, 10000);
  char* err = nullptr;
  const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  BOOST_TEST(rc == SQLITE_OK, (err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(h);
}

bool waitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done())
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

}  // namespace

BOOST_AUTO_TEST_CASE(publish_and_rollback_switch_without_restart_or_a_lost_request) {
  TempDir dir;
  MockPlatformProcess platform(dir.path(), "tok");
  const DepartmentCredential cred = makeCredential("marriage");
  GatewayProcess gw(dir.path(), deliveringTo(dir.path(), platform, {cred}));
  HttpClient c(gw.port());

  // First start: the folder's version 1 was published and runs.
  Running s = marriageStatus(c);
  BOOST_TEST(s.running == "1");
  BOOST_TEST(s.live == "1");

  // Departments keep sending while versions switch under them.
  std::atomic<int> port{gw.port()};
  LoadPlan plan;
  plan.cases = 120;
  plan.clients = 4;
  plan.casePrefix = "HYMV";
  plan.pace = 5ms;
  Load load(plan, cred, port);
  load.start();
  std::this_thread::sleep_for(300ms);
  const Answer v2 = draftTestPublish(c, "2", marriageUpload("2"));
  BOOST_TEST_REQUIRE(v2.status == 200, v2.body);
  BOOST_TEST(std::string(parsed(v2)["running"].GetString()) == "2");
  BOOST_TEST(parsed(v2)["generation"].GetInt64() == 2);
  std::this_thread::sleep_for(300ms);
  const Answer back = ops(c, "POST", "/ops/v1/mappings/marriage:rollback", "{\"version\":\"1\"}");
  BOOST_TEST_REQUIRE(back.status == 200, back.body);
  BOOST_TEST(std::string(parsed(back)["running"].GetString()) == "1");
  std::this_thread::sleep_for(300ms);
  const Answer again = ops(c, "POST", "/ops/v1/mappings/marriage:rollback", "{\"version\":\"2\"}");
  BOOST_TEST_REQUIRE(again.status == 200, again.body);
  load.join();

  // Not one request failed or was retried, and every accepted event arrived once, in order.
  BOOST_TEST(load.transportErrors() == 0);
  BOOST_TEST(load.retriedMessages() == 0);
  int accepted = 0;
  for (const auto& m : load.sent())
    accepted += m.status == 202 ? 1 : 0;
  BOOST_TEST(accepted == static_cast<int>(load.size()));
  std::int64_t events = 0;
  for (const auto& m : load.sent())
    events += static_cast<std::int64_t>(m.eventIds.size());
  BOOST_TEST_REQUIRE(waitForDrain(platform, gw, events, 120s));
  BOOST_TEST(checkDelivery(load.sent(), platform) == 0);
  BOOST_TEST(marriageStatus(c).running == "2");
  // Each answer names the version that read the message; the next message is read by 2.
  std::set<std::string> readBy;
  for (const auto& m : load.sent()) {
    auto body = json::parse(m.lastBody);
    if (body.ok() && body.value().HasMember("mapping_version"))
      readBy.insert(body.value()["mapping_version"].GetString());
  }
  BOOST_TEST(!readBy.empty());
  for (const auto& v : readBy)
    BOOST_TEST((v == "1" || v == "2"), v);
  const auto next = marriageMessage("HYMVNEXT", 1, 0);
  const Answer after = signedPost(c, cred, "/intake/v1/marriage", next.body);
  BOOST_TEST_REQUIRE(after.status == 202, after.body);
  BOOST_TEST(std::string(parsed(after)["mapping_version"].GetString()) == "2");
  BOOST_TEST(gw.metric("huitong_mapping_switches_total{system=\"marriage\"}").value_or(0) == 4);

  // The versions as the API lists them.
  const Answer list = ops(c, "GET", "/ops/v1/mappings/marriage/versions");
  BOOST_TEST_REQUIRE(list.status == 200, list.body);
  BOOST_TEST(parsed(list).Size() == 2u);
  const Answer one = ops(c, "GET", "/ops/v1/mappings/marriage/versions/2?files=true");
  BOOST_TEST_REQUIRE(one.status == 200, one.body);
  BOOST_TEST(std::string(parsed(one)["state"].GetString()) == "published");
  BOOST_TEST(parsed(one)["files"].HasMember("mapping.json"));
  BOOST_TEST(parsed(one)["report"]["failed"].GetInt() == 0);
}

BOOST_AUTO_TEST_CASE(refusals_and_failed_loads_keep_the_running_version) {
  TempDir dir;
  MockPlatformProcess platform(dir.path(), "tok");
  const DepartmentCredential cred = makeCredential("marriage");
  GatewayProcess gw(dir.path(), deliveringTo(dir.path(), platform, {cred}));
  HttpClient c(gw.port());

  // Embedded tests that fail: 422 with the report; still a draft; version 1 runs on.
  const std::string breaks = "\"ACCEPTED\":        {\"stage\": \"accept\"}";
  const std::string broken = "\"ACCEPTED\":        {\"stage\": \"approve\"}";
  BOOST_TEST(
      ops(c, "POST", "/ops/v1/mappings/marriage/versions", marriageUpload("3", breaks, broken))
          .status == 201);
  const Answer early = ops(c, "POST", "/ops/v1/mappings/marriage/versions/3:publish");
  BOOST_TEST(early.status == 409, early.body);  // a draft: test it first
  const Answer tested = ops(c, "POST", "/ops/v1/mappings/marriage/versions/3:test");
  BOOST_TEST_REQUIRE(tested.status == 200, tested.body);
  BOOST_TEST(parsed(tested)["report"]["failed"].GetInt() > 0);
  BOOST_TEST(std::string(parsed(tested)["version"]["state"].GetString()) == "draft");
  BOOST_TEST(marriageStatus(c).running == "1");

  // Bad uploads: each a 4xx problem naming what is wrong.
  const Answer notCompiling = ops(c, "POST", "/ops/v1/mappings/marriage/versions",
                                  marriageUpload("4", "\"fields\"", "\"feilds\""));
  BOOST_TEST(notCompiling.status == 422, notCompiling.body);
  BOOST_TEST(notCompiling.header("content-type").find("application/problem+json") == 0);
  BOOST_TEST(notCompiling.body.find("mapping.json:") != std::string::npos, notCompiling.body);
  BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage/versions", "{\"files\": {}}").status == 422);
  BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage/versions", "not json").status == 422);
  BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage/versions",
                 "{\"files\": {\"mapping.json\": \"{}\", \"../../etc/x\": \"y\"}}")
                 .status == 422);
  BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage/versions/9:publish").status == 404);
  BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage:rollback", "{\"version\":\"3\"}").status ==
             409);
  BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage:rollback", "{\"version\":1}").status == 400);
  BOOST_TEST(c.send("GET", "/ops/v1/mappings").status == 401);

  // Another input format than the adapter reads: refused at publish.
  const std::string json = "\"input\": {\"format\": \"json\"}";
  BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage/versions",
                 marriageUpload("5", json, "\"input\": {\"format\": \"xml\"}"))
                 .status == 201);
  BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage/versions/5:test").status == 200);
  const Answer otherFormat = ops(c, "POST", "/ops/v1/mappings/marriage/versions/5:publish");
  BOOST_TEST(otherFormat.status == 409, otherFormat.body);  // xml, or still a draft
  BOOST_TEST(marriageStatus(c).running == "1");

  if (!onPostgres()) {
    // A live version that cannot be loaded (files broken in the database behind the API's
    // back): the gateway keeps running version 1 and says why.
    BOOST_TEST(ops(c, "POST", "/ops/v1/mappings/marriage/versions", marriageUpload("6")).status ==
               201);
    const fs::path db = dir.path() / "store" / "huitong.db";
    sqliteExec(db,
               "UPDATE mapping_version SET bundle = '{\"files\":{\"mapping.json\":\"e30=\"}}' "
               "WHERE system = 'marriage' AND version = '6';"
               "UPDATE mapping_live SET version = '6', generation = generation + 1 "
               "WHERE system = 'marriage';");
    BOOST_TEST(waitFor([&] { return !marriageStatus(c).error.empty(); }, 20s));
    const Running s = marriageStatus(c);
    BOOST_TEST(s.running == "1");
    BOOST_TEST(s.live == "6");
    BOOST_TEST(s.error.find("mapping.json") != std::string::npos, s.error);
    BOOST_TEST(gw.metric("huitong_mapping_load_failures_total{system=\"marriage\"}").value_or(0) ==
               1);
    // Messages are still mapped by version 1.
    const auto m = marriageMessage("HYFL2026", 1, 0);
    BOOST_TEST(signedPost(c, cred, "/intake/v1/marriage", m.body).status == 202);
    sqliteExec(db,
               "UPDATE mapping_live SET version = '1', generation = generation + 1 "
               "WHERE system = 'marriage';");
    BOOST_TEST(waitFor([&] { return marriageStatus(c).error.empty(); }, 20s));
  }

  // The CLI publishes against the same store; the running gateway follows within its refresh.
  const fs::path folder = dir.path() / "marriage-v7";
  fs::create_directories(folder / "tests");
  for (const auto& e : fs::recursive_directory_iterator("mappings/marriage")) {
    if (e.is_regular_file()) {
      const fs::path to = folder / fs::relative(e.path(), "mappings/marriage");
      fs::create_directories(to.parent_path());
      std::string text = readFile(e.path());
      if (e.path().filename() == "mapping.json")
        text.replace(text.find("\"version\": \"1\""), 14, "\"version\": \"7\"");
      std::ofstream(to, std::ios::binary) << text;
    }
  }
  const std::string config = gw.configPath().string();
  const std::vector<std::string> who{"--config", config, "--actor", "li.na", "--role", "operator"};
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.end(), who.begin(), who.end());
    return runHuitong(dir.path(), args);
  };
  BOOST_TEST(cli({"mapping", "draft", folder.string()}) == 0);
  BOOST_TEST(cli({"mapping", "publish", "--system", "marriage", "--version", "7"}) == 1);  // draft
  BOOST_TEST(cli({"mapping", "test", "--system", "marriage", "--version", "7"}) == 0);
  BOOST_TEST(cli({"mapping", "publish", "--system", "marriage", "--version", "7"}) == 0);
  BOOST_TEST(waitFor([&] { return marriageStatus(c).running == "7"; }, 30s));
  BOOST_TEST(runHuitong(dir.path(), {"mapping", "versions", "--config", config}) == 0);

  // Every step is on the trail; the chain verifies.
  const Answer trail = ops(c, "GET", "/ops/v1/audit?system=marriage&limit=1000");
  BOOST_TEST_REQUIRE(trail.status == 200, trail.body);
  std::map<std::string, int> actions;
  const auto t = parsed(trail);
  const auto& entries = t.IsObject() ? t["entries"] : t;
  for (const auto& e : entries.GetArray())
    actions[e["action"].GetString()]++;
  BOOST_TEST(actions["mapping.import"] == 1);
  BOOST_TEST(actions["mapping.draft"] == (onPostgres() ? 4 : 5));  // 1 (import), 3, 5, (6), 7
  BOOST_TEST(actions["mapping.test"] >= 3);
  BOOST_TEST(actions["mapping.publish"] == 1);
  BOOST_TEST(actions["mapping.publish.refused"] >= 1);
  BOOST_TEST(runHuitong(dir.path(), {"audit", "verify", "--config", config}) == 0);
}
