// `huitong user`: the first admin made before the gateway ever ran (the database created),
// passwords only from standard input and refused when weak, role/system rules, list,
// set-password, disable — and every change an audit entry by cli:<os user> on a chain that
// still verifies.
#include <boost/test/unit_test.hpp>

#include "tests/cli/Cli.h"

using namespace huitong::cli::test;

namespace {

std::string writeConfig(const TempDir& dir) {
  return dir
      .write("gateway.json", R"({"mappings": "mappings",
  "systems": {"marriage": {"auth": "legacy", "allow_cidrs": ["127.0.0.1/32"]}},
  "store": {"kind": "sqlite", "path": "gateway.db"}})")
      .string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(user_command)

BOOST_AUTO_TEST_CASE(create_list_set_password_disable_all_audited) {
  TempDir dir;
  const std::string cfg = writeConfig(dir);
  auto o = runHuitong({"user", "create", "--config", cfg, "--name", "root", "--role", "admin"},
                      "correct horse battery staple\n");
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(std::filesystem::exists(dir.path() / "gateway.db"));

  o = runHuitong({"user", "create", "--config", cfg, "--name", "root", "--role", "admin"},
                 "correct horse battery staple\n");
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.err.find("staff.exists") != std::string::npos, o.err);

  o = runHuitong({"user", "create", "--config", cfg, "--name", "op", "--role", "operator"},
                 "too short\n");
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.err.find("staff.weak_password") != std::string::npos, o.err);

  o = runHuitong({"user", "create", "--config", cfg, "--name", "dept", "--role", "department"},
                 "a long enough password\n");
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.err.find("staff.invalid") != std::string::npos, o.err);

  o = runHuitong({"user", "create", "--config", cfg, "--name", "dept", "--role", "department",
                  "--system", "marriage"},
                 "a long enough password\n");
  BOOST_TEST(o.exitCode == 0, describe(o));

  o = runHuitong({"user", "create", "--config", cfg, "--name", "dept", "--role", "department",
                  "--system", "marriag"},
                 "a long enough password\n");
  BOOST_TEST(o.exitCode == 1, describe(o));
  BOOST_TEST(o.err.find("no system 'marriag'") != std::string::npos, o.err);

  o = runHuitong({"user", "create", "--config", cfg, "--name", "x", "--role", "superuser"},
                 "a long enough password\n");
  BOOST_TEST(o.exitCode == 2, describe(o));

  o = runHuitong({"user", "list", "--config", cfg});
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out == "dept\tdepartment\tmarriage\tactive\nroot\tadmin\t-\tactive\n", o.out);
  BOOST_TEST(o.out.find("pbkdf2") == std::string::npos);

  o = runHuitong({"user", "set-password", "--config", cfg, "--name", "dept"},
                 "another long password\n");
  BOOST_TEST(o.exitCode == 0, describe(o));
  o = runHuitong({"user", "set-password", "--config", cfg, "--name", "nobody"},
                 "another long password\n");
  BOOST_TEST(o.exitCode == 1, describe(o));
  o = runHuitong({"user", "disable", "--config", cfg, "--name", "dept"});
  BOOST_TEST(o.exitCode == 0, describe(o));
  o = runHuitong({"user", "list", "--config", cfg});
  BOOST_TEST(o.out.find("dept\tdepartment\tmarriage\tdisabled\n") != std::string::npos, o.out);

  o = runHuitong({"audit", "query", "--config", cfg, "--format", "csv"});
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("user.create") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("user.password") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("user.disable") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("cli:") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("pbkdf2") == std::string::npos);
  o = runHuitong({"audit", "verify", "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o));
}

BOOST_AUTO_TEST_CASE(usage) {
  TempDir dir;
  const std::string cfg = writeConfig(dir);
  BOOST_TEST(runHuitong({"user", "--help"}).exitCode == 0);
  BOOST_TEST(runHuitong({"user"}).exitCode == 2);
  BOOST_TEST(runHuitong({"user", "frobnicate", "--config", cfg}).exitCode == 2);
  BOOST_TEST(runHuitong({"user", "create", "--config", cfg, "--role", "admin"}).exitCode == 2);
  // Only `create` makes a database; a mistyped config path is not an empty account list.
  BOOST_TEST(runHuitong({"user", "list", "--config", cfg}).exitCode == 2);
}

BOOST_AUTO_TEST_SUITE_END()
