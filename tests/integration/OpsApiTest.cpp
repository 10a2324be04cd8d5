// The operator API (/ops/v1) with the real binaries. The platform answers 500 to everything and
// the gateway may try each event once, so three messages become three dead letters. Then: the
// ops token is required (401 problem+json); the dead letters are listed and one inspected; the
// fault is cleared; one is requeued and delivered exactly once; one is discarded and never
// delivered; the gateway restarts on a copy of the mappings with a fixed marriage mapping and
// the third is requeued with ?remap=true, reaching the platform as the fixed mapping maps it.
// Every action is logged with its X-Operator. /ops/v1/systems reports the legacy (address
// allow-list) system as the weaker posture, and that system accepts unsigned requests from
// 127.0.0.1.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kOpsToken = "it-ops-token";  // what gatewayConfigJson writes
const std::string kOldDepartment = "中山市婚姻登记处";
const std::string kFixedDepartment = "中山市民政局婚姻登记处";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return d;
}

std::string str(const rapidjson::Value& v, const char* member) {
  if (!v.IsObject())
    return "";
  const auto it = v.FindMember(member);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// The gateway's config: the harness's, with one attempt per event, `mappingsDir`, marriage as
// a legacy system admitted by address and funeral as a signature system.
std::string opsConfig(const GatewayOptions& o, const fs::path& dir, const fs::path& mappingsDir,
                      const DepartmentCredential& funeral) {
  std::string c = gatewayConfigJson(o, dir);
  // The same registry member, its filings file now with the items of both systems below.
  registryConfigMember(defaultOnlineItems(), {"marriage", "funeral"}, dir);
  const std::string attempts = "\"max_attempts\": 1000";
  c.replace(c.find(attempts), attempts.size(), "\"max_attempts\": 1");
  const std::string mappings = "\"mappings\": ";
  const auto m = c.find(mappings) + mappings.size();
  c.replace(m, c.find(",\n", m) - m, "\"" + mappingsDir.string() + "\"");
  c.erase(c.find("\"systems\": {"));
  c += "\"systems\": {\n"
       "    \"marriage\": {\"auth\": \"legacy\", \"allow_cidrs\": [\"127.0.0.1/32\"]},\n"
       "    \"funeral\": {\"auth\": \"signature\", \"keys\": [{\"key_id\": \"" +
       funeral.keyId + "\", \"alg\": \"hmac-sha256\", \"secret\": \"" + funeral.secret +
       "\"}]}\n  }\n}\n";
  return c;
}

class Ops {
 public:
  explicit Ops(GatewayProcess& gateway) : gateway_(gateway) {}
  Answer call(const std::string& method, const std::string& path, const std::string& actor = "",
              const std::string& token = kOpsToken) {
    HttpClient c(gateway_.port());
    std::vector<std::pair<std::string, std::string>> h;
    if (!token.empty())
      h.emplace_back("Authorization", "Bearer " + token);
    if (!actor.empty())
      h.emplace_back("X-Operator", actor);
    return c.send(method, path, "", "", h);
  }
  // The dead letters by event id.
  std::map<std::string, rapidjson::Document> list() {
    std::map<std::string, rapidjson::Document> out;
    Answer a = call("GET", "/ops/v1/dead-letters");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    rapidjson::Document d = parse(a.body);
    BOOST_TEST_REQUIRE(d.IsArray(), a.body);
    for (auto& v : d.GetArray()) {
      rapidjson::Document one;
      one.CopyFrom(v, one.GetAllocator());
      out.emplace(str(v, "event_id"), std::move(one));
    }
    return out;
  }

 private:
  GatewayProcess& gateway_;
};

// What the platform holds: event id -> canonical event, and how often each id arrived.
struct Held {
  std::map<std::string, int> count;
  std::map<std::string, std::string> department;
};
Held held(MockPlatformProcess& platform) {
  Held h;
  Answer a = platform.control("GET", "/control/v1/received?since=0&limit=1000");
  rapidjson::Document d = parse(a.body);
  if (!d.IsObject() || !d.HasMember("events"))
    return h;
  for (const auto& e : d["events"].GetArray()) {
    const std::string id = str(e, "event_id");
    ++h.count[id];
    if (e.HasMember("event") && e["event"].HasMember("department"))
      h.department[id] = str(e["event"]["department"], "name");
  }
  return h;
}

// The gateway's log lines with `msg` naming `actor`.
int logLines(const std::string& log, const std::string& msg, const std::string& actor,
             const std::string& id) {
  std::istringstream in(log);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    n += line.find("\"msg\":\"" + msg + "\"") != std::string::npos &&
                 line.find("\"actor\":\"" + actor + "\"") != std::string::npos &&
                 line.find("\"id\":\"" + id + "\"") != std::string::npos
             ? 1
             : 0;
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ops_api)

BOOST_AUTO_TEST_CASE(dead_letters_listed_inspected_requeued_remapped_discarded_and_logged) {
  const auto start = std::chrono::steady_clock::now();
  TempDir dir("huitong-it-ops");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential funeral = makeCredential("funeral");
  GatewayOptions o;
  o.store = freshStore(dir.path());
  o.platformUrl = platform.url();
  o.platformToken = platform.token();
  o.systems = {funeral};
  GatewayProcess gateway(dir.path(), o);
  // Our config: written over the harness's and started again on it (same fresh store).
  BOOST_TEST_REQUIRE(gateway.stop() == 0);
  std::ofstream(gateway.configPath())
      << opsConfig(o, dir.path(), fs::absolute("mappings"), funeral);
  gateway.start();
  Ops ops(gateway);

  // (1) The ops token is required.
  for (const std::string& token : {std::string(), std::string("wrong-token")}) {
    for (const std::string& path :
         {std::string("/ops/v1/dead-letters"), std::string("/ops/v1/systems")}) {
      Answer a = ops.call("GET", path, "", token);
      BOOST_TEST(a.status == 401, path << " token '" << token << "': " << a.status);
      BOOST_TEST(a.header("content-type").find("application/problem+json") == 0,
                 a.header("content-type"));
    }
    Answer a = ops.call("POST", "/ops/v1/dead-letters/1:requeue", "mallory", token);
    BOOST_TEST(a.status == 401, a.body);
  }

  // (5) Systems and their posture.
  {
    Answer a = ops.call("GET", "/ops/v1/systems", "alice");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    rapidjson::Document d = parse(a.body);
    BOOST_TEST_REQUIRE(d.IsArray(), a.body);
    std::map<std::string, std::pair<std::string, std::string>> seen;
    for (const auto& v : d.GetArray())
      seen[str(v, "system")] = {str(v, "auth"), str(v, "posture")};
    BOOST_TEST(seen.size() == 2u, a.body);
    BOOST_TEST(seen["marriage"].first == "legacy", a.body);
    BOOST_TEST(seen["marriage"].second == "weaker", a.body);
    BOOST_TEST(seen["funeral"].first == "signature", a.body);
    BOOST_TEST(seen["funeral"].second == "strong", a.body);
  }

  // (2) Three dead letters: one attempt each, and the platform answers 500.
  platform.setFaults("{\"error_rate\":1.0}");
  std::vector<MarriageMessage> messages;
  for (int i = 0; i < 3; ++i)
    messages.push_back(marriageMessage("HYOPS" + digits(i + 1, 8), 700 + i, 0));
  HttpClient client(gateway.port());
  for (const auto& m : messages) {
    // Unsigned, from 127.0.0.1: the legacy system admits it by address.
    Answer a = client.send("POST", "/intake/v1/marriage", m.body, "application/json");
    BOOST_TEST_REQUIRE(a.status == 202, "legacy intake: " << a.status << " " << a.body);
  }
  std::map<std::string, rapidjson::Document> dead;
  for (auto until = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(100ms)) {
    dead = ops.list();
    if (dead.size() >= messages.size())
      break;
  }
  BOOST_TEST_REQUIRE(dead.size() == messages.size(), "dead letters: " << dead.size());
  std::vector<std::int64_t> ids;
  for (const auto& m : messages) {
    BOOST_TEST_REQUIRE(dead.count(m.eventId) == 1u, m.eventId);
    const auto& v = dead[m.eventId];
    BOOST_TEST_REQUIRE(v["id"].IsInt64());
    ids.push_back(v["id"].GetInt64());
    BOOST_TEST(v["attempts"].GetInt() == 1);
    BOOST_TEST(!str(v, "reason").empty());
    BOOST_TEST(str(v, "system") == "marriage");
  }
  BOOST_TEST(platform.receivedTotal() == 0);
  const std::string idA = std::to_string(ids[0]), idB = std::to_string(ids[1]),
                    idC = std::to_string(ids[2]);

  // Inspect one: its event as sent and why it died.
  {
    Answer a = ops.call("GET", "/ops/v1/dead-letters/" + idB, "alice");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    rapidjson::Document d = parse(a.body);
    BOOST_TEST_REQUIRE(d.IsObject(), a.body);
    BOOST_TEST(d["id"].GetInt64() == ids[1]);
    BOOST_TEST(str(d, "event_id") == messages[1].eventId);
    BOOST_TEST(!str(d, "reason").empty());
    BOOST_TEST(str(d, "reason") == str(dead[messages[1].eventId], "reason"));
    BOOST_TEST_REQUIRE(d["event"].IsObject(), a.body);
    BOOST_TEST(str(d["event"], "event_id") == messages[1].eventId);
    BOOST_TEST(str(d["event"], "case_no") == messages[1].caseNo);
    BOOST_TEST(str(d["event"], "stage") == "submit");
    BOOST_TEST(str(d["event"]["department"], "name") == kOldDepartment);
    BOOST_TEST(ops.call("GET", "/ops/v1/dead-letters/999999", "alice").status == 404);
  }

  // (3) The platform is back. Requeue A: delivered once, gone from the list.
  platform.setFaults("{}");
  {
    Answer a = ops.call("POST", "/ops/v1/dead-letters/" + idA + ":requeue", "alice");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
  }
  Held h;
  for (auto until = std::chrono::steady_clock::now() + 15s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(100ms)) {
    h = held(platform);
    if (h.count.count(messages[0].eventId))
      break;
  }
  BOOST_TEST(h.count[messages[0].eventId] == 1, "requeued event not delivered once");
  // Discard C: gone from the list.
  {
    Answer a = ops.call("POST", "/ops/v1/dead-letters/" + idC + ":discard", "carol");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
  }
  dead = ops.list();
  BOOST_TEST(dead.count(messages[0].eventId) == 0u, "requeued and delivered, still listed");
  BOOST_TEST(dead.count(messages[2].eventId) == 0u, "discarded, still listed");
  BOOST_TEST(dead.count(messages[1].eventId) == 1u);
  // Unknown ids, and ids that are no longer dead.
  BOOST_TEST(ops.call("POST", "/ops/v1/dead-letters/999999:requeue", "dave").status == 404);
  BOOST_TEST(ops.call("POST", "/ops/v1/dead-letters/999999:discard", "dave").status == 404);
  BOOST_TEST(ops.call("POST", "/ops/v1/dead-letters/" + idC + ":requeue", "dave").status == 404,
             "a discarded dead letter was requeued");
  BOOST_TEST(ops.call("POST", "/ops/v1/dead-letters/" + idA + ":requeue", "dave").status == 404,
             "a delivered event was requeued as a dead letter");
  BOOST_TEST(ops.call("POST", "/ops/v1/dead-letters/" + idB + ":bogus", "dave").status == 404);

  // A mapping fix: the gateway restarts on a copy of the mappings whose marriage mapping names
  // the department differently (version 2: stored as a draft at start, docs/mapping-versions.md),
  // an operator tests and publishes it, and B is mapped again from its journaled message.
  TempDir fixed("huitong-it-ops-mappings");
  fs::copy(fs::absolute("mappings"), fixed.path(), fs::copy_options::recursive);
  {
    const fs::path file = fixed.path() / "marriage" / "mapping.json";
    std::string text = readFile(file);
    const std::string from = "{\"const\": \"" + kOldDepartment + "\"}";
    const auto at = text.find(from);
    BOOST_TEST_REQUIRE(at != std::string::npos, "department rule not found in the mapping");
    text.replace(at, from.size(), "{\"const\": \"" + kFixedDepartment + "\"}");
    const std::string version = "\"version\": \"1\"";
    text.replace(text.find(version), version.size(), "\"version\": \"2\"");
    std::ofstream(file, std::ios::trunc) << text;
  }
  BOOST_TEST_REQUIRE(gateway.stop() == 0);
  std::ofstream(gateway.configPath(), std::ios::trunc)
      << opsConfig(o, dir.path(), fixed.path(), funeral);
  gateway.start();
  {
    Answer tested = ops.call("POST", "/ops/v1/mappings/marriage/versions/2:test", "alice");
    BOOST_TEST_REQUIRE(tested.status == 200, tested.body);
    Answer published = ops.call("POST", "/ops/v1/mappings/marriage/versions/2:publish", "alice");
    BOOST_TEST_REQUIRE(published.status == 200, published.body);
  }
  {
    Answer a = ops.call("GET", "/ops/v1/systems", "alice");
    rapidjson::Document d = parse(a.body);
    std::string version;
    for (const auto& v : d.GetArray())
      version = str(v, "system") == "marriage" ? str(v, "mapping_version") : version;
    BOOST_TEST(version == "2", a.body);
  }
  {
    Answer a = ops.call("POST", "/ops/v1/dead-letters/" + idB + ":requeue?remap=true", "bob");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
  }
  for (auto until = std::chrono::steady_clock::now() + 15s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(100ms)) {
    h = held(platform);
    if (h.count.count(messages[1].eventId))
      break;
  }
  BOOST_TEST(h.count[messages[1].eventId] == 1, "re-mapped event not delivered once");
  BOOST_TEST(h.department[messages[1].eventId] == kFixedDepartment,
             "the platform got the old mapping's event: " << h.department[messages[1].eventId]);
  BOOST_TEST(ops.list().empty(), "dead letters left");
  // The discarded one never arrives (give the workers a moment to prove it).
  std::this_thread::sleep_for(500ms);
  h = held(platform);
  BOOST_TEST(h.count.count(messages[2].eventId) == 0u, "a discarded dead letter was delivered");
  BOOST_TEST(platform.receivedTotal() == 2);

  // (4) Every action is logged with its actor.
  const std::string log = gateway.stderrText();
  BOOST_TEST(logLines(log, "dead letter requeue", "alice", idA) == 1, "requeue of A by alice");
  BOOST_TEST(logLines(log, "dead letter discard", "carol", idC) == 1, "discard of C by carol");
  BOOST_TEST(logLines(log, "dead letter requeue", "bob", idB) == 1, "remap of B by bob");
  BOOST_TEST(logLines(log, "dead letter requeue", "dave", "999999") == 1, "unknown id by dave");

  BOOST_TEST(gateway.stop() == 0, "serve did not exit 0 on SIGTERM");
  BOOST_TEST_MESSAGE("ops test took " << secondsSince(start) << " s");
}

BOOST_AUTO_TEST_SUITE_END()
