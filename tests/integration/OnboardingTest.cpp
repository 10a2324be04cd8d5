// Onboarding a new department (issue 6 item 6), following docs/onboarding.md step by step with
// the real binaries, for a department that exists nowhere else in the repository: 中山市住房和城乡
// 建设局's 公租房租赁补贴 system "housing-subsidy", whose interface document (invented here) pushes
// one JSON object per status change with pinyin-initial field names and its own status codes
// (TJ 提交, SL 受理, SP 审批, BJ 办结; 申请渠道 WT 窗口, WS 网上).
//
// The path: production runs (marriage only) → scaffold a draft from the department's sample →
// the ops person's edits (department name, code tables, a test case) → the folder's tests →
// version 1 uploaded and tested as a draft with the CLI (nothing published) → the system with
// its production and sandbox keys in the config, one restart (production answers 403
// intake.not_published) → the filing requested → configuring → joint_debugging → every
// scenario through /sandbox/v1/housing-subsidy on the draft with the sandbox key until the
// evidence has passed → version 1 published (the running gateway switches, no restart) → the
// filing online on version 1 → production messages answered 202 and delivered to the platform.
// Each step's machine time is printed (docs/onboarding.md quotes them).
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace std::chrono_literals;
using namespace huitong;
using namespace huitong::integration;
namespace fs = std::filesystem;

