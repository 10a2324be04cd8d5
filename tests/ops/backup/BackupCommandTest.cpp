// `huitong backup` as the operator runs it: the real binary on a temp config — create
// (encrypted), verify, list --json, restore refused without --yes, a damaged file caught with
// exit 1, a wrong config key refused with file:line and exit 2.
#define BOOST_TEST_MODULE ops_backup_cli
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "gateway/core/Json.h"
#include "tests/cli/Cli.h"

using namespace huitong::cli::test;

namespace {
std::string config(const TempDir& dir, const std::string& backupBlock) {
  dir.write("mappings/.keep", "");
  dir.write("backup.key", "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=\n");
  return dir
      .write("gateway.json", R"({"mappings": "mappings", "systems": {},
  "store": {"kind": "sqlite", "path": "gateway.db"}, "backup": )" +
                                 backupBlock + "}")
      .string();
}
}  // namespace

BOOST_AUTO_TEST_CASE(create_verify_list_restore_from_the_command_line) {
  TempDir dir;
  const std::string cfg = config(dir, R"({"dir": "backups", "encryption_key_file": "backup.key"})");
  auto o = runHuitong({"user", "create", "--config", cfg, "--name", "li", "--role", "operator"},
                      "correct horse battery staple\n");
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));

  o = runHuitong({"backup", "create", "--config", cfg, "--json"});
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  auto created = huitong::json::parse(o.out);
  BOOST_TEST_REQUIRE(created.ok());
  BOOST_TEST(created.value()["ok"].GetBool());
  BOOST_TEST(created.value()["encrypted"].GetBool());
  const std::string id = created.value()["id"].GetString();
  BOOST_TEST(o.err.find("online snapshot") != std::string::npos);

  o = runHuitong({"backup", "verify", id, "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("restore test ok") != std::string::npos, o.out);

  o = runHuitong({"backup", "restore", id, "--config", cfg});
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find("--yes") != std::string::npos);

  const std::string payload = created.value()["path"].GetString();
  {
    std::fstream f((dir.path() / payload).string(),
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(500);
    f.put('\x7f');
  }
  o = runHuitong({"backup", "verify", id, "--config", cfg});
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.out.find("does not match the manifest") != std::string::npos, o.out);

  o = runHuitong({"backup", "list", "--config", cfg, "--json"});
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  auto list = huitong::json::parse(o.out);
  BOOST_TEST_REQUIRE(list.ok());
  BOOST_TEST_REQUIRE(list.value().Size() == 3u);
  BOOST_TEST(list.value()[1]["restore_test"]["ok"].GetBool());
  BOOST_TEST(!list.value()[2]["ok"].GetBool());

  o = runHuitong({"audit", "verify", "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o));
}

BOOST_AUTO_TEST_CASE(bad_usage_and_config_exit_2) {
  TempDir dir;
  const std::string cfg = config(dir, R"({"dir": "backups", "keep": {"cuont": 3}})");
  auto o = runHuitong({"backup", "create", "--config", cfg});
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find("gateway.json:") != std::string::npos, o.err);
  BOOST_TEST(o.err.find("cuont") != std::string::npos, o.err);
  BOOST_TEST(runHuitong({"backup", "frobnicate"}).exitCode == 2);
  BOOST_TEST(runHuitong({"backup", "--help"}).exitCode == 0);
}
