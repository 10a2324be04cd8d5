// Fault tickets on the real gateway (docs/faults.md): a TCP check on a closed port (7x24 every
// 5 s) with two consecutive-failures rules opens exactly one alert ticket, and the second rule
// annotates it; an operator enters a phone ticket that the config's rules classify (database,
// major) and dispatch (group dba, round robin) and moves it through its statuses with the SLA
// clocks shown; a department opens tickets for its own system only (403 and access.refused
// otherwise); bad input is problem+json naming the field and the rule.
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <boost/test/unit_test.hpp>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

const std::string kPassword = "a long enough password";
using Headers = std::vector<std::pair<std::string, std::string>>;

int closedPort() {
  Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
  const int port = s.address().port();
  s.close();
  return port;
}

bool eventually(const std::function<bool()>& ok, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (ok())
      return true;
    std::this_thread::sleep_for(250ms);
  }
  return ok();
}

std::string str(const rapidjson::Value& v, const char* member) {
  if (!v.IsObject())
    return "";
  const auto it = v.FindMember(member);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

rapidjson::Document doc(const std::string& text) {
  auto d = json::parse(text);
  if (!d.ok())
    return rapidjson::Document(rapidjson::kObjectType);
  return std::move(d).value();
}

Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

int runHuitong(const std::filesystem::path& dir, const std::vector<std::string>& args,
               const std::string& input) {
  const auto in = dir / "stdin.txt";
  std::ofstream(in) << input;
  std::vector<std::string> all{huitongBinary().string()};
  all.insert(all.end(), args.begin(), args.end());
  Process p(all, dir, "cli", in.string());
  const int status = p.wait(60s);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The kinds of a ticket answer's history, in order.
std::vector<std::string> kinds(const rapidjson::Document& t) {
  std::vector<std::string> out;
  if (t.IsObject() && t.HasMember("history") && t["history"].IsArray()) {
    for (const auto& e : t["history"].GetArray())
      out.push_back(str(e, "kind"));
  }
  return out;
}

int count(const std::vector<std::string>& v, const std::string& what) {
  return static_cast<int>(std::count(v.begin(), v.end(), what));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(alerts_phone_calls_and_departments_become_dispatched_tickets) {
  TempDir dir("huitong-it-faults");
  const int dbPort = closedPort();
  GatewayOptions o;
  o.store = freshStore(dir.path());
  o.platformUrl = "http://127.0.0.1:9";  // nothing is delivered in this test
  o.platformToken = "unused";
  o.systems = {makeCredential("marriage"), makeCredential("funeral")};
  std::string config = gatewayConfigJson(o, dir.path());
  const std::string anchor = "\"ops_token\": \"it-ops-token\",\n";
  BOOST_TEST_REQUIRE(config.find(anchor) != std::string::npos);
  config.replace(
      config.find(anchor), anchor.size(),
      anchor +
          "  \"monitor\": {\"workers\": 2,\n"
          "    \"tcp\": [{\"id\": \"db-port\", \"host\": \"127.0.0.1\", \"port\": " +
          std::to_string(dbPort) +
          ", \"schedule\": \"7x24\", \"interval_s\": 5, \"timeout_ms\": 1000}],\n"
          "    \"alerts\": [{\"name\": \"down\", \"kind\": \"consecutive_failures\", \"count\": "
          "2},\n"
          "               {\"name\": \"down-long\", \"kind\": \"consecutive_failures\", "
          "\"count\": 3}]},\n"
          "  \"faults\": {\n"
          "    \"groups\": [{\"name\": \"dba\", \"members\": [\"wang\", \"zhao\"]},\n"
          "               {\"name\": \"network\", \"members\": [\"li\"]}],\n"
          "    \"classification\": [\n"
          "      {\"name\": \"db-words\", \"keywords\": [\"数据库\", \"database\"], "
          "\"type\": \"database\", \"severity\": \"major\"},\n"
          "      {\"name\": \"monitor\", \"sources\": [\"monitor:\"], \"type\": \"network\"}],\n"
          "    \"dispatch\": [{\"name\": \"db\", \"types\": [\"database\"], \"group\": \"dba\"},\n"
          "                 {\"name\": \"net\", \"types\": [\"network\"], \"group\": "
          "\"network\"}],\n"
          "    \"default_group\": \"network\",\n"
          "    \"sla\": {\"warning_percent\": 80}},\n");
  o.configText = config;
  GatewayProcess gateway(dir.path(), o);
  const std::string cfg = gateway.configPath().string();
  HttpClient c(gateway.port());
  const Headers ops = bearer("it-ops-token");

  for (const auto& a : std::vector<std::vector<std::string>>{
           {"li", "operator"}, {"aud", "auditor"}, {"mz", "department", "marriage"}}) {
    std::vector<std::string> args{"user",   "create", "--config", cfg,
                                  "--name", a[0],     "--role",   a[1]};
    if (a.size() == 3) {
      args.push_back("--system");
      args.push_back(a[2]);
    }
    BOOST_TEST_REQUIRE(runHuitong(dir.path(), args, kPassword + "\n") == 0, a[0]);
  }
  auto tokenOf = [&](const std::string& name) {
    const Answer a = c.send("POST", "/auth/v1/login",
                            "{\"name\":\"" + name + "\",\"password\":\"" + kPassword + "\"}",
                            "application/json");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    return str(doc(a.body), "token");
  };
  const Headers li = bearer(tokenOf("li"));
  const Headers mz = bearer(tokenOf("mz"));
  const Headers aud = bearer(tokenOf("aud"));
  auto post = [&](const std::string& path, const std::string& body, const Headers& h) {
    return c.send("POST", path, body, "application/json", h);
  };

  // 1. The closed port: rule "down" (2 failures) opens one ticket, "down-long" (3) notes an
  //    alert event on it — never a second ticket.
  std::string alertId;
  BOOST_TEST_REQUIRE(
      eventually(
          [&] {
            const Answer a = c.send("GET", "/ops/v1/tickets?channel=alert", "", "", ops);
            const auto d = doc(a.body);
            if (a.status != 200 || !d["tickets"].IsArray() || d["tickets"].Size() == 0)
              return false;
            alertId = str(d["tickets"][0], "id");
            return true;
          },
          45s),
      "no alert ticket; " << gateway.stderrText().substr(0, 2000));
  BOOST_TEST_REQUIRE(eventually(
      [&] {
        return count(kinds(doc(c.send("GET", "/ops/v1/tickets/" + alertId, "", "", ops).body)),
                     "alert") >= 1;
      },
      30s));
  {
    const Answer list = c.send("GET", "/ops/v1/tickets?channel=alert&open=true", "", "", ops);
    const auto d = doc(list.body);
    BOOST_TEST_REQUIRE(d["tickets"].Size() == 1U, list.body);
    const auto& t = d["tickets"][0];
    BOOST_TEST(str(t, "dedup_key") == "check:db-port");
    BOOST_TEST(str(t, "type") == "network");
    BOOST_TEST(str(t, "group") == "network");
    BOOST_TEST(str(t, "assignee") == "li");
    BOOST_TEST(str(t, "status") == "assigned");
  }

  // 2. A phone call entered by the operator: classified database/major by "db-words",
  //    dispatched to dba; the next one goes to the other member (round robin).
  const std::string now = formatRfc3339(SystemClock().now() - 120000);
  auto phone = [&](const std::string& title) {
    return "{\"channel\":\"phone\",\"reporter\":\"张三\",\"contact\":\"0760-88001234\","
           "\"reported_at\":\"" +
           now + "\",\"system\":\"marriage\",\"item\":\"1244\",\"title\":\"" + title +
           "\",\"description\":\"登记窗口报错\"}";
  };
  const Answer first = post("/ops/v1/tickets", phone("婚姻登记数据库连接失败"), li);
  BOOST_TEST_REQUIRE(first.status == 201, first.body);
  const auto t1 = doc(first.body);
  const std::string id = str(t1, "id");
  BOOST_TEST(first.header("location") == "/ops/v1/tickets/" + id);
  BOOST_TEST(str(t1, "channel") == "phone");
  BOOST_TEST(str(t1, "type") == "database");
  BOOST_TEST(str(t1, "severity") == "major");
  BOOST_TEST(str(t1, "classified_by") == "db-words");
  BOOST_TEST(str(t1, "group") == "dba");
  BOOST_TEST(str(t1, "reported_at") == now);
  const Answer second = post("/ops/v1/tickets", phone("数据库慢"), li);
  BOOST_TEST_REQUIRE(second.status == 201, second.body);
  const std::set<std::string> assignees{str(t1, "assignee"), str(doc(second.body), "assignee")};
  BOOST_TEST((assignees == std::set<std::string>{"wang", "zhao"}), first.body + second.body);
  BOOST_TEST(t1["sla"]["clocks"].Size() >= 2U, first.body);
  BOOST_TEST(str(t1["sla"]["clocks"][0], "clock") == "response");
  BOOST_TEST(str(t1["sla"]["clocks"][1], "target") == "24h");

  // Statuses, each with the version read last; the response clock stops at the first move.
  std::int64_t version = t1["version"].GetInt64();
  for (const std::string to : {"in_progress", "waiting_for_reporter", "in_progress", "resolved"}) {
    const Answer a = post("/ops/v1/tickets/" + id + ":status",
                          "{\"to\":\"" + to + "\",\"reason\":\"step\",\"expected_version\":" +
                              std::to_string(version) + "}",
                          li);
    BOOST_TEST_REQUIRE(a.status == 200, to + ": " + a.body);
    const auto d = doc(a.body);
    BOOST_TEST(str(d, "status") == to);
    version = d["version"].GetInt64();
  }
  {
    const Answer a = c.send("GET", "/ops/v1/tickets/" + id, "", "", aud);  // auditors read
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    const auto d = doc(a.body);
    const auto k = kinds(d);
    BOOST_TEST(count(k, "created") == 1);
    BOOST_TEST(count(k, "classified") == 1);
    BOOST_TEST(count(k, "assigned") == 1);
    BOOST_TEST(count(k, "status") == 5);  // new → assigned by the dispatch, then four
    BOOST_TEST(str(d["sla"]["clocks"][0], "state") == "met", a.body);
    BOOST_TEST(str(d["sla"]["clocks"][1], "state") == "met", a.body);
  }
  // Assign, comment and escalate on the second ticket.
  const std::string id2 = str(doc(second.body), "id");
  {
    Answer a = post("/ops/v1/tickets/" + id2 + ":assign", "{\"assignee\":\"zhao\"}", li);
    BOOST_TEST(a.status == 200, a.body);
    BOOST_TEST(str(doc(a.body), "assignee") == "zhao");
    a = post("/ops/v1/tickets/" + id2 + ":comment", "{\"text\":\"回电确认\"}", li);
    BOOST_TEST(a.status == 200, a.body);
    a = post("/ops/v1/tickets/" + id2 + ":escalate",
             "{\"group\":\"network\",\"reason\":\"交换机故障\"}", li);
    BOOST_TEST(a.status == 200, a.body);
    BOOST_TEST(str(doc(a.body), "group") == "network");
    a = post("/ops/v1/tickets/" + id2 + ":assign", "{\"expected_version\":1}", li);
    BOOST_TEST(a.status == 409, a.body);
    BOOST_TEST(str(doc(a.body), "rule") == "ticket.stale");
    BOOST_TEST(str(doc(a.body), "field") == "expected_version");
  }

  // 3. A department: its own system through the api channel; another system or a phone
  //    ticket is 403 and audited.
  {
    Answer a = post("/ops/v1/tickets",
                    "{\"channel\":\"api\",\"system\":\"marriage\",\"title\":\"接口超时\"}", mz);
    BOOST_TEST(a.status == 201, a.body);
    const auto own = doc(a.body);
    BOOST_TEST(str(own, "created_by") == "department:mz");
    // A general ticket closes; closed is final.
    const std::string id3 = str(own, "id");
    for (const std::string to : {"in_progress", "resolved", "closed"}) {
      const Answer m = post("/ops/v1/tickets/" + id3 + ":status", "{\"to\":\"" + to + "\"}", li);
      BOOST_TEST(m.status == 200, to + ": " + m.body);
    }
    const Answer again = post("/ops/v1/tickets/" + id3 + ":status", "{\"to\":\"in_progress\"}", li);
    BOOST_TEST(again.status == 409, again.body);
    BOOST_TEST(str(doc(again.body), "rule") == "ticket.illegal_move");
    // The department comments on its own system's ticket; it may not move it.
    a = post("/ops/v1/tickets/" + id3 + ":comment", "{\"text\":\"谢谢\"}", mz);
    BOOST_TEST(a.status == 200, a.body);
    a = post("/ops/v1/tickets/" + id3 + ":status", "{\"to\":\"resolved\"}", mz);
    BOOST_TEST(a.status == 403, a.body);
    a = post("/ops/v1/tickets",
             "{\"channel\":\"api\",\"system\":\"funeral\",\"title\":\"接口超时\"}", mz);
    BOOST_TEST(a.status == 403, a.body);
    BOOST_TEST(a.header("content-type").find("application/problem+json") == 0);
    a = post("/ops/v1/tickets", phone("代录电话"), mz);
    BOOST_TEST(a.status == 403, a.body);
    a = c.send("GET", "/ops/v1/tickets", "", "", mz);
    BOOST_TEST(a.status == 200, a.body);
    for (const auto& t : doc(a.body)["tickets"].GetArray())
      BOOST_TEST(str(t, "system") == "marriage");
    a = c.send("GET", "/ops/v1/tickets/" + alertId, "", "", mz);  // no system: not its own
    BOOST_TEST(a.status == 403, a.body);
    a = post("/ops/v1/tickets", "{\"channel\":\"api\",\"title\":\"x\"}", aud);
    BOOST_TEST(a.status == 403, a.body);
    a = c.send("GET", "/ops/v1/audit?action=access.refused", "", "", ops);
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    int refusedTickets = 0;
    for (const auto& e : doc(a.body)["entries"].GetArray())
      refusedTickets += str(e, "target").find("/ops/v1/tickets") != std::string::npos ? 1 : 0;
    BOOST_TEST(refusedTickets >= 5, a.body);
    a = c.send("GET", "/ops/v1/audit?action=ticket.create", "", "", ops);
    BOOST_TEST(doc(a.body)["entries"].Size() >= 4U, a.body);
  }

  // 4. Bad input: problem+json naming the field and the rule.
  struct Bad {
    std::string method, path, body;
    int status;
    std::string rule, field;
  };
  const std::vector<Bad> bad{
      {"POST", "/ops/v1/tickets", "{\"title\":\"x\"}", 422, "ticket.invalid", "channel"},
      {"POST", "/ops/v1/tickets", "{\"channel\":\"pigeon\",\"title\":\"x\"}", 400, "ticket.invalid",
       "channel"},
      {"POST", "/ops/v1/tickets",
       "{\"channel\":\"phone\",\"reporter\":\"a\",\"contact\":\"1\",\"reported_at\":"
       "\"yesterday\",\"title\":\"x\"}",
       400, "ticket.invalid", "reported_at"},
      {"POST", "/ops/v1/tickets",
       "{\"channel\":\"phone\",\"reporter\":\"a\",\"reported_at\":\"" + now + "\",\"title\":\"x\"}",
       422, "ticket.invalid", "contact"},
      {"POST", "/ops/v1/tickets", "{\"channel\":\"api\",\"title\":\"x\",\"colour\":1}", 400,
       "ticket.invalid", "colour"},
      {"POST", "/ops/v1/tickets", "{\"channel\":\"api\",\"title\":7}", 400, "ticket.invalid",
       "title"},
      {"POST", "/ops/v1/tickets", "not json", 400, "ticket.invalid", ""},
      {"POST", "/ops/v1/tickets", "{\"channel\":\"alert\",\"title\":\"x\"}", 422, "ticket.invalid",
       "channel"},
      {"POST", "/ops/v1/tickets/" + id2 + ":status", "{\"to\":\"flying\"}", 400, "ticket.invalid",
       "to"},
      {"POST", "/ops/v1/tickets/" + id2 + ":assign", "{\"assignee\":\"nobody\"}", 422,
       "ticket.invalid", "assignee"},
      {"GET", "/ops/v1/tickets?status=sleeping", "", 400, "ticket.invalid", "status"},
      {"GET", "/ops/v1/tickets?limit=0", "", 400, "ticket.invalid", "limit"},
      {"GET", "/ops/v1/tickets?colour=red", "", 400, "ticket.invalid", "colour"},
      {"GET", "/ops/v1/tickets/T-2020-999999", "", 404, "ticket.not_found", "id"},
      {"GET", "/ops/v1/tickets/nonsense", "", 404, "ticket.not_found", "id"},
  };
  for (const auto& b : bad) {
    const Answer a = c.send(b.method, b.path, b.body, b.body.empty() ? "" : "application/json", li);
    const std::string what = b.method + " " + b.path + " " + b.body + " → " + a.body;
    BOOST_TEST(a.status == b.status, what);
    BOOST_TEST(a.header("content-type").find("application/problem+json") == 0, what);
    const auto d = doc(a.body);
    BOOST_TEST(str(d, "rule") == b.rule, what);
    BOOST_TEST(str(d, "field") == b.field, what);
  }

  // Paging: one at a time, in order, until next_offset is null.
  {
    std::set<std::string> seen;
    int offset = 0;
    for (int page = 0; page < 20; ++page) {
      const Answer a =
          c.send("GET", "/ops/v1/tickets?limit=1&offset=" + std::to_string(offset), "", "", ops);
      BOOST_TEST_REQUIRE(a.status == 200, a.body);
      const auto d = doc(a.body);
      for (const auto& t : d["tickets"].GetArray())
        seen.insert(str(t, "id"));
      if (!d["next_offset"].IsInt())
        break;
      offset = d["next_offset"].GetInt();
    }
    BOOST_TEST(seen.size() == 4U);  // alert, two phone calls, the department's
  }

  // The audit trail still verifies with the tickets' entries in it.
  BOOST_TEST(runHuitong(dir.path(), {"audit", "verify", "--config", cfg}, "") == 0);
}

// The major-fault report over the API with the monitoring evidence (a failing TCP probe), its
// improvements as follow-up tasks (listed, overdue, closed with a note), the report listed by
// month, and attachments uploaded (bounded by faults.attachments), listed and downloaded.
BOOST_AUTO_TEST_CASE(reports_follow_ups_and_attachments_over_the_api) {
  TempDir dir("huitong-it-faults-report");
  const int dbPort = closedPort();
  GatewayOptions o;
  o.store = freshStore(dir.path());
  o.platformUrl = "http://127.0.0.1:9";
  o.platformToken = "unused";
  o.systems = {makeCredential("marriage")};
  std::string config = gatewayConfigJson(o, dir.path());
  const std::string anchor = "\"ops_token\": \"it-ops-token\",\n";
  BOOST_TEST_REQUIRE(config.find(anchor) != std::string::npos);
  config.replace(config.find(anchor), anchor.size(),
                 anchor +
                     "  \"monitor\": {\"workers\": 1,\n"
                     "    \"tcp\": [{\"id\": \"db-port\", \"host\": \"127.0.0.1\", \"port\": " +
                     std::to_string(dbPort) +
                     ", \"schedule\": \"7x24\", \"interval_s\": 5, \"timeout_ms\": 500}]},\n"
                     "  \"faults\": {\"attachments\": {\"max_bytes\": 1000,\n"
                     "    \"content_types\": [\"text/plain\", \"image/*\"]}},\n");
  o.configText = config;
  GatewayProcess gateway(dir.path(), o);
  const std::string cfg = gateway.configPath().string();
  HttpClient c(gateway.port());
  const Headers ops = bearer("it-ops-token");
  for (const auto& a :
       std::vector<std::vector<std::string>>{{"li", "operator"}, {"aud", "auditor"}}) {
    BOOST_TEST_REQUIRE(
        runHuitong(dir.path(), {"user", "create", "--config", cfg, "--name", a[0], "--role", a[1]},
                   kPassword + "\n") == 0,
        a[0]);
  }
  auto tokenOf = [&](const std::string& name) {
    const Answer a = c.send("POST", "/auth/v1/login",
                            "{\"name\":\"" + name + "\",\"password\":\"" + kPassword + "\"}",
                            "application/json");
    return str(doc(a.body), "token");
  };
  const Headers aud = bearer(tokenOf("aud"));
  const std::string now = formatRfc3339(SystemClock().now());
  Answer a =
      c.send("POST", "/ops/v1/tickets",
             "{\"channel\":\"phone\",\"reporter\":\"张三\",\"contact\":\"010-1\","
             "\"reported_at\":\"" +
                 now + "\",\"system\":\"marriage\",\"severity\":\"major\",\"title\":\"交换中断\"}",
             "application/json", ops);
  BOOST_TEST_REQUIRE(a.status == 201, a.body);
  const std::string id = str(doc(a.body), "id");

  // Attachments: kept, listed, downloaded; too large, a refused type, a bad name, an auditor.
  a = c.send("POST",
             "/ops/v1/tickets/" + id + "/attachments?name=" + "log%20%E6%97%A5%E5%BF%97.txt",
             "disk full at 09:50\n", "text/plain; charset=utf-8", ops);
  BOOST_TEST_REQUIRE(a.status == 201, a.body);
  const std::string href = a.header("location");
  BOOST_TEST(href == "/ops/v1/tickets/" + id + "/attachments/1");
  a = c.send("POST", "/ops/v1/tickets/" + id + "/attachments?name=big.txt", std::string(1001, 'x'),
             "text/plain", ops);
  BOOST_TEST(a.status == 413, a.body);
  BOOST_TEST(a.header("content-type").find("application/problem+json") == 0);
  BOOST_TEST(str(doc(a.body), "rule") == "ticket.attachment_too_large");
  a = c.send("POST", "/ops/v1/tickets/" + id + "/attachments?name=run.sh", "#!/bin/sh",
             "application/x-sh", ops);
  BOOST_TEST(a.status == 415, a.body);
  BOOST_TEST(str(doc(a.body), "rule") == "ticket.attachment_type");
  a = c.send("POST", "/ops/v1/tickets/" + id + "/attachments?name=..%2Fetc", "x", "text/plain",
             ops);
  BOOST_TEST(a.status == 422, a.body);
  BOOST_TEST(str(doc(a.body), "field") == "name");
  a = c.send("POST", "/ops/v1/tickets/" + id + "/attachments?name=a.txt", "x", "text/plain", aud);
  BOOST_TEST(a.status == 403, a.body);
  a = c.send("GET", "/ops/v1/tickets/" + id + "/attachments", "", "", aud);
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  BOOST_TEST(doc(a.body)["attachments"].Size() == 1U);
  a = c.send("GET", href, "", "", aud);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body == "disk full at 09:50\n");
  BOOST_TEST(a.header("content-disposition").find("filename*=UTF-8''log%20%E6%97%A5") !=
             std::string::npos);
  BOOST_TEST(c.send("GET", "/ops/v1/tickets/" + id + "/attachments/9", "", "", ops).status == 404);

  // The report pre-filled with the failing probe (wait for its first runs).
  BOOST_TEST(eventually(
      [&] {
        const Answer r = c.send("GET", "/ops/v1/tickets/" + id + "/report", "", "", aud);
        const auto d = doc(r.body);
        return r.status == 200 && d.HasMember("evidence") && d["evidence"]["probes"].Size() > 0;
      },
      20s));
  a = c.send("GET", "/ops/v1/tickets/" + id + "/report?format=html", "", "", aud);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.header("content-type").find("text/html") == 0);
  BOOST_TEST(a.body.find("Monitoring evidence") != std::string::npos);
  BOOST_TEST(a.body.find("db-port") != std::string::npos);
  a = c.send("GET", "/ops/v1/tickets/" + id + "/report?format=markdown", "", "", ops);
  BOOST_TEST(a.header("content-type").find("text/markdown") == 0);
  BOOST_TEST(c.send("GET", "/ops/v1/tickets/" + id + "/report?format=pdf", "", "", ops).status ==
             400);

  // Written over the API: merged over the pre-filled report, which keeps its evidence; the
  // improvement becomes a task (overdue ones: test_faults_tickets_sla).
  a = c.send("PUT", "/ops/v1/tickets/" + id + "/report",
             "{\"improvements\": [{\"action\": \"端口监控\", \"owner\": \"wang\", \"due\": "
             "\"2026-13-01\"}]}",
             "application/json", ops);
  BOOST_TEST(a.status == 422, a.body);
  BOOST_TEST(str(doc(a.body), "field") == "improvements[1].due");
  a = c.send("PUT", "/ops/v1/tickets/" + id + "/report",
             "{\"cause\": \"端口关闭\", \"measures\": \"重启\", \"improvements\": [{\"action\": "
             "\"端口监控\", \"owner\": \"wang\", \"due\": \"2099-01-01\"}]}",
             "application/json", aud);
  BOOST_TEST(a.status == 403, a.body);
  a = c.send("PUT", "/ops/v1/tickets/" + id + "/report",
             "{\"cause\": \"端口关闭\", \"measures\": \"重启\", \"improvements\": [{\"action\": "
             "\"端口监控\", \"owner\": \"wang\", \"due\": \"2099-01-01\"}]}",
             "application/json", ops);
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  BOOST_TEST(doc(a.body)["evidence"]["probes"].Size() > 0U);
  a = c.send("GET", "/ops/v1/follow-ups?status=open", "", "", aud);
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  BOOST_TEST_REQUIRE(doc(a.body)["follow_ups"].Size() == 1U);
  BOOST_TEST(str(doc(a.body)["follow_ups"][0], "owner") == "wang");
  a = c.send("GET", "/ops/v1/tickets/" + id, "", "", ops);
  BOOST_TEST(doc(a.body)["follow_ups"].Size() == 1U);
  BOOST_TEST(c.send("GET", "/ops/v1/follow-ups?status=late", "", "", ops).status == 400);
  a = c.send("POST", "/ops/v1/follow-ups/" + id + "/1:close", "{\"note\":\" \"}",
             "application/json", ops);
  BOOST_TEST(a.status == 422, a.body);
  a = c.send("POST", "/ops/v1/follow-ups/" + id + "/1:close", "{\"note\":\"已上线\"}",
             "application/json", ops);
  BOOST_TEST(a.status == 200, a.body);
  BOOST_TEST(str(doc(a.body), "status") == "closed");
  a = c.send("POST", "/ops/v1/follow-ups/" + id + "/1:close", "{\"note\":\"again\"}",
             "application/json", ops);
  BOOST_TEST(a.status == 409, a.body);
  a = c.send("GET", "/ops/v1/major-reports?month=" + now.substr(0, 7), "", "", aud);
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  BOOST_TEST_REQUIRE(doc(a.body)["reports"].Size() == 1U);
  BOOST_TEST(str(doc(a.body)["reports"][0], "ticket_id") == id);
  BOOST_TEST(c.send("GET", "/ops/v1/major-reports?month=2026-13", "", "", ops).status == 400);
  a = c.send("GET", "/ops/v1/audit?action=ticket.follow_up_close", "", "", ops);
  BOOST_TEST(a.body.find(id) != std::string::npos, a.body);
}

BOOST_AUTO_TEST_SUITE_END()
