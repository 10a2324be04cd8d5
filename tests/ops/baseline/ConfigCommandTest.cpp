// `huitong config` as an operator runs it: record a baseline after the install, edit a mapping,
// check (the diff with path:line, exit 1), approve with a note, check again (clean, exit 0),
// the change record listed and both actions on the audit trail; bad usage exits 2. Also the
// time to record and check a baseline of the repository's mappings folder.
#define BOOST_TEST_MODULE ops_baseline_cli
#include <sys/stat.h>

#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "tests/cli/Cli.h"

namespace fs = std::filesystem;
using huitong::cli::test::describe;
using huitong::cli::test::Outcome;
using huitong::cli::test::runHuitong;
using huitong::cli::test::TempDir;

namespace {

std::string mapping(const std::string& field10) {
  std::string s = "{\n  \"system\": \"marriage\",\n  \"fields\": [\n";
  for (int i = 0; i < 20; ++i)
    s += "    {\"target\": \"f" + std::to_string(i) + "\", \"from\": \"$." +
         (i == 10 ? field10 : "a" + std::to_string(i)) + "\"},\n";
  return s + "    {\"target\": \"end\", \"const\": 1}\n  ]\n}\n";
}

std::string setup(const TempDir& dir, const std::string& mappings) {
  fs::create_directories(dir.path() / "var");
  ::chmod((dir.path() / "var").c_str(), 0750);
  const auto cfg = dir.write("gateway.json", R"({"mode": "production", "mappings": ")" + mappings +
                                                 R"(",
  "ops_token": "a-long-random-operator-token-0123456789",
  "systems": {"marriage": {"auth": "legacy", "allow_cidrs": ["127.0.0.1/32"]}},
  "store": {"kind": "sqlite", "path": "var/huitong.db"}}
)");
  ::chmod(cfg.c_str(), 0600);
  return cfg.string();
}

}  // namespace

BOOST_AUTO_TEST_CASE(record_edit_check_approve_check) {
  TempDir dir;
  dir.write("mappings/marriage/mapping.json", mapping("a10"));
  const auto cfg = setup(dir, "mappings");

  auto o = runHuitong({"config", "baseline", "record", "--config", cfg, "--by", "li.na", "--note",
                       "after the install"});
  BOOST_REQUIRE_MESSAGE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("baseline #1 recorded") != std::string::npos, o.out);

  o = runHuitong({"config", "check", "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o) << o.out);
  BOOST_TEST(o.out.find("no drift, settings safe") != std::string::npos, o.out);

  dir.write("mappings/marriage/mapping.json", mapping("marriage_date"));
  o = runHuitong({"config", "check", "--config", cfg});
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.out.find("changed mappings/marriage/mapping.json (mapping)") != std::string::npos,
             o.out);
  BOOST_TEST(o.out.find("@@ -11,7 +11,7 @@ mappings/marriage/mapping.json:14") != std::string::npos,
             o.out);
  BOOST_TEST(
      o.out.find("+    {\"target\": \"f10\", \"from\": \"$.marriage_date\"},") != std::string::npos,
      o.out);
  BOOST_TEST(o.out.find("DRIFT") != std::string::npos, o.out);

  o = runHuitong({"config", "check", "--config", cfg, "--json"});
  BOOST_TEST(o.exitCode == 1);
  BOOST_TEST(o.out.find("\"drifted\":true") != std::string::npos, o.out);

  o = runHuitong({"config", "approve", "--config", cfg, "--by", "li.na", "--note",
                  "marriage date from the new field (ticket T-2026-000042)", "--kind",
                  "optimisation"});
  BOOST_REQUIRE_MESSAGE(o.exitCode == 0, describe(o) << o.out);
  BOOST_TEST(o.out.find("change #1 (optimisation) recorded: 1 file changed (+1 -1 lines)") !=
                 std::string::npos,
             o.out);

  o = runHuitong({"config", "check", "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o) << o.out);
  BOOST_TEST(o.out.find("baseline #2") != std::string::npos, o.out);

  o = runHuitong({"config", "approve", "--config", cfg, "--by", "li.na", "--note", "again"});
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.out.find("nothing to approve") != std::string::npos, o.out);

  o = runHuitong({"config", "changes", "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o));
  BOOST_TEST(
      o.out.find("optimisation by li.na: marriage date from the new field") != std::string::npos,
      o.out);
  BOOST_TEST(o.out.find("changed mappings/marriage/mapping.json") != std::string::npos, o.out);
  o = runHuitong({"config", "changes", "--config", cfg, "--json"});
  BOOST_TEST(o.out.find("\"baseline_before\":1,\"baseline_after\":2") != std::string::npos, o.out);

  o = runHuitong({"audit", "query", "--config", cfg, "--action", "config.change.approve"});
  BOOST_TEST(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("li.na") != std::string::npos, o.out);
  o = runHuitong({"audit", "query", "--config", cfg, "--action", "config.baseline.record"});
  BOOST_TEST(o.out.find("config baseline #1") != std::string::npos, o.out);
  o = runHuitong({"audit", "verify", "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o));

  // A secret at 0644: unsafe, exit 1 although nothing drifted... after approving the mode too.
  ::chmod(cfg.c_str(), 0644);
  o = runHuitong({"config", "check", "--config", cfg});
  BOOST_TEST(o.exitCode == 1);
  BOOST_TEST(o.out.find("perm.secret_mode:") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("chmod 600") != std::string::npos, o.out);
}

BOOST_AUTO_TEST_CASE(bad_usage_exits_2) {
  TempDir dir;
  const auto cfg = setup(dir, "mappings");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"config"},
        {"config", "frobnicate"},
        {"config", "baseline", "record", "--config", cfg},
        {"config", "baseline", "record", "--config", cfg, "--by", "x"},
        {"config", "approve", "--config", cfg, "--by", "x", "--note", "y", "--kind", "z"},
        {"config", "check"},
        {"config", "check", "--config", (dir.path() / "none.json").string()},
        {"config", "changes", "--config", cfg, "--month", "2026-13"}}) {
    const Outcome o = runHuitong(args);
    std::string joined;
    for (const auto& a : args)
      joined += a + " ";
    BOOST_TEST(o.exitCode == 2, joined << ": " << describe(o));
    BOOST_TEST(!o.err.empty(), joined);
  }
  // No baseline yet: the check says so and fails.
  const Outcome o =
      runHuitong({"config", "baseline", "record", "--config", cfg, "--by", "x", "--note", "y"});
  BOOST_TEST(o.exitCode == 0, describe(o));
}

BOOST_AUTO_TEST_CASE(check_time_over_the_repository_mappings) {
  TempDir dir;
  const auto mappings = (fs::path(HUITONG_SOURCE_DIR) / "mappings").string();
  const auto cfg = setup(dir, mappings);
  auto o = runHuitong(
      {"config", "baseline", "record", "--config", cfg, "--by", "bench", "--note", "timing"});
  BOOST_REQUIRE_MESSAGE(o.exitCode == 0, describe(o));
  const double record = o.seconds;
  o = runHuitong({"config", "check", "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o) << o.out);
  BOOST_TEST_MESSAGE("repository mappings: " << o.out.substr(0, o.out.find('\n')) << "; record "
                                             << record << " s, check " << o.seconds << " s");
  BOOST_TEST(o.seconds < 10.0);
}
