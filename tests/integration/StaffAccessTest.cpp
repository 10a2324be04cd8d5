// Staff access with the real binaries (SQLite store): accounts of every role made with
// `huitong user create`, logins over HTTP, and the FULL matrix role × operator endpoint, each
// asserted allowed or 403 — and 401 without a token, with a made-up one, after logout and
// after expiry. The break-glass ops_token acts as admin. Five failed logins lock an account
// (429) and an unknown name alike; logins, failures, the lock and every refusal are audit
// entries; malformed audit filters are 400 naming the parameter; move refusals carry the
// rule and the filing's state; `huitong audit verify` passes afterwards.
#include <sys/wait.h>

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

#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kOpsToken = "it-ops-token";  // what gatewayConfigJson writes
const std::string kPassword = "a long enough password";

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

// `huitong ARGS...` with `input` on stdin; its exit code (-1 when it did not exit).
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

std::string gatewayConfig(const fs::path& dir, int sessionSeconds) {
  GatewayOptions o;
  o.platformUrl = "http://127.0.0.1:9";  // nothing is delivered in this test
  o.platformToken = "unused";
  o.systems = {makeCredential("marriage"), makeCredential("funeral")};
  std::string c = gatewayConfigJson(o, dir);
  const std::string token = "\"ops_token\": \"it-ops-token\",\n";
  const auto at = c.find(token);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  c.insert(at + token.size(),
           "  \"staff_access\": {\"session_seconds\": " + std::to_string(sessionSeconds) +
               ", \"max_failures\": 5, \"lockout_seconds\": 900},\n"
               "  \"backup\": {\"dir\": \"" +
               (dir / "backups").string() + "\", \"schedule\": \"daily 02:30\"},\n");
  return c;
}

struct Call {
  std::string method;
  std::string path;
  std::string body;
};

Answer send(int port, const Call& call, const std::string& token) {
  HttpClient c(port);
  std::vector<std::pair<std::string, std::string>> h;
  if (!token.empty())
    h.emplace_back("Authorization", "Bearer " + token);
  return c.send(call.method, call.path, call.body, call.body.empty() ? "" : "application/json", h);
}

Answer login(int port, const std::string& name, const std::string& password) {
  HttpClient c(port);
  return c.send("POST", "/auth/v1/login",
                "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}",
                "application/json");
}

std::string tokenOf(int port, const std::string& name) {
  const Answer a = login(port, name, kPassword);
  BOOST_TEST_REQUIRE(a.status == 200, name + ": " + a.body);
  const auto d = parse(a.body);
  BOOST_TEST(str(d, "token_type") == "Bearer");
  return str(d, "token");
}