namespace {

const std::string kSystem = "housing-subsidy";
// 事项实施编码: the department's USCC (11442000MB2C71354G) + the item's own digits.
const std::string kItem = "11442000MB2C71354G4442071005000";
const std::string kCase = "ZFBT202611200001";

rapidjson::Document parse(const Answer& a) {
  auto d = json::parse(a.body);
  BOOST_TEST_REQUIRE(d.ok(), "not JSON: " + a.body.substr(0, 300));
  return std::move(d).value();
}

std::string str(const rapidjson::Value& v, const char* key) {
  return v.IsObject() && v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

Answer ops(int port, const std::string& method, const std::string& path,
           const std::string& body = "") {
  HttpClient c(port);
  return c.send(method, path, body, body.empty() ? "" : "application/json",
                {{"Authorization", "Bearer it-ops-token"}});
}

int runHuitong(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> all{huitongBinary().string()};
  all.insert(all.end(), args.begin(), args.end());
  Process p(all, dir, "cli");
  const int status = p.wait(60s);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// One status push of the housing-subsidy system, as its interface document describes it.
std::string housingMessage(const std::string& status, const std::string& time,
                           const std::string& idNo = "442000198804123525") {
  return "{\n"
         "  \"sqbh\": \"" +
         kCase +
         "\",\n"
         "  \"sxbm\": \"" +
         kItem +
         "\",\n"
         "  \"sxmc\": \"公共租赁住房租赁补贴申请\",\n"
         "  \"ztdm\": \"" +
         status +
         "\",\n"
         "  \"ztsj\": \"" +
         time +
         "\",\n"
         "  \"sqqd\": \"WT\",\n"
         "  \"sqr\": {\"xm\": \"陈雅琳\", \"sfzh\": \"" +
         idNo +
         "\", \"lxdh\": \"13800138000\"},\n"
         "  \"jbr\": {\"xm\": \"黄志伟\", \"gh\": \"ZF0017\"},\n"
         "  \"bz\": \"\",\n"
         "  \"bbh\": 1\n"
         "}\n";
}

// The stages of one case, in order: status code, time, the event's stage.
struct Step {
  std::string code;
  std::string time;
  std::string stage;
};
const std::vector<Step>& steps() {
  static const std::vector<Step> s{{"TJ", "2026-11-20 09:30:00", "submit"},
                                   {"SL", "2026-11-20 10:05:00", "accept"},
                                   {"SP", "2026-11-23 15:40:00", "approve"},
                                   {"BJ", "2026-11-24 11:00:00", "complete"}};
  return s;
}

// One of the ops person's edits: `from` must be in the draft exactly once.
void edit(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  BOOST_TEST_REQUIRE(at != std::string::npos, "not in the scaffold's draft: " + from);
  BOOST_TEST_REQUIRE(text.find(from, at + 1) == std::string::npos, "twice in the draft: " + from);
  text.replace(at, from.size(), to);
}

std::string withSandboxKey(std::string config, const DepartmentCredential& sandbox) {
  const std::string at = "\"" + sandbox.system + "\": {";
  const auto pos = config.find(at);
  BOOST_TEST_REQUIRE(pos != std::string::npos);
  config.insert(pos + at.size(), "\"sandbox\": {\"keys\": [{\"key_id\": \"" + sandbox.keyId +
                                     "\", \"alg\": \"hmac-sha256\", \"secret\": \"" +
                                     sandbox.secret + "\"}]}, ");
  const std::string assume = "\"assume_sandbox_evidence\": true";
  if (config.find(assume) != std::string::npos)
    config.replace(config.find(assume), assume.size(), "\"assume_sandbox_evidence\": false");
  return config;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(onboarding)

BOOST_AUTO_TEST_CASE(a_new_department_from_its_interface_document_to_production) {
  const auto started = std::chrono::steady_clock::now();
  // Machine time of each step (the commands and requests, not the person's reading and typing).
  std::vector<std::pair<std::string, double>> timings;
  auto stepStart = std::chrono::steady_clock::now();
  auto stepDone = [&](const std::string& name) {
    timings.emplace_back(name, secondsSince(stepStart));
    stepStart = std::chrono::steady_clock::now();
  };
  TempDir dir("huitong-it-onboarding");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential marriage = makeCredential("marriage");
  // Production runs before the new department arrives.
  GatewayOptions o = deliveringTo(dir.path(), platform, {marriage});
  o.onlineItems = std::vector<OnlineItem>{};  // going online takes recorded sandbox evidence
  o.configText = withSandboxKey(gatewayConfigJson(o, dir.path()),
                                {"marriage", "marriage-sandbox", "sandbox-secret-0123456789"});
  GatewayProcess gateway(dir.path(), o);
  const std::string cfg = gateway.configPath().string();
  BOOST_TEST_REQUIRE(fs::exists(fs::path("mappings") / "marriage" / "mapping.json"));
  BOOST_TEST_REQUIRE(!fs::exists(fs::path("mappings") / kSystem));  // exists nowhere else

  stepStart = std::chrono::steady_clock::now();
  // Step 1 (scaffold): the department's sample from its interface document.
  const fs::path sample =
      dir.write("interface/01-submit.json", housingMessage("TJ", steps()[0].time));
  const fs::path work = dir.path() / "mappings-work";
  const fs::path folder = work / kSystem;
  BOOST_TEST_REQUIRE(runHuitong(dir.path(), {"mapping", "scaffold", "--system", kSystem, "--sample",
                                             sample.string(), "--out", folder.string()}) == 0);
  BOOST_TEST_REQUIRE(fs::exists(folder / "mapping.json"));
  BOOST_TEST_REQUIRE(fs::exists(folder / "tests" / "01-submit.json"));
  std::string mapping = readFile(folder / "mapping.json");
  BOOST_TEST(mapping.find("NOT FOUND (required)") != std::string::npos);
  // The draft as scaffolded fails its own test (empty department name and codes).
  BOOST_TEST(runHuitong(dir.path(), {"mapping", "test", work.string(), "--system", kSystem}) == 1);
  stepDone("1 scaffold");

  // Step 2 (edit): what only the interface document and the department know.
  edit(mapping, "\"version\": \"0-draft\"", "\"version\": \"1\"");
  edit(mapping, "\"stage\": {\"TJ\": \"\"}",
       "\"stage\": {\"TJ\": \"submit\", \"SL\": \"accept\", \"SP\": \"approve\", \"BJ\": "
       "\"complete\"}");
  edit(mapping, "\"channel\": {\"WT\": \"\"}", "\"channel\": {\"WT\": \"window\", \"WS\": \"pc\"}");
  edit(mapping, "\"department.name\":        {\"const\": \"\"}",
       "\"department.name\":        {\"const\": \"中山市住房和城乡建设局\"}");
  edit(mapping, "\"channel\": {\"from\": \"$.sqqd\", \"code\": \"channel\"}\n    }",
       "\"channel\": {\"from\": \"$.sqqd\", \"code\": \"channel\"}\n    },\n"
       "    \"accept\":   {\"detail.decision\": {\"const\": \"accepted\"}},\n"
       "    \"approve\":  {\"detail.step\": {\"const\": \"approve\"}, \"detail.decision\": "
       "{\"const\": \"pass\"}},\n"
       "    \"complete\": {\"detail.result\": {\"const\": \"done\"}, "
       "\"detail.description\": {\"const\": \"租赁补贴已核定发放\"}}");
  edit(mapping, "\"expect\": [{\"case_no\":\"ZFBT202611200001\",",
       "\"expect\": [{\"case_no\":\"ZFBT202611200001\",\"stage\":\"submit\",\"channel\":\"window\","
       "\"event_id\":\"housing-subsidy:ZFBT202611200001:submit:1:v1\",\"department\":{\"name\":"
       "\"中山市住房和城乡建设局\",\"uscc\":\"11442000MB2C71354G\"},");
  std::ofstream(folder / "mapping.json", std::ios::trunc) << mapping;
  BOOST_TEST_REQUIRE(
      runHuitong(dir.path(), {"mapping", "test", work.string(), "--system", kSystem}) == 0,
      readFile(dir.path() / "cli.out"));
  stepDone("2 edit (the folder's tests)");

  // Step 3 (version 1 in the registry as a draft): uploaded and tested, not published.
  const std::vector<std::string> who{"--config", cfg, "--actor", "li.na", "--role", "operator"};
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 2, who.begin(), who.end());
    return runHuitong(dir.path(), args);
  };
  BOOST_TEST_REQUIRE(cli({"mapping", "draft", folder.string()}) == 0);
  BOOST_TEST_REQUIRE(cli({"mapping", "test", "--system", kSystem, "--version", "1"}) == 0);
  stepDone("3 draft version 1");

  // Step 4 (config): the system with its production and sandbox keys; one restart.
  const DepartmentCredential housing = makeCredential(kSystem);
  const DepartmentCredential housingSandbox{kSystem, "zfbt-sandbox", "sandbox-secret-zfbt-2026"};
  o.systems.push_back(housing);
  o.configText =
      withSandboxKey(withSandboxKey(gatewayConfigJson(o, dir.path()),
                                    {"marriage", "marriage-sandbox", "sandbox-secret-0123456789"}),
                     housingSandbox);
  BOOST_TEST_REQUIRE(gateway.stop() == 0);
  std::ofstream(cfg, std::ios::trunc) << o.configText;
  gateway.start();
  const int port = gateway.port();
  HttpClient c(port);
  {
    const Answer m = ops(port, "GET", "/ops/v1/mappings");
    BOOST_TEST(m.status == 200);
    BOOST_TEST(m.body.find("\"" + kSystem + "\"") != std::string::npos, m.body);
  }
  // Nothing published yet: production refuses the system's messages, saying why and where to
  // send them instead; the running departments are untouched.
  {
    const Answer refused =
        signedPost(c, housing, "/intake/v1/" + kSystem, housingMessage("TJ", steps()[0].time));
    BOOST_TEST(refused.status == 403, refused.body);
    BOOST_TEST(refused.body.find("intake.not_published") != std::string::npos, refused.body);
    BOOST_TEST(refused.body.find("/sandbox/v1/" + kSystem) != std::string::npos, refused.body);
  }
  stepDone("4 config and restart");

  // Step 5 (filing): requested → configuring → joint_debugging on version 1.
  {
    const Answer created =
        ops(port, "POST", "/ops/v1/filings",
            "{\"system\":\"" + kSystem + "\",\"item_code\":\"" + kItem +
                "\",\"item_name\":\"公共租赁住房租赁补贴申请\",\"contact_name\":\"陈工\"}");
    BOOST_TEST_REQUIRE(created.status == 201, created.body);
  }
  auto move = [&](const std::string& to) {
    const auto f = parse(ops(port, "GET", "/ops/v1/filings/" + kSystem + "/" + kItem));
    return ops(port, "POST", "/ops/v1/filings/" + kSystem + "/" + kItem + ":move",
               "{\"to\":\"" + to + "\",\"expected_version\":" +
                   std::to_string(f["version"].GetInt64()) + ",\"mapping_version\":\"1\"}");
  };
  for (const char* to : {"configuring", "joint_debugging"}) {
    const Answer moved = move(to);
    BOOST_TEST_REQUIRE(moved.status == 200, moved.body);
  }
  stepDone("5 filing");

  // Step 6 (sandbox): each stage and one invalid message, signed with the sandbox key.
  const std::string evidencePath =
      "/ops/v1/filings/" + kSystem + "/" + kItem + "/evidence?version=1";
  {
    const auto e = parse(ops(port, "GET", evidencePath));
    BOOST_TEST(e["scenarios"].Size() == 5u, json::write(e));
    BOOST_TEST(!e["passed"].GetBool());
    const Answer early = move("online");
    BOOST_TEST(early.status == 422, early.body);
  }
  for (const auto& s : steps()) {
    const Answer a =
        signedPost(c, housingSandbox, "/sandbox/v1/" + kSystem, housingMessage(s.code, s.time));
    BOOST_TEST_REQUIRE(a.status == 201, s.code + ": " + a.body);
    const auto d = parse(a);
    BOOST_TEST(str(d, "mapping_version") == "1");
    BOOST_TEST_REQUIRE(d["events"].Size() == 1u);
    BOOST_TEST(str(d["events"][0], "verdict") == "accepted", s.code + ": " + a.body.substr(0, 800));
    BOOST_TEST(str(d["events"][0], "item_code") == kItem);
  }
  {
    // The same case with a wrong check character in the ID number.
    const Answer a = signedPost(c, housingSandbox, "/sandbox/v1/" + kSystem,
                                housingMessage("TJ", "2026-11-20 09:31:00", "442000198804123524"));
    BOOST_TEST_REQUIRE(a.status == 201, a.body);
    const auto d = parse(a);
    BOOST_TEST_REQUIRE(d["events"].Size() == 1u);
    BOOST_TEST(str(d["events"][0], "verdict") == "rejected");
    BOOST_TEST_REQUIRE(d["events"][0]["rules"].Size() >= 1u);
    BOOST_TEST(str(d["events"][0]["rules"][0], "code") == "resident_id_checksum");
  }
  BOOST_TEST(platform.receivedTotal() == 0);  // the sandbox never reaches production
  stepDone("6 sandbox (5 scenarios)");

  // Step 7 (evidence): every scenario passed.
  {
    const auto e = parse(ops(port, "GET", evidencePath));
    std::map<std::string, bool> s;
    for (const auto& x : e["scenarios"].GetArray())
      s[x["name"].GetString()] = x["passed"].GetBool();
    for (const char* name :
         {"stage:submit", "stage:accept", "stage:approve", "stage:complete", "invalid"})
      BOOST_TEST(s[name], name);
    BOOST_TEST(e["passed"].GetBool(), json::write(e));
    // Evidence alone is not enough: the version is not published yet.
    const Answer early = move("online");
    BOOST_TEST(early.status == 422, early.body);
  }
  stepDone("7 evidence");

  // Step 8 (publish): version 1 goes live; the running gateway switches before answering.
  {
    const Answer published =
        ops(port, "POST", "/ops/v1/mappings/" + kSystem + "/versions/1:publish", "{}");
    BOOST_TEST_REQUIRE(published.status == 200, published.body);
    const Answer m = ops(port, "GET", "/ops/v1/mappings");
    BOOST_TEST(m.body.find("\"running\":\"1\"") != std::string::npos, m.body);
  }
  stepDone("8 publish");

  // Step 9 (online): the filing online on the published version 1.
  {
    const Answer online = move("online");
    BOOST_TEST_REQUIRE(online.status == 200, online.body);
  }
  stepDone("9 online");

  // Step 10 (production): the department's messages with its production key, delivered.
  std::vector<std::string> eventIds;
  for (const auto& s : steps()) {
    const Answer a =
        signedPost(c, housing, "/intake/v1/" + kSystem, housingMessage(s.code, s.time));
    BOOST_TEST_REQUIRE(a.status == 202, s.code + ": " + a.body);
    const auto d = parse(a);
    BOOST_TEST_REQUIRE(d["events"].IsArray(), a.body);
    for (const auto& e : d["events"].GetArray())
      eventIds.push_back(e.GetString());
  }
  BOOST_TEST_REQUIRE(waitForDrain(platform, gateway, 4, 60s));
  const auto received = platform.received();
  BOOST_TEST_REQUIRE(received.size() == 4u);
  for (std::size_t i = 0; i < received.size(); ++i) {
    BOOST_TEST(received[i].caseNo == kCase);
    BOOST_TEST(received[i].stage == steps()[i].stage);
    BOOST_TEST(received[i].eventId == kSystem + ":" + kCase + ":" + steps()[i].stage + ":1:v1");
  }
  BOOST_TEST_REQUIRE(eventIds.size() == 4u);
  for (std::size_t i = 0; i < eventIds.size(); ++i)
    BOOST_TEST(eventIds[i] == received[i].eventId);
  stepDone("10 production (4 events delivered)");
  std::string table = "onboarding steps, machine time:\n";
  for (const auto& [name, seconds] : timings) {
    char line[96];
    std::snprintf(line, sizeof line, "  %-36s %6.2f s\n", name.c_str(), seconds);
    table += line;
  }
  BOOST_TEST_MESSAGE(table << "onboarding took " << secondsSince(started) << " s");
}

BOOST_AUTO_TEST_SUITE_END()
