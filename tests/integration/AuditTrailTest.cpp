// The audit trail of operations and configuration, with the real binaries. The first start
// records config.initial (no secret in it). The platform answers 500 and the gateway tries each
// event once, so three messages become three dead letters; an operator (a staff login)
// requeues one and re-maps another, the break-glass token discards the third: each is found
// through GET /ops/v1/audit?action=dead_letter.* with actor, role, target, system, item, before
// and after. A restart with the department's key rotated records credential.change naming the
// system and key id and config.change; a restart on the same config records nothing; then
// `huitong audit verify` passes. SQLite store.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <boost/test/unit_test.hpp>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong;
using namespace huitong::integration;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kOpsToken = "it-ops-token";  // what gatewayConfigJson writes
const std::string kPassword = "a long enough password";

rapidjson::Document parse(const std::string& text) {
  auto d = json::parse(text);
  BOOST_TEST_REQUIRE(d.ok(), text.substr(0, 400));
  return std::move(d).value();
}

std::string str(const rapidjson::Value& v, const char* member) {
  if (!v.IsObject())
    return "";
  const auto it = v.FindMember(member);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int runHuitong(const fs::path& dir, const std::vector<std::string>& args,
               const std::string& input = "") {
  const fs::path in = dir / "stdin.txt";
  std::ofstream(in) << input;
  std::vector<std::string> all{huitongBinary().string()};
  all.insert(all.end(), args.begin(), args.end());
  Process p(all, dir, "cli", in.string());
  const int status = p.wait(60s);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string sha256Hex(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

// The harness's config with one delivery attempt per event.
std::string oneAttempt(const GatewayOptions& o, const fs::path& dir) {
  std::string c = gatewayConfigJson(o, dir);
  const std::string attempts = "\"max_attempts\": 1000";
  c.replace(c.find(attempts), attempts.size(), "\"max_attempts\": 1");
  return c;
}

Answer call(int port, const std::string& method, const std::string& path, const std::string& token,
            const std::string& xOperator = "") {
  HttpClient c(port);
  std::vector<std::pair<std::string, std::string>> h{{"Authorization", "Bearer " + token}};
  if (!xOperator.empty())
    h.emplace_back("X-Operator", xOperator);
  return c.send(method, path, "", "", h);
}

// The entries of one action (every page).
rapidjson::Document entries(int port, const std::string& query) {
  const Answer a = call(port, "GET", "/ops/v1/audit/export?format=json&" + query, kOpsToken);
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  auto d = parse(a.body);
  BOOST_TEST_REQUIRE(d.IsArray());
  return d;
}

std::size_t count(int port, const std::string& query) {
  return entries(port, query).Size();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_trail)

BOOST_AUTO_TEST_CASE(dead_letter_actions_and_config_changes_are_audited) {
  TempDir dir("huitong-it-audit");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  DepartmentCredential marriage = makeCredential("marriage");
  GatewayOptions o;
  o.store = freshStore(dir.path());
  o.platformUrl = platform.url();
  o.platformToken = platform.token();
  o.systems = {marriage};
  o.configText = oneAttempt(o, dir.path());
  GatewayProcess gateway(dir.path(), o);
  const std::string cfg = gateway.configPath().string();
  std::vector<std::string> secrets{marriage.secret, platform.token(), kOpsToken};
  auto noSecrets = [&](const std::string& text, const std::string& what) {
    for (const auto& s : secrets)
      BOOST_TEST(text.find(s) == std::string::npos, what << " holds the secret " << s);
  };

  // The first start: config.initial, with fingerprints for secrets.
  {
    const auto d = entries(gateway.port(), "action=config.initial");
    BOOST_TEST_REQUIRE(d.Size() == 1u);
    BOOST_TEST(str(d[0], "actor").rfind("serve:", 0) == 0u, str(d[0], "actor"));
    BOOST_TEST(str(d[0], "role") == "system");
    const std::string after = json::write(d[0]["after"]);
    noSecrets(after, "config.initial");
    BOOST_TEST(after.find(sha256Hex(marriage.secret)) != std::string::npos, after);
  }

  // An operator's account.
  BOOST_TEST_REQUIRE(
      runHuitong(dir.path(),
                 {"user", "create", "--config", cfg, "--name", "otto", "--role", "operator"},
                 kPassword + "\n") == 0);
  std::string otto;
  {
    HttpClient c(gateway.port());
    const Answer a =
        c.send("POST", "/auth/v1/login", "{\"name\":\"otto\",\"password\":\"" + kPassword + "\"}",
               "application/json");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    otto = str(parse(a.body), "token");
  }

  // Three dead letters.
  platform.setFaults("{\"error_rate\":1.0}");
  std::vector<MarriageMessage> messages;
  HttpClient client(gateway.port());
  for (int i = 0; i < 3; ++i) {
    messages.push_back(marriageMessage("HYAUD" + digits(i + 1, 8), 800 + i, 0));
    const Answer a = signedPost(client, marriage, "/intake/v1/marriage", messages.back().body);
    BOOST_TEST_REQUIRE(a.status == 202, a.body);
  }
  std::map<std::string, std::int64_t> ids;  // event id -> dead letter id
  for (auto until = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < until && ids.size() < 3;
       std::this_thread::sleep_for(100ms)) {
    const Answer a = call(gateway.port(), "GET", "/ops/v1/dead-letters", otto);
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    const auto d = parse(a.body);
    for (const auto& v : d.GetArray())
      ids[str(v, "event_id")] = v["id"].GetInt64();
  }
  BOOST_TEST_REQUIRE(ids.size() == 3u);
  const std::string idA = std::to_string(ids[messages[0].eventId]),
                    idB = std::to_string(ids[messages[1].eventId]),
                    idC = std::to_string(ids[messages[2].eventId]);
  std::string item;
  {
    const Answer a = call(gateway.port(), "GET", "/ops/v1/dead-letters/" + idA, otto);
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    item = str(parse(a.body)["event"]["item"], "code");
    BOOST_TEST_REQUIRE(!item.empty(), a.body);
  }

  platform.setFaults("{}");
  BOOST_TEST(
      call(gateway.port(), "POST", "/ops/v1/dead-letters/" + idA + ":requeue", otto).status == 200);
  BOOST_TEST(
      call(gateway.port(), "POST", "/ops/v1/dead-letters/" + idB + ":requeue?remap=true", otto)
          .status == 200);
  BOOST_TEST(
      call(gateway.port(), "POST", "/ops/v1/dead-letters/" + idC + ":discard", kOpsToken, "carol")
          .status == 200);
  // No longer dead: 404, nothing to audit.
  BOOST_TEST(
      call(gateway.port(), "POST", "/ops/v1/dead-letters/" + idC + ":requeue", otto).status == 404);

  {
    const auto d = entries(gateway.port(), "action=dead_letter.requeue");
    BOOST_TEST_REQUIRE(d.Size() == 2u);
    for (rapidjson::SizeType i = 0; i < 2; ++i) {
      const auto& e = d[i];
      const std::string id = i == 0 ? idA : idB;
      BOOST_TEST(str(e, "actor") == "otto");
      BOOST_TEST(str(e, "role") == "operator");
      BOOST_TEST(str(e, "target") == "dead_letter " + id);
      BOOST_TEST(str(e, "system") == "marriage");
      BOOST_TEST(str(e, "item") == item);
      BOOST_TEST(str(e["before"], "event_id") == messages[i].eventId);
      BOOST_TEST(e["before"]["attempts"].GetInt() == 1);
      BOOST_TEST(!str(e["before"], "reason").empty());
      BOOST_TEST(e["after"]["requeued"].GetBool());
      BOOST_TEST(e["after"]["remap"].GetBool() == (i == 1));
      BOOST_TEST(str(e["after"], "payload_sha256").size() == 64u);
    }
    const auto discard = entries(gateway.port(), "action=dead_letter.discard");
    BOOST_TEST_REQUIRE(discard.Size() == 1u);
    BOOST_TEST(str(discard[0], "actor") == "ops-token");
    BOOST_TEST(str(discard[0], "role") == "admin");
    BOOST_TEST(str(discard[0], "target") == "dead_letter " + idC);
    BOOST_TEST(str(discard[0]["before"], "event_id") == messages[2].eventId);
    BOOST_TEST(discard[0]["after"]["discarded"].GetBool());
    BOOST_TEST(str(discard[0]["after"], "x_operator") == "carol");
    BOOST_TEST(count(gateway.port(), "target=dead_letter") == 3u);
  }

  // A restart with marriage's key rotated (same key id, another secret).
  BOOST_TEST_REQUIRE(gateway.stop() == 0);
  DepartmentCredential rotated = marriage;
  rotated.secret = auth::randomToken(32);
  secrets.push_back(rotated.secret);
  o.systems = {rotated};
  std::ofstream(cfg, std::ios::trunc) << oneAttempt(o, dir.path());
  gateway.start();
  {
    const auto d = entries(gateway.port(), "action=credential.change");
    BOOST_TEST_REQUIRE(d.Size() == 1u);
    BOOST_TEST(str(d[0], "system") == "marriage");
    BOOST_TEST(str(d[0], "target") ==
               "credentials of system marriage: key " + marriage.keyId + " rotated");
    BOOST_TEST(str(d[0], "role") == "system");
    noSecrets(json::write(d[0]), "credential.change");
    const auto c = entries(gateway.port(), "action=config.change");
    BOOST_TEST_REQUIRE(c.Size() == 1u);
    noSecrets(json::write(c[0]), "config.change");
    BOOST_TEST(str(c[0], "target").find("/systems/marriage/keys/0/secret") != std::string::npos,
               str(c[0], "target"));
    // The rotated key admits, the old one no longer does.
    HttpClient c2(gateway.port());
    BOOST_TEST(signedPost(c2, rotated, "/intake/v1/marriage",
                          marriageMessage("HYAUD00000009", 809, 0).body)
                   .status == 202);
    BOOST_TEST(signedPost(c2, marriage, "/intake/v1/marriage",
                          marriageMessage("HYAUD00000010", 810, 0).body)
                   .status == 401);
  }

  // A restart on the same config: nothing new.
  const std::size_t before = count(gateway.port(), "");
  BOOST_TEST_REQUIRE(gateway.stop() == 0);
  gateway.start();
  BOOST_TEST(count(gateway.port(), "") == before);
  BOOST_TEST(count(gateway.port(), "action=config.change") == 1u);

  BOOST_TEST(gateway.stop() == 0);
  BOOST_TEST(runHuitong(dir.path(), {"audit", "verify", "--config", cfg}) == 0,
             readFile(dir.path() / "cli.err"));
}

BOOST_AUTO_TEST_SUITE_END()