std::int64_t versionOf(int port, const std::string& path) {
  const Answer a = send(port, {"GET", path, ""}, kOpsToken);
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  const auto d = parse(a.body);
  return d["version"].GetInt64();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(staff_access)

BOOST_AUTO_TEST_CASE(role_matrix_lockout_and_audit) {
  TempDir dir("huitong-it-staff");
  GatewayProcess gateway(dir.path(), [&] {
    GatewayOptions o;
    o.configText = gatewayConfig(dir.path(), 1800);
    return o;
  }());
  const std::string cfg = gateway.configPath().string();
  const int port = gateway.port();

  // Accounts of every role, made as an operator would make them.
  const std::vector<std::vector<std::string>> accounts{{"ada", "admin"},
                                                       {"otto", "operator"},
                                                       {"aud", "auditor"},
                                                       {"mz", "department", "marriage"},
                                                       {"victim", "operator"}};
  for (const auto& a : accounts) {
    std::vector<std::string> args{"user",   "create", "--config", cfg,
                                  "--name", a[0],     "--role",   a[1]};
    if (a.size() == 3) {
      args.push_back("--system");
      args.push_back(a[2]);
    }
    BOOST_TEST_REQUIRE(runHuitong(dir.path(), args, kPassword + "\n") == 0, a[0]);
  }

  // Filings to look at: marriage/1244 and funeral/F1, created through the API.
  for (const auto& [system, item] :
       std::vector<std::pair<std::string, std::string>>{{"marriage", "1244"}, {"funeral", "F1"}}) {
    const Answer a =
        send(port,
             {"POST", "/ops/v1/filings",
              "{\"system\":\"" + system + "\",\"item_code\":\"" + item + "\",\"item_name\":\"x\"}"},
             kOpsToken);
    BOOST_TEST_REQUIRE(a.status == 201, a.body);
  }

  // Fault tickets to look at: one of marriage, one of funeral (docs/faults.md).
  std::map<std::string, std::string> ticketOf;
  for (const std::string system : {"marriage", "funeral"}) {
    const Answer a =
        send(port,
             {"POST", "/ops/v1/tickets",
              "{\"channel\":\"api\",\"system\":\"" + system + "\",\"title\":\"接口超时\"}"},
             kOpsToken);
    BOOST_TEST_REQUIRE(a.status == 201, a.body);
    ticketOf[system] = str(parse(a.body), "id");
  }

  std::map<std::string, std::string> tokens;
  for (const auto& role : {"ada", "otto", "aud", "mz"})
    tokens[role] = tokenOf(port, role);
  tokens["ops-token"] = kOpsToken;

  // Every endpoint, and who may call it. A call that is allowed may still be refused for its
  // content (404 for an unknown message); allowed means neither 401 nor 403.
  struct Row {
    std::string name;
    std::function<Call(const std::string& who)> call;
    std::set<std::string> allowed;
  };
  const std::set<std::string> all{"ada", "otto", "aud", "mz", "ops-token"};
  const std::set<std::string> staffOps{"ada", "otto", "ops-token"};
  const std::set<std::string> readers{"ada", "otto", "aud", "ops-token"};
  int created = 0;
  const std::vector<Row> matrix{
      {"list filings",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/filings", ""};
       },
       all},
      {"list own system",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/filings?system=marriage", ""};
       },
       all},
      {"list another system",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/filings?system=funeral", ""};
       },
       readers},
      {"overdue filings",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/filings?overdue=true", ""};
       },
       all},
      {"own filing",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/filings/marriage/1244", ""};
       },
       all},
      {"another system's filing",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/filings/funeral/F1", ""};
       },
       readers},
      {"create filing",
       [&](const std::string&) {
         return Call{
             "POST", "/ops/v1/filings",
             "{\"system\":\"marriage\",\"item_code\":\"N" + std::to_string(++created) + "\"}"};
       },
       staffOps},
      {"edit notes",
       [&](const std::string& who) {
         return Call{"PATCH", "/ops/v1/filings/marriage/1244",
                     "{\"notes\":\"by " + who + "\",\"expected_version\":" +
                         std::to_string(versionOf(port, "/ops/v1/filings/marriage/1244")) + "}"};
       },
       staffOps},
      {"edit contact",
       [&](const std::string&) {
         return Call{"PATCH", "/ops/v1/filings/marriage/1244",
                     "{\"contact_name\":\"王芳\",\"contact_phone\":\"0760-1\","
                     "\"expected_version\":" +
                         std::to_string(versionOf(port, "/ops/v1/filings/marriage/1244")) + "}"};
       },
       staffOps},
      {"move filing",
       [&](const std::string&) {
         // A fresh filing for each caller, moved requested → configuring.
         const std::string item = "M" + std::to_string(++created);
         const Answer a = send(port,
                               {"POST", "/ops/v1/filings",
                                "{\"system\":\"marriage\",\"item_code\":\"" + item + "\"}"},
                               kOpsToken);
         BOOST_TEST(a.status == 201, a.body);
         return Call{"POST", "/ops/v1/filings/marriage/" + item + ":move",
                     "{\"to\":\"configuring\",\"expected_version\":1}"};
       },
       staffOps},
      {"audit page",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/audit?limit=5", ""};
       },
       readers},
      {"audit export csv",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/audit/export?format=csv", ""};
       },
       readers},
      {"audit export json",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/audit/export?format=json&action=login", ""};
       },
       readers},
      {"dead letters",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/dead-letters", ""};
       },
       staffOps},
      {"dead letter",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/dead-letters/1", ""};
       },
       staffOps},
      {"systems",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/systems", ""};
       },
       staffOps},
      {"users",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/users", ""};
       },
       {"ada", "ops-token"}},
      // Mapping versions (docs/mapping-versions.md): reads for every role (a department its own
      // system), changes for admins and operators. Refused for content (409/422) still counts
      // as allowed.
      {"mappings running",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/mappings", ""};
       },
       readers},
      {"own system's mapping versions",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/mappings/marriage/versions", ""};
       },
       all},
      {"a mapping version",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/mappings/marriage/versions/1", ""};
       },
       all},
      {"another system's mapping versions",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/mappings/funeral/versions", ""};
       },
       readers},
      {"upload a mapping draft",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/mappings/marriage/versions", "{\"files\":{}}"};
       },
       staffOps},
      {"test a mapping version",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/mappings/marriage/versions/1:test", ""};
       },
       staffOps},
      {"publish a mapping version",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/mappings/marriage/versions/1:publish", ""};
       },
       staffOps},
      {"roll a mapping back",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/mappings/marriage:rollback", "{\"version\":\"1\"}"};
       },
       staffOps},
      {"replay a mapping version",
       [](const std::string&) {
         return Call{"GET",
                     "/ops/v1/mappings/marriage/versions/1/replay?from=2026-01-01T00:00:00Z"
                     "&to=2027-01-01T00:00:00Z",
                     ""};
       },
       readers},
      {"own message status",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/messages/marriage/nosuch", ""};
       },
       {"ada", "otto", "mz", "ops-token"}},
      {"another system's message status",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/messages/funeral/nosuch", ""};
       },
       staffOps},
      // The joint-debug sandbox: a department only its own system, and another system's
      // sessions and evidence are 404 to it, not 403 (checked below).
      {"sandbox sessions",
       [](const std::string&) {
         return Call{"GET", "/sandbox/v1/sessions", ""};
       },
       all},
      {"own system's sandbox sessions",
       [](const std::string&) {
         return Call{"GET", "/sandbox/v1/sessions?system=marriage&item=1244&version=1", ""};
       },
       all},
      {"a sandbox session",
       [](const std::string&) {
         return Call{"GET", "/sandbox/v1/sessions/sb-nosuch", ""};
       },
       all},
      {"own item's sandbox evidence",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/filings/marriage/1244/evidence?version=1", ""};
       },
       all},
      {"item health",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/health", ""};
       },
       all},
      {"own system's item health",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/health?system=marriage", ""};
       },
       all},
      {"another system's item health",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/health?system=funeral&status=red", ""};
       },
       readers},
      {"own item's health",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/health/marriage/1244", ""};
       },
       all},
      {"another system's item health in detail",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/health/funeral/F1", ""};
       },
       readers},
      // Inspections: auditors read runs and reports, operators run and sign off; a department
      // sees nothing of it (a run by every staff member allowed; the first sign-off wins, the
      // others are 409).
      {"inspection runs",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/inspections", ""};
       },
       readers},
      {"run an inspection",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/inspections", ""};
       },
       staffOps},
      {"an inspection report",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/inspections/1?format=html", ""};
       },
       readers},
      {"sign off an inspection",
       [](const std::string& who) {
         return Call{"POST", "/ops/v1/inspections/1/sign-off", "{\"note\":\"by " + who + "\"}"};
       },
       staffOps},
      // Monthly operation reports: auditors and operators read them; a department sees nothing.
      {"monthly reports",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/reports/monthly", ""};
       },
       readers},
      {"a monthly report",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/reports/monthly/2026-11?format=md", ""};
       },
       readers},
      // Fault tickets: every role reads (a department its own system's), a department opens
      // through the api channel and comments for its own system; the rest is admin, operator.
      {"tickets",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/tickets", ""};
       },
       all},
      {"own system's tickets",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/tickets?system=marriage&open=true", ""};
       },
       all},
      {"another system's tickets",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/tickets?system=funeral", ""};
       },
       readers},
      {"open a ticket for the own system",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/tickets",
                     "{\"channel\":\"api\",\"system\":\"marriage\",\"title\":\"慢\"}"};
       },
       {"ada", "otto", "mz", "ops-token"}},
      {"open a ticket for another system",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/tickets",
                     "{\"channel\":\"api\",\"system\":\"funeral\",\"title\":\"慢\"}"};
       },
       staffOps},
      {"enter a phone ticket",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/tickets",
                     "{\"channel\":\"phone\",\"system\":\"marriage\",\"reporter\":\"张三\","
                     "\"contact\":\"0760-1\",\"reported_at\":\"2026-01-05T09:00:00+08:00\","
                     "\"title\":\"来电\"}"};
       },
       staffOps},
      {"own system's ticket",
       [&](const std::string&) {
         return Call{"GET", "/ops/v1/tickets/" + ticketOf["marriage"], ""};
       },
       all},
      {"another system's ticket",
       [&](const std::string&) {
         return Call{"GET", "/ops/v1/tickets/" + ticketOf["funeral"], ""};
       },
       readers},
      {"comment on the own system's ticket",
       [&](const std::string& who) {
         return Call{"POST", "/ops/v1/tickets/" + ticketOf["marriage"] + ":comment",
                     "{\"text\":\"by " + who + "\"}"};
       },
       {"ada", "otto", "mz", "ops-token"}},
      {"comment on another system's ticket",
       [&](const std::string& who) {
         return Call{"POST", "/ops/v1/tickets/" + ticketOf["funeral"] + ":comment",
                     "{\"text\":\"by " + who + "\"}"};
       },
       staffOps},
      {"assign a ticket",
       [&](const std::string&) {
         return Call{"POST", "/ops/v1/tickets/" + ticketOf["marriage"] + ":assign", "{}"};
       },
       staffOps},
      {"move a ticket",
       [&](const std::string&) {
         return Call{"POST", "/ops/v1/tickets/" + ticketOf["marriage"] + ":status",
                     "{\"to\":\"in_progress\"}"};
       },
       staffOps},
      {"escalate a ticket",
       [&](const std::string&) {
         return Call{"POST", "/ops/v1/tickets/" + ticketOf["marriage"] + ":escalate", "{}"};
       },
       staffOps},
      {"edit a ticket",
       [&](const std::string& who) {
         return Call{"PATCH", "/ops/v1/tickets/" + ticketOf["marriage"],
                     "{\"description\":\"by " + who + "\"}"};
       },
       staffOps},
      // Major-fault reports and follow-up tasks are operations data: staff read them (a
      // department not even its own system's), operators close tasks.
      {"a major-fault report",
       [&](const std::string&) {
         return Call{"GET", "/ops/v1/tickets/" + ticketOf["marriage"] + "/report?format=markdown",
                     ""};
       },
       readers},
      {"major-fault reports",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/major-reports?month=2026-11", ""};
       },
       readers},
      {"follow-up tasks",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/follow-ups?status=overdue", ""};
       },
       readers},
      {"attach to the own system's ticket",
       [&](const std::string&) {
         return Call{"POST", "/ops/v1/tickets/" + ticketOf["marriage"] + "/attachments?name=a.json",
                     "{}"};
       },
       {"ada", "otto", "mz", "ops-token"}},
      {"another system's attachments",
       [&](const std::string&) {
         return Call{"GET", "/ops/v1/tickets/" + ticketOf["funeral"] + "/attachments", ""};
       },
       readers},
      {"close a follow-up task",
       [&](const std::string& who) {
         return Call{"POST", "/ops/v1/follow-ups/" + ticketOf["marriage"] + "/1:close",
                     "{\"note\":\"by " + who + "\"}"};
       },
       staffOps},
      // Configuration checks: auditors read drift and change records, operators approve.
      {"configuration check",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/config/check", ""};
       },
       readers},
      {"configuration change records",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/changes", ""};
       },
       readers},
      {"approve a configuration change",
       [](const std::string& who) {
         return Call{"POST", "/ops/v1/changes", "{\"note\":\"by " + who + "\"}"};
       },
       staffOps},
      // Backups: auditors read the records, operators take a backup now.
      {"backup records",
       [](const std::string&) {
         return Call{"GET", "/ops/v1/backups", ""};
       },
       readers},
      {"take a backup now",
       [](const std::string&) {
         return Call{"POST", "/ops/v1/backups", ""};
       },
       staffOps},
  };

  int refusals = 0;
  for (const auto& row : matrix) {
    for (const auto& who : all) {
      const Call call = row.call(who);
      const Answer a = send(port, call, tokens[who]);
      const std::string what =
          row.name + " as " + who + ": " + std::to_string(a.status) + " " + a.body.substr(0, 300);
      if (row.allowed.count(who) != 0) {
        BOOST_TEST((a.status != 401 && a.status != 403 && a.status != 0), what);
        BOOST_TEST(a.status < 500, what);
      } else {
        BOOST_TEST(a.status == 403, what);
        BOOST_TEST(a.header("content-type").find("application/problem+json") == 0, what);
        ++refusals;
      }
    }
    // Without a token, and with one that was never issued: 401 on every endpoint.
    const Call call = row.call("nobody");
    BOOST_TEST(send(port, call, "").status == 401, row.name);
    BOOST_TEST(send(port, call, "made-up-token").status == 401, row.name);
  }

  // Another system's sandbox: readers see it; a department gets 404, as if it did not exist.
  for (const std::string path :
       {"/sandbox/v1/sessions?system=funeral", "/ops/v1/filings/funeral/F1/evidence?version=1"}) {
    for (const auto& who : all) {
      const Answer a = send(port, {"GET", path, ""}, tokens[who]);
      BOOST_TEST(a.status == (who == "mz" ? 404 : 200), path + " as " + who + ": " + a.body);
    }
    BOOST_TEST(send(port, {"GET", path, ""}, "").status == 401);
  }
  // Move refusals name the rule and the filing's state.
  {
    const Answer stale = send(port,
                              {"POST", "/ops/v1/filings/marriage/1244:move",
                               "{\"to\":\"configuring\",\"expected_version\":1}"},
                              tokens["otto"]);
    BOOST_TEST(stale.status == 409, stale.body);
    const auto d = parse(stale.body);
    BOOST_TEST(str(d, "rule") == "filing.stale");
    BOOST_TEST(str(d, "filing_state") == "requested");
    const std::int64_t v = versionOf(port, "/ops/v1/filings/marriage/1244");
    const Answer illegal =
        send(port,
             {"POST", "/ops/v1/filings/marriage/1244:move",
              "{\"to\":\"online\",\"expected_version\":" + std::to_string(v) + "}"},
             tokens["otto"]);
    BOOST_TEST(illegal.status == 409, illegal.body);
    BOOST_TEST(str(parse(illegal.body), "rule") == "filing.illegal_move");
    const Answer forbidden = send(
        port,
        {"POST", "/ops/v1/filings/marriage/1244:move",
         "{\"to\":\"retired\",\"reason\":\"gone\",\"expected_version\":" + std::to_string(v) + "}"},
        tokens["otto"]);
    BOOST_TEST(forbidden.status == 403, forbidden.body);
    BOOST_TEST(str(parse(forbidden.body), "rule") == "filing.forbidden");
    const Answer bad = send(port,
                            {"POST", "/ops/v1/filings/marriage/1244:move",
                             "{\"to\":\"configuring\",\"expected_version\":\"1\"}"},
                            tokens["otto"]);
    BOOST_TEST(bad.status == 400, bad.body);
    BOOST_TEST(str(parse(bad.body), "field") == "expected_version");
  }

  // Malformed audit filters: 400 naming the parameter.
  for (const auto& [query, param] :
       std::vector<std::pair<std::string, std::string>>{{"limit=5000", "limit"},
                                                        {"limit=0", "limit"},
                                                        {"since=yesterday", "since"},
                                                        {"until=2026-13-01T00:00:00Z", "until"},
                                                        {"after=-1", "after"},
                                                        {"after=1;DROP TABLE audit_entry", "after"},
                                                        {"colour=red", "colour"},
                                                        {"actor=a&actor=b", "actor"}}) {
    const Answer a = send(port, {"GET", "/ops/v1/audit?" + query, ""}, tokens["aud"]);
    BOOST_TEST(a.status == 400, query + ": " + a.body);
    BOOST_TEST(str(parse(a.body), "field") == param, query + ": " + a.body);
  }
  {
    const Answer a = send(port, {"GET", "/ops/v1/audit/export?format=xml", ""}, tokens["aud"]);
    BOOST_TEST(a.status == 400, a.body);
  }
  // SQL-looking filters are only text.
  {
    const Answer a =
        send(port, {"GET", "/ops/v1/audit?actor=x%27%20OR%201=1--", ""}, tokens["aud"]);
    BOOST_TEST(a.status == 200, a.body);
    BOOST_TEST(parse(a.body)["entries"].Size() == 0u);
  }
  // Cursor pagination: two pages of 3 continue each other.
  {
    const auto first = parse(send(port, {"GET", "/ops/v1/audit?limit=3", ""}, tokens["aud"]).body);
    BOOST_TEST_REQUIRE(first["next_after"].IsInt64());
    const std::int64_t next = first["next_after"].GetInt64();
    const auto second =
        parse(send(port, {"GET", "/ops/v1/audit?limit=3&after=" + std::to_string(next), ""},
                   tokens["aud"])
                  .body);
    BOOST_TEST(second["entries"][0]["seq"].GetInt64() == next + 1);
  }

  // Lockout: four failures 401, the fifth 429, and then even the right password is 429.
  for (int i = 0; i < 4; ++i)
    BOOST_TEST(login(port, "victim", "not the password").status == 401);
  const Answer locked = login(port, "victim", "not the password");
  BOOST_TEST(locked.status == 429, locked.body);
  BOOST_TEST(!locked.header("retry-after").empty());
  BOOST_TEST(login(port, "victim", kPassword).status == 429);
  // An unknown name answers exactly the same way.
  for (int i = 0; i < 4; ++i) {
    const Answer a = login(port, "ghost", "not the password");
    BOOST_TEST(a.status == 401);
    BOOST_TEST(a.body.find("ghost") == std::string::npos);
  }
  BOOST_TEST(login(port, "ghost", "not the password").status == 429);
  BOOST_TEST(login(port, "", "").status == 401);
  {
    HttpClient c(port);
    BOOST_TEST(c.send("POST", "/auth/v1/login", "not json", "application/json").status == 400);
  }

  // Logout ends the token.
  {
    const std::string t = tokenOf(port, "otto");
    BOOST_TEST(send(port, {"GET", "/ops/v1/filings", ""}, t).status == 200);
    BOOST_TEST(send(port, {"POST", "/auth/v1/logout", ""}, t).status == 204);
    BOOST_TEST(send(port, {"GET", "/ops/v1/filings", ""}, t).status == 401);
  }

  // The trail holds the logins, failures, locks and refusals.
  std::map<std::string, int> actions;
  {
    const Answer a = send(port, {"GET", "/ops/v1/audit/export?format=json", ""}, tokens["aud"]);
    BOOST_TEST_REQUIRE(a.status == 200);
    const auto d = parse(a.body);
    BOOST_TEST_REQUIRE(d.IsArray());
    for (const auto& e : d.GetArray())
      ++actions[str(e, "action")];
  }
  BOOST_TEST(actions["user.create"] == 5);
  BOOST_TEST(actions["login"] >= 5);
  BOOST_TEST(actions["login.failed"] >= 8);
  BOOST_TEST(actions["login.locked"] == 2);
  BOOST_TEST(actions["logout"] == 1);
  BOOST_TEST(actions["access.refused"] == refusals);
  BOOST_TEST(actions["filing.move.refused"] >= 2);

  // The export streams past one page (1000 entries): every entry once, in seq order, in CSV
  // and in JSON. 1,100 refusals (each audited) make the trail long enough.
  {
    HttpClient c(port);
    const std::vector<std::pair<std::string, std::string>> h{
        {"Authorization", "Bearer " + tokens["aud"]}};
    for (int i = 0; i < 1100; ++i)
      BOOST_TEST_REQUIRE(c.send("GET", "/ops/v1/users", "", "", h).status == 403);
    const auto json =
        parse(send(port, {"GET", "/ops/v1/audit/export?format=json", ""}, tokens["aud"]).body);
    BOOST_TEST_REQUIRE(json.IsArray());
    BOOST_TEST(json.Size() > 1100u);
    std::int64_t expected = 1;
    for (const auto& e : json.GetArray())
      BOOST_TEST_REQUIRE(e["seq"].GetInt64() == expected++);
    const Answer csv = send(port, {"GET", "/ops/v1/audit/export?format=csv", ""}, tokens["aud"]);
    BOOST_TEST(csv.header("content-type").find("text/csv") == 0);
    std::size_t rows = 0;
    for (std::size_t at = csv.body.find("\r\n"); at != std::string::npos;
         at = csv.body.find("\r\n", at + 2))
      ++rows;
    BOOST_TEST(rows == json.Size() + 1);  // the header row
    const auto refused =
        parse(send(port, {"GET", "/ops/v1/audit/export?format=json&action=access.refused", ""},
                   tokens["aud"])
                  .body);
    BOOST_TEST(refused.Size() == static_cast<unsigned>(refusals + 1100));
  }

  // Expiry: on a gateway whose tokens live one second, a token stops working.
  BOOST_TEST(gateway.stop() == 0);
  std::ofstream(cfg) << gatewayConfig(dir.path(), 1);
  gateway.start();
  {
    const std::string t = tokenOf(gateway.port(), "aud");
    std::this_thread::sleep_for(1500ms);
    BOOST_TEST(send(gateway.port(), {"GET", "/ops/v1/filings", ""}, t).status == 401);
  }
  BOOST_TEST(gateway.stop() == 0);
  BOOST_TEST(runHuitong(dir.path(), {"audit", "verify", "--config", cfg}) == 0,
             readFile(dir.path() / "cli.err"));
}

BOOST_AUTO_TEST_SUITE_END()
