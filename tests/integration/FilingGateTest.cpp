// The intake's filing gate on the real gateway: a department's events are taken only for items
// whose filing is online. An item not on file and an item configuring are refused with a 403
// problem naming the item and the state (journaled as rejected: visible in message status); the
// same bytes are taken once the item is moved online through the operator API (no stale
// repeat) and delivered; a message of an online and a not-online item is a partial 202; a SOAP
// system gets a SOAP fault; a file_drop file of a not-online item goes to error/ with its
// report; a db_poll row of a not-online item stays unflagged and is taken once the item is
// online. Seeded filings are in the audit trail under the seed's actor.
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

const std::string kMarriageItem = "1244200045586317954442071001000";
const std::string kCremation = "1244200045586402424442204001000";  // 骨灰寄存服务
const std::string kSubsidy = "1244200045586402424442094003000";    // 惠民殡葬补贴申领
const std::string kElderlyItem = "1144200000701362104442092001000";
const std::string kAssistanceItem = "12442000MB2C09173L4442093001000";

rapidjson::Document parse(const std::string& text) {
  auto d = json::parse(text);
  BOOST_REQUIRE_MESSAGE(d.ok(), "not JSON: " << text.substr(0, 300));
  return std::move(d).value();
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition())
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

Answer ops(int port, const std::string& method, const std::string& path,
           const std::string& body = "") {
  HttpClient c(port);
  return c.send(method, path, body, body.empty() ? "" : "application/json",
                {{"Authorization", "Bearer it-ops-token"}});
}

// The mapping version the gateway loaded for `system` (what going online names).
std::string loadedVersion(const std::string& system) {
  const auto d = parse(readFile(fs::path("mappings") / system / "mapping.json"));
  return d["version"].GetString();
}

// Puts a filing on file through the operator API and moves it up to `to`.
void fileAndMove(int port, const std::string& system, const std::string& item,
                 const std::vector<std::string>& path) {
  Answer created = ops(port, "POST", "/ops/v1/filings",
                       "{\"system\":\"" + system + "\",\"item_code\":\"" + item +
                           "\",\"item_name\":\"gate test\",\"contact_name\":\"IT\"}");
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  for (const auto& to : path) {
    Answer current = ops(port, "GET", "/ops/v1/filings/" + system + "/" + item);
    BOOST_TEST_REQUIRE(current.status == 200, current.body);
    const auto version = parse(current.body)["version"].GetInt64();
    std::string body = "{\"to\":\"" + to + "\",\"expected_version\":" + std::to_string(version);
    if (to == "joint_debugging" || to == "online")
      body += ",\"mapping_version\":\"" + loadedVersion(system) + "\"";
    body += "}";
    Answer moved = ops(port, "POST", "/ops/v1/filings/" + system + "/" + item + ":move", body);
    BOOST_TEST_REQUIRE(moved.status == 200, to << ": " << moved.body);
  }
}

bool delivered(MockPlatformProcess& platform, const std::string& eventId) {
  for (const auto& r : platform.received())
    if (r.eventId == eventId)
      return true;
  return false;
}

// Two funeral rows as db_poll would send them: one of 骨灰寄存服务, one of 惠民殡葬补贴申领.
std::string funeralRow(int id) {
  if (id == 1001) {
    return R"({"ID":1001,"SBLSH":"BZ2026111700015","SXBM":"1244200045586402424442204001000",)"
           R"("SXMC":"骨灰寄存服务","STAGE_CODE":"SB","STAGE_TIME":"2026-11-17 10:05:31",)"
           R"("SQRMC":"卢志强","SQRZJLX":"1","SQRZJHM":"442000196507220354",)"
           R"("CLQD":"死亡证明|火化证明|申请人居民身份证|亲属关系证明","VERSION":1,"REC_FLAG":0})";
  }
  return R"({"ID":1006,"SBLSH":"BZ2026112000008","SXBM":"1244200045586402424442094003000",)"
         R"("SXMC":"惠民殡葬补贴申领","STAGE_CODE":"BZGZ","STAGE_TIME":"2026-11-20 11:03:27",)"
         R"("SQRMC":"麦淑仪","SQRZJLX":"1","SQRZJHM":"442000197001250446",)"
         R"("YJ":"缺少火化证明及申请人与逝者关系证明，请于期限内补交",)"
         R"("CLQD":"火化证明|申请人与逝者关系证明","BZJZRQ":"2026-12-04","VERSION":1,"REC_FLAG":0})";
}

