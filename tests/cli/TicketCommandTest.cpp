// `huitong ticket`: a phone ticket entered, dispatched and shown with its SLA clocks; a major
// ticket that closes only with its analysis report (edited from a file, exported as HTML and
// Markdown); a bug that closes only with its fix; monthly compliance; exit codes 0/1/2.
#include <boost/test/unit_test.hpp>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "tests/cli/Cli.h"

using namespace huitong::cli::test;

namespace {

std::string writeConfig(const TempDir& dir) {
  return dir
      .write("gateway.json", R"({"mappings": "mappings",
  "systems": {"marriage": {"auth": "legacy", "allow_cidrs": ["127.0.0.1/32"]}},
  "store": {"kind": "sqlite", "path": "gateway.db"},
  "faults": {"groups": [{"name": "app", "members": ["wang", "li"]}], "default_group": "app",
             "sla": {"warning_percent": 80}}})")
      .string();
}

std::vector<std::string> with(std::vector<std::string> args, const std::string& cfg) {
  for (const char* a : {"--config", "--actor", "li", "--role", "operator"})
    args.push_back(a);
  args.insert(args.end() - 4, cfg);
  return args;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ticket_command)

BOOST_AUTO_TEST_CASE(tickets_reports_and_compliance_from_the_command_line) {
  TempDir dir;
  const std::string cfg = writeConfig(dir);
  // The database exists once an account was made (as for every registry verb).
  auto o = runHuitong({"user", "create", "--config", cfg, "--name", "li", "--role", "operator"},
                      "correct horse battery staple\n");
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));

  // The call came two minutes ago: the SLA clocks count from it (docs/faults.md).
  const std::string calledAt = huitong::formatRfc3339(huitong::SystemClock().now() - 120'000);
  o = runHuitong(with({"ticket", "create", "--channel", "phone", "--caller", "张三", "--number",
                       "010-12345678", "--called-at", calledAt, "--system", "marriage", "--item",
                       "1244", "--description", "全省婚姻登记交换中断", "--severity", "major"},
                      cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("T-") == 0u, o.out);
  BOOST_TEST(o.out.find("app/") != std::string::npos, o.out);
  const std::string id = o.out.substr(0, o.out.find('\t'));

  // Bad input: the phone caller missing (the field named), an unknown type.
  o = runHuitong(with({"ticket", "create", "--channel", "phone", "--description", "x"}, cfg));
  BOOST_TEST(o.exitCode == 2, describe(o));
  BOOST_TEST(o.err.find("reporter") != std::string::npos, o.err);
  o = runHuitong(
      with({"ticket", "create", "--channel", "api", "--description", "x", "--type", "disk"}, cfg));
  BOOST_TEST(o.exitCode == 2, describe(o));
  BOOST_TEST(o.err.find("application|database") != std::string::npos, o.err);

  o = runHuitong(with({"ticket", "list", "--open"}, cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find(id) != std::string::npos, o.out);
  BOOST_TEST(o.out.find("sla ") != std::string::npos, o.out);

  for (const char* to : {"in_progress", "resolved"}) {
    o = runHuitong(with({"ticket", "status", id, "--to", to}, cfg));
    BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  }
  BOOST_TEST(runHuitong(with({"ticket", "comment", id, "--text", "前置机磁盘满"}, cfg)).exitCode ==
             0);
  // Closing without the report: refused (1), saying how to write it.
  o = runHuitong(with({"ticket", "status", id, "--to", "closed"}, cfg));
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.err.find("ticket.report_required") != std::string::npos, o.err);
  BOOST_TEST(o.err.find("--edit FILE") != std::string::npos, o.err);

  // The pre-filled report as JSON, then a person's edit (a bad date named with the file).
  o = runHuitong(with({"ticket", "report", id}, cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  auto prefilled = huitong::json::parse(o.out);
  BOOST_TEST_REQUIRE(prefilled.ok(), o.out);
  BOOST_TEST(prefilled.value()["process"].Size() >= 4u);
  const auto bad = dir.write("bad.json", R"({"improvements": [{"action": "a", "owner": "b",
      "due": "2026-02-30"}]})");
  o = runHuitong(with({"ticket", "report", id, "--edit", bad.string()}, cfg));
  BOOST_TEST(o.exitCode == 2, describe(o));
  BOOST_TEST(o.err.find("improvements[1].due") != std::string::npos, o.err);
  const auto partial = dir.write("partial.json", R"({"cause": "日志未轮转，磁盘写满"})");
  o = runHuitong(with({"ticket", "report", id, "--edit", partial.string()}, cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("still missing: measures") != std::string::npos, o.out);
  const auto full = dir.write("full.json", R"({"measures": "清理日志 <b>重启</b>",
      "improvements": [{"action": "日志按天轮转", "owner": "wang", "due": "2026-12-10"}]})");
  o = runHuitong(with({"ticket", "report", id, "--edit", full.string()}, cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("complete") != std::string::npos, o.out);
  const std::string html = (dir.path() / "report.html").string();
  const std::string md = (dir.path() / "report.md").string();
  BOOST_TEST(runHuitong(with({"ticket", "report", id, "--html", html}, cfg)).exitCode == 0);
  BOOST_TEST(runHuitong(with({"ticket", "report", id, "--markdown", md}, cfg)).exitCode == 0);
  BOOST_TEST(readFile(html).find("&lt;b&gt;重启") != std::string::npos);
  BOOST_TEST(readFile(html).find("日志未轮转") != std::string::npos);
  BOOST_TEST(readFile(md).find("日志按天轮转") != std::string::npos);
  o = runHuitong(with({"ticket", "status", id, "--to", "closed"}, cfg));
  BOOST_TEST(o.exitCode == 0, describe(o));

  o = runHuitong(with({"ticket", "show", id}, cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("SLA clocks") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("major_report") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("resolution\tmet") != std::string::npos, o.out);

  // The improvement is a follow-up task: listed, closed with a note; the report is listed.
  o = runHuitong(with({"ticket", "follow-ups"}, cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find(id + "/1\t2026-12-10\t") != std::string::npos, o.out);
  BOOST_TEST(runHuitong(with({"ticket", "follow-ups", "--close", id}, cfg)).exitCode == 2);
  BOOST_TEST(runHuitong(with({"ticket", "follow-ups", "--status", "late"}, cfg)).exitCode == 2);
  o = runHuitong(with({"ticket", "follow-ups", "--close", id + "/1", "--note", "已按天轮转"}, cfg));
  BOOST_TEST(o.exitCode == 0, describe(o));
  o = runHuitong(with({"ticket", "follow-ups", "--close", id + "/1", "--note", "again"}, cfg));
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.err.find("followup.closed") != std::string::npos, o.err);
  o = runHuitong(with({"ticket", "follow-ups", "--status", "closed", "--json"}, cfg));
  BOOST_TEST(o.out.find("已按天轮转") != std::string::npos, o.out);
  o = runHuitong(with({"ticket", "major-reports"}, cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find(id + "\t") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("\tcomplete\t") != std::string::npos, o.out);

  // A bug: closed only with documentation and a link to the fix.
  o = runHuitong(with({"ticket", "create", "--channel", "api", "--system", "marriage",
                       "--description", "日期格式错误", "--type", "bug"},
                      cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  const std::string bug = o.out.substr(0, o.out.find('\t'));
  BOOST_TEST(runHuitong(with({"ticket", "status", bug, "--to", "resolved"}, cfg)).exitCode == 0);
  o = runHuitong(with({"ticket", "status", bug, "--to", "closed"}, cfg));
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.err.find("fix.documentation") != std::string::npos, o.err);
  BOOST_TEST(runHuitong(with({"ticket", "fix", bug, "--documentation", "日期改为 yyyyMMdd",
                              "--commit", "9f3c2ab"},
                             cfg))
                 .exitCode == 0);
  BOOST_TEST(runHuitong(with({"ticket", "status", bug, "--to", "closed"}, cfg)).exitCode == 0);

  o = runHuitong(with({"ticket", "compliance", "--month", "2026-11", "--json"}, cfg));
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  auto rows = huitong::json::parse(o.out);
  BOOST_TEST_REQUIRE((rows.ok() && rows.value().IsArray()), o.out);
  BOOST_TEST(rows.value().Size() > 0u);
  BOOST_TEST(runHuitong(with({"ticket", "compliance", "--month", "2026-13"}, cfg)).exitCode == 2);

  // Usage and access: an auditor reads but does not change; exit codes.
  BOOST_TEST(runHuitong({"ticket", "--help"}).exitCode == 0);
  BOOST_TEST(runHuitong({"ticket"}).exitCode == 2);
  BOOST_TEST(runHuitong(with({"ticket", "frobnicate"}, cfg)).exitCode == 2);
  BOOST_TEST(runHuitong(with({"ticket", "show"}, cfg)).exitCode == 2);
  BOOST_TEST(runHuitong(with({"ticket", "show", "T-2026-999999"}, cfg)).exitCode == 1);
  o = runHuitong({"ticket", "comment", id, "--config", cfg, "--actor", "a", "--role", "auditor",
                  "--text", "x"});
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(
      runHuitong({"ticket", "show", id, "--config", cfg, "--actor", "a", "--role", "auditor"})
          .exitCode == 0);
  BOOST_TEST(runHuitong({"ticket", "list", "--config", (dir.path() / "none.json").string(),
                         "--actor", "li", "--role", "operator"})
                 .exitCode == 2);
}

BOOST_AUTO_TEST_SUITE_END()
