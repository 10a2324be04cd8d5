// Inspections on the real gateway and its real store (SQLite; PostgreSQL in the _postgres
// variant, whose connectivity the store check asks): POST /ops/v1/inspections runs the whole
// checklist (timed), the report as JSON, HTML and Markdown, sign-off once (audited); a backup
// made between two runs resolves the "no backup" finding in the next run (CLI `huitong inspect
// run`, exit 1 while a major finding is open); `inspect list | show | sign-off`.
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace huitong::integration {
StoreSetting freshStore(const std::filesystem::path& dir);
bool onPostgres();
}  // namespace huitong::integration

namespace {

const std::vector<std::pair<std::string, std::string>> kOps = {
    {"Authorization", "Bearer it-ops-token"}};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Cli {
  int code = -1;
  std::string out, err;
};

Cli huitongCli(const std::filesystem::path& dir, const std::string& name,
               std::vector<std::string> args) {
  args.insert(args.begin(), huitongBinary().string());
  Process p(args, dir, name);
  const int status = p.wait(120s);
  Cli c;
  c.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  c.out = readFile(p.outPath());
  c.err = readFile(p.errPath());
  return c;
}

const rapidjson::Value* findingOf(const rapidjson::Value& report, const std::string& check,
                                  const std::string& subject) {
  for (const auto& f : report["findings"].GetArray()) {
    if (std::string(f["check"].GetString()) == check &&
        std::string(f["subject"].GetString()) == subject)
      return &f;
  }
  return nullptr;
}

std::string checkStatus(const rapidjson::Value& report, const std::string& check) {
  for (const auto& c : report["checks"].GetArray()) {
    if (std::string(c["check"].GetString()) == check)
      return c["status"].GetString() + std::string(": ") + c["message"].GetString();
  }
  return "absent";
}

int serious(const rapidjson::Value& report) {
  const auto& s = report["counts"]["by_severity"];
  return s["major"].GetInt() + s["critical"].GetInt();
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_inspection_of_the_real_gateway_rechecks_its_findings) {
  TempDir dir("huitong-it-inspect");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  GatewayOptions o;
  o.store = freshStore(dir.path());
  o.platformUrl = platform.url();
  o.platformToken = platform.token();
  o.systems = {makeCredential("marriage")};
  std::string config = gatewayConfigJson(o, dir.path());
  const std::string anchor = "\"ops_token\": \"it-ops-token\",\n";
  BOOST_TEST_REQUIRE(has(config, anchor));
  config.replace(config.find(anchor), anchor.size(),
                 anchor +
                     "  \"inspection\": {\"check_timeout_seconds\": 20, \"checks\": ["
                     "{\"check\": \"disk\", \"thresholds\": {\"minor_free_percent\": 0, "
                     "\"major_free_percent\": 0, \"critical_free_percent\": 0}}]},\n");
  o.configText = config;
  GatewayProcess gateway(dir.path(), o);
  HttpClient c(gateway.port(), 120s);
  const std::string cfg = gateway.configPath().string();

  // Run 1 through the API: every check of the checklist, timed.
  const auto t0 = std::chrono::steady_clock::now();
  Answer run1 = c.send("POST", "/ops/v1/inspections", "", "", kOps);
  const double seconds = secondsSince(t0);
  std::printf("one full inspection (%s, %zu checks) through the API: %.3f s\n",
              onPostgres() ? "PostgreSQL" : "SQLite", std::size_t{11}, seconds);
  BOOST_TEST_REQUIRE(run1.status == 201, run1.body);
  BOOST_TEST(run1.header("location") == "/ops/v1/inspections/1");
  auto r1 = json::parse(run1.body);
  BOOST_TEST_REQUIRE(r1.ok());
  const auto& report1 = r1.value();
  BOOST_TEST(report1["checks"].Size() == 11u);
  BOOST_TEST(checkStatus(report1, "gateway") == "ok: ready, version 0.1.0");
  if (onPostgres())
    BOOST_TEST(has(checkStatus(report1, "store.integrity"), "ok: PostgreSQL answers"),
               checkStatus(report1, "store.integrity"));
  else
    BOOST_TEST(checkStatus(report1, "store.integrity") == "ok: quick_check: ok");
  BOOST_TEST(has(checkStatus(report1, "store.size"), "ok"), checkStatus(report1, "store.size"));
  BOOST_TEST(has(checkStatus(report1, "backlog"), "ok"), checkStatus(report1, "backlog"));
  BOOST_TEST(has(checkStatus(report1, "dead_letters"), "ok: 0 dead letters"));
  BOOST_TEST(has(checkStatus(report1, "disk"), "ok"), checkStatus(report1, "disk"));
  // No backup yet: a major finding, open.
  const rapidjson::Value* noBackup = findingOf(report1, "backup", "age");
  BOOST_TEST_REQUIRE(noBackup != nullptr, run1.body);
  BOOST_TEST(std::string((*noBackup)["severity"].GetString()) == "major");
  BOOST_TEST(std::string((*noBackup)["outcome"].GetString()) == "new");
  BOOST_TEST(serious(report1) >= 1);

  // The report as HTML (by ?format= and by Accept) and Markdown; the list.
  Answer html = c.send("GET", "/ops/v1/inspections/1?format=html", "", "", kOps);
  BOOST_TEST(html.status == 200);
  BOOST_TEST(has(html.header("content-type"), "text/html"));
  BOOST_TEST(has(html.body, "<h1>Inspection run 1</h1>"));
  BOOST_TEST(has(html.body, "No backup recorded"));
  BOOST_TEST(!has(html.body, "<script"));
  auto accept = kOps;
  accept.push_back({"Accept", "text/markdown"});
  Answer md = c.send("GET", "/ops/v1/inspections/1", "", "", accept);
  BOOST_TEST(md.status == 200);
  BOOST_TEST(has(md.body, "# Inspection run 1"));
  BOOST_TEST(has(md.body, "Signed off: **not yet**"));
  Answer list = c.send("GET", "/ops/v1/inspections", "", "", kOps);
  BOOST_TEST(list.status == 200);
  BOOST_TEST(has(list.body, "\"id\":1"), list.body);
  BOOST_TEST(c.send("GET", "/ops/v1/inspections/9", "", "", kOps).status == 404);
  BOOST_TEST(c.send("GET", "/ops/v1/inspections/1?format=pdf", "", "", kOps).status == 400);
  BOOST_TEST(c.send("GET", "/ops/v1/inspections").status == 401);

  // Sign-off once, audited.
  Answer signed1 = c.send("POST", "/ops/v1/inspections/1/sign-off",
                          "{\"note\": \"backup job to be set up\"}", "application/json", kOps);
  BOOST_TEST(signed1.status == 200, signed1.body);
  BOOST_TEST(has(signed1.body, "\"by\":\"ops-token\""), signed1.body);
  Answer again = c.send("POST", "/ops/v1/inspections/1/sign-off", "{}", "application/json", kOps);
  BOOST_TEST(again.status == 409);
  BOOST_TEST(has(again.header("content-type"), "application/problem+json"));
  Answer bad =
      c.send("POST", "/ops/v1/inspections/1/sign-off", "{\"notes\": 1}", "application/json", kOps);
  BOOST_TEST(bad.status == 422);
  Answer audit = c.send("GET", "/ops/v1/audit?action=inspection.sign_off", "", "", kOps);
  BOOST_TEST(has(audit.body, "inspection 1"), audit.body);
  Answer auditRun = c.send("GET", "/ops/v1/audit?action=inspection.run", "", "", kOps);
  BOOST_TEST(has(auditRun.body, "inspection 1"), auditRun.body);

  // A backup between the runs: the next inspection (the CLI, on the same store) finds the
  // backup finding resolved.
  Cli backup = huitongCli(dir.path(), "backup",
                          {"backup", "create", "--config", cfg, "--to",
                           (dir.path() / "backups").string(), "--actor", "li.na"});
  BOOST_TEST_REQUIRE(backup.code == 0, backup.out << backup.err);
  Cli run2 = huitongCli(dir.path(), "inspect-run", {"inspect", "run", "--config", cfg, "--json"});
  auto r2 = json::parse(run2.out);
  BOOST_TEST_REQUIRE(r2.ok(), run2.out << run2.err);
  const auto& report2 = r2.value();
  BOOST_TEST(report2["id"].GetInt() == 2);
  BOOST_TEST(run2.code == (serious(report2) > 0 ? 1 : 0), run2.err);
  const rapidjson::Value* resolved = findingOf(report2, "backup", "age");
  BOOST_TEST_REQUIRE(resolved != nullptr, run2.out);
  BOOST_TEST(std::string((*resolved)["outcome"].GetString()) == "resolved");
  BOOST_TEST((*resolved)["resolved_run"].GetInt() == 2);
  BOOST_TEST((*resolved)["first_seen_run"].GetInt() == 1);
  BOOST_TEST(report2["counts"]["resolved"].GetInt() >= 1);
  // The config listens on port 0: the CLI cannot know where to ask; the check says so and the
  // run goes on.
  BOOST_TEST(has(checkStatus(report2, "gateway"), "failed: readiness cannot be asked"),
             checkStatus(report2, "gateway"));

  // The CLI's progress lines, list, show and sign-off.
  Cli run3 = huitongCli(dir.path(), "inspect-run3", {"inspect", "run", "--config", cfg});
  BOOST_TEST(has(run3.out, "store.integrity"), run3.out);
  BOOST_TEST(has(run3.out, "run 3 finished in"), run3.out);
  BOOST_TEST((run3.code == 0 || run3.code == 1));
  Cli listed = huitongCli(dir.path(), "inspect-list", {"inspect", "list", "--config", cfg});
  BOOST_TEST(listed.code == 0);
  BOOST_TEST(has(listed.out, "ops-token"), listed.out);
  const auto page = dir.path() / "run2.html";
  Cli shown = huitongCli(
      dir.path(), "inspect-show",
      {"inspect", "show", "2", "--config", cfg, "--format", "html", "--out", page.string()});
  BOOST_TEST(shown.code == 0, shown.err);
  BOOST_TEST(has(readFile(page), "resolved in run 2"));
  Cli signed2 = huitongCli(
      dir.path(), "inspect-sign",
      {"inspect", "sign-off", "2", "--config", cfg, "--by", "li.na", "--note", "backup ok"});
  BOOST_TEST(signed2.code == 0, signed2.err);
  Cli signedAgain = huitongCli(dir.path(), "inspect-sign2",
                               {"inspect", "sign-off", "2", "--config", cfg, "--by", "li.na"});
  BOOST_TEST(signedAgain.code == 1);
  BOOST_TEST(has(signedAgain.err, "signed off by li.na"), signedAgain.err);
  Cli badUsage = huitongCli(dir.path(), "inspect-bad", {"inspect", "show", "x", "--config", cfg});
  BOOST_TEST(badUsage.code == 2);
  // The CLI runs took long enough for the server to close the idle keep-alive connection.
  Answer md2 = c.send("GET", "/ops/v1/inspections/2?format=md", "", "", kOps);
  if (md2.status == 0)
    md2 = c.send("GET", "/ops/v1/inspections/2?format=md", "", "", kOps);
  BOOST_TEST(has(md2.body, "Signed off: by li.na"), md2.body);
}