void sqliteExec(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string error = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, sql.substr(0, 200) << ": " << error);
}

std::map<long long, int> flags(const fs::path& file) {
  std::map<long long, int> out;
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT ID, REC_FLAG FROM EX_CASE_STAGE", -1, &st, nullptr) ==
      SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW)
      out[sqlite3_column_int64(st, 0)] = sqlite3_column_int(st, 1);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(filing_gate)

BOOST_AUTO_TEST_CASE(push_systems_are_refused_until_the_item_is_online) {
  TempDir dir("huitong-it-gate");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const auto marriage = makeCredential("marriage");
  const auto elderly = makeCredential("elderly-subsidy");
  const auto funeral = makeCredential("funeral");
  GatewayOptions o = deliveringTo(dir.path(), platform, {marriage, elderly, funeral});
  o.onlineItems = std::vector<OnlineItem>{{"funeral", kCremation}};
  GatewayProcess gateway(dir.path(), o);
  HttpClient c(gateway.port());
  const MarriageMessage m = marriageMessage("HYGATE", 1, 0);

  // (1) Not on file: 403 problem naming the item and "not on file"; journaled as rejected.
  Answer notOnFile = signedPost(c, marriage, "/intake/v1/marriage", m.body);
  BOOST_TEST_REQUIRE(notOnFile.status == 403, notOnFile.body);
  BOOST_TEST(notOnFile.header("content-type").find("application/problem+json") == 0);
  {
    const auto d = parse(notOnFile.body);
    BOOST_TEST(std::string(d["type"].GetString()).find("filing-not-online") != std::string::npos);
    const std::string detail = d["detail"].GetString();
    BOOST_TEST(detail.find("item " + kMarriageItem + " of system marriage is not on file") !=
                   std::string::npos,
               detail);
    BOOST_TEST(std::string(d["errors"][0]["code"].GetString()) == "filing.not_online");
    BOOST_TEST(d["errors"][0]["filing_state"].IsNull());
    const std::string id = d["message_id"].GetString();
    Answer status = signedGet(c, marriage, "/intake/v1/marriage/messages/" + id);
    BOOST_TEST_REQUIRE(status.status == 200, status.body);
    BOOST_TEST(std::string(parse(status.body)["state"].GetString()) == "rejected", status.body);
  }
  // The same bytes again while nothing changed: the first answer (a repeat).
  Answer again = signedPost(c, marriage, "/intake/v1/marriage", m.body);
  BOOST_TEST(again.status == 403, again.body);
  BOOST_TEST(std::string(parse(again.body)["message_id"].GetString()) ==
             std::string(parse(notOnFile.body)["message_id"].GetString()));

  // (2) On file and configuring: 403 naming the state.
  fileAndMove(gateway.port(), "marriage", kMarriageItem, {"configuring"});
  Answer configuring = signedPost(c, marriage, "/intake/v1/marriage", m.body);
  BOOST_TEST_REQUIRE(configuring.status == 403, configuring.body);
  {
    const auto d = parse(configuring.body);
    const std::string detail = d["detail"].GetString();
    BOOST_TEST(detail.find("item " + kMarriageItem +
                           " of system marriage is 'configuring', "
                           "not online") != std::string::npos,
               detail);
    BOOST_TEST(std::string(d["errors"][0]["filing_state"].GetString()) == "configuring");
  }

  // (3) Moved online through the API: the same bytes are taken and delivered.
  for (const char* to : {"joint_debugging", "online"}) {
    Answer current = ops(gateway.port(), "GET", "/ops/v1/filings/marriage/" + kMarriageItem);
    const auto version = parse(current.body)["version"].GetInt64();
    Answer moved =
        ops(gateway.port(), "POST", "/ops/v1/filings/marriage/" + kMarriageItem + ":move",
            std::string("{\"to\":\"") + to + "\",\"expected_version\":" + std::to_string(version) +
                ",\"mapping_version\":\"" + loadedVersion("marriage") + "\"}");
    BOOST_TEST_REQUIRE(moved.status == 200, moved.body);
  }
  Answer online = signedPost(c, marriage, "/intake/v1/marriage", m.body);
  BOOST_TEST_REQUIRE(online.status == 202, online.body);
  BOOST_TEST(std::string(parse(online.body)["events"][0].GetString()) == m.eventId);
  BOOST_TEST(waitUntil([&] { return delivered(platform, m.eventId); }, 30s));

  // (4) An online and a not-online item in one message: partial 202.
  Answer mixed = signedPost(c, funeral, "/intake/v1/funeral",
                            "[" + funeralRow(1001) + "," + funeralRow(1006) + "]");
  BOOST_TEST_REQUIRE(mixed.status == 202, mixed.body);
  {
    const auto d = parse(mixed.body);
    BOOST_TEST(d["events"].Size() == 1u);
    BOOST_TEST_REQUIRE(d["rejected"].Size() == 1u, mixed.body);
    BOOST_TEST(std::string(d["rejected"][0]["code"].GetString()) == "filing.not_online");
    BOOST_TEST(std::string(d["rejected"][0]["item_code"].GetString()) == kSubsidy);
    BOOST_TEST(std::string(d["rejected"][0]["record"].GetString()) == "$[1]");
  }

  // (5) SOAP: a fault naming the item, 403 for HTTP tooling.
  const std::string xml = readFile("mappings/elderly-subsidy/tests/review-landline.xml");
  Answer soap =
      signedPost(c, elderly, "/intake/v1/elderly-subsidy", xml, "text/xml; charset=utf-8");
  BOOST_TEST(soap.status == 403, soap.body);
  BOOST_TEST(soap.body.find("<faultcode>soap:Client</faultcode>") != std::string::npos, soap.body);
  BOOST_TEST(soap.body.find(kElderlyItem + " of system elderly-subsidy is not on file") !=
                 std::string::npos,
             soap.body);

  // Refusals are counted by system and reason.
  BOOST_TEST(gateway
                 .metric("huitong_intake_refusals_total{system=\"marriage\",reason=\"filing.not_"
                         "online\",state=\"not_on_file\"}")
                 .value_or(0) == 1);
  BOOST_TEST(gateway
                 .metric("huitong_intake_refusals_total{system=\"marriage\",reason=\"filing.not_"
                         "online\",state=\"configuring\"}")
                 .value_or(0) == 1);

  // The seeded filing's history is in the audit trail, every step by the seed's actor.
  Answer audit = ops(gateway.port(), "GET", "/ops/v1/audit?item=" + kCremation);
  BOOST_TEST_REQUIRE(audit.status == 200, audit.body);
  const auto trail = parse(audit.body);
  std::vector<std::string> actions;
  for (const auto& e : trail["entries"].GetArray()) {
    BOOST_TEST(std::string(e["actor"].GetString()) == "huitong serve (registry seed)");
    actions.emplace_back(e["action"].GetString());
  }
  BOOST_TEST((actions == std::vector<std::string>{"filing.create", "filing.move", "filing.move",
                                                  "filing.move"}));

  // A restart finds the filings on file: nothing seeded twice.
  BOOST_TEST_REQUIRE(gateway.stop() == 0);
  gateway.start();
  Answer after = ops(gateway.port(), "GET", "/ops/v1/audit?item=" + kCremation);
  BOOST_TEST(parse(after.body)["entries"].Size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_dropped_file_of_an_item_not_online_gets_its_error_report) {
  TempDir dir("huitong-it-gate-drop");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const fs::path folder = dir.path() / "drop";
  fs::create_directories(folder);
  GatewayOptions o = deliveringTo(dir.path(), platform, {});
  o.adapters["social-assistance"] = "{\"kind\": \"file_drop\", \"folder\": \"" + folder.string() +
                                    "\", \"encoding\": \"GB18030\", \"poll_ms\": 100, "
                                    "\"stable_ms\": 300}";
  o.onlineItems = std::vector<OnlineItem>{};
  GatewayProcess gateway(dir.path(), o);
  const std::string name = "DB_20261102.csv";
  fs::copy_file("mappings/social-assistance/tests/DB_20261102.csv", folder / ("." + name + ".tmp"));
  fs::rename(folder / ("." + name + ".tmp"), folder / name);
  const fs::path report = folder / "error" / (name + ".error.json");
  BOOST_TEST_REQUIRE(waitUntil([&] { return fs::exists(report); }, 30s));
  BOOST_TEST(fs::exists(folder / "error" / name));
  const auto d = parse(readFile(report));
  BOOST_TEST(std::string(d["outcome"].GetString()) == "not_online");
  BOOST_TEST(std::string(d["error"]["code"].GetString()) == "filing.not_online");
  BOOST_TEST(
      std::string(d["error"]["message"].GetString()).find(kAssistanceItem) != std::string::npos,
      d["error"]["message"].GetString());
  BOOST_TEST(d["rejected"].Size() > 0u);
  BOOST_TEST(platform.receivedTotal() == 0);
}

BOOST_AUTO_TEST_CASE(a_polled_row_waits_and_is_taken_once_its_item_is_online) {
  TempDir dir("huitong-it-gate-poll");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const fs::path db = dir.path() / "funeral-front.db";
  sqliteExec(db, readFile(sharedDir() / "departments" / "funeral" / "schema.sql"));
  sqliteExec(db,
             "INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, "
             "SQRZJLX, SQRZJHM, CLQD) VALUES (1001, 'BZ2026111700015', '" +
                 kCremation +
                 "', '骨灰寄存服务', 'SB', '2026-11-17 10:05:31', '卢志强', '1', "
                 "'442000196507220354', '死亡证明|火化证明|申请人居民身份证|亲属关系证明');"
                 "INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, "
                 "SQRZJLX, SQRZJHM, YJ, CLQD, BZJZRQ) VALUES (1006, 'BZ2026112000008', '" +
                 kSubsidy +
                 "', '惠民殡葬补贴申领', 'BZGZ', '2026-11-20 11:03:27', '麦淑仪', '1', "
                 "'442000197001250446', '缺少火化证明', '火化证明', '2026-12-04');");
  GatewayOptions o = deliveringTo(dir.path(), platform, {});
  o.adapters["funeral"] = "{\"kind\": \"db_poll\", \"connector\": \"sqlite\", \"connection\": \"" +
                          db.string() +
                          "\", \"table\": \"EX_CASE_STAGE\", \"poll_ms\": 100, "
                          "\"max_backoff_ms\": 400, \"not_online_retry_ms\": 300}";
  o.onlineItems = std::vector<OnlineItem>{{"funeral", kCremation}};
  GatewayProcess gateway(dir.path(), o);

  // The online item's row is taken; the other stays unflagged, waiting.
  BOOST_TEST_REQUIRE(waitUntil([&] { return flags(db)[1001] == 1; }, 30s));
  BOOST_TEST_REQUIRE(waitUntil([&] { return platform.receivedTotal() == 1; }, 30s));
  std::this_thread::sleep_for(1s);  // several retries while the item is not online
  BOOST_TEST(flags(db)[1006] == 0);
  BOOST_TEST(platform.receivedTotal() == 1);
  BOOST_TEST(gateway.stderrText().find("row of an item not online") != std::string::npos);

  // The item goes online: the row is taken at its next retry, without the department doing
  // anything.
  fileAndMove(gateway.port(), "funeral", kSubsidy, {"configuring", "joint_debugging", "online"});
  BOOST_TEST(waitUntil([&] { return flags(db)[1006] == 1; }, 30s));
  BOOST_TEST(waitUntil([&] { return platform.receivedTotal() == 2; }, 30s));
}

BOOST_AUTO_TEST_SUITE_END()
