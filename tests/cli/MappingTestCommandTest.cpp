// `huitong mapping test`: the repository's mappings pass; a mapping that does not compile is
// exit 2 naming file:line:column; a failing embedded case is exit 1 with what differed.
#include <filesystem>
#include <regex>
#include <string>

#include <boost/test/unit_test.hpp>

#include "tests/cli/Cli.h"

namespace fs = std::filesystem;

namespace huitong::cli::test {
namespace {

// A copy of mappings/ in a temp dir, to break one file of.
void copyMappings(const TempDir& dir) {
  fs::copy("mappings", dir.path() / "mappings", fs::copy_options::recursive);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mapping_test_command)

BOOST_AUTO_TEST_CASE(repository_mappings_pass) {
  const auto o = runHuitong({"mapping", "test"});
  BOOST_TEST_INFO(describe(o) << " stdout: " << o.out);
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(std::regex_search(o.out, std::regex("\n[1-9][0-9]* passed, 0 failed\n$")));
  BOOST_TEST(o.out.find("FAIL") == std::string::npos);
  for (const char* system : {"marriage", "elderly-subsidy", "funeral", "social-assistance"}) {
    BOOST_TEST_INFO(system);
    BOOST_TEST(o.out.find(std::string("ok    ") + system + " v") != std::string::npos);
  }
  const auto explicitDir = runHuitong({"mapping", "test", "mappings", "--system", "marriage"});
  BOOST_TEST(explicitDir.exitCode == 0);
  BOOST_TEST(explicitDir.out.find("funeral") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(broken_mapping_exits_2_with_file_line_column) {
  TempDir dir;
  copyMappings(dir);
  const auto file = dir.path() / "mappings" / "marriage" / "mapping.json";
  std::string text = readFile(file);
  // Line 3 becomes an unknown top-level key, the 3rd character its opening quote.
  const auto secondLineEnd = text.find('\n', text.find('\n') + 1);
  text.insert(secondLineEnd + 1, "  \"versoin\": \"1\",\n");
  dir.write("mappings/marriage/mapping.json", text);
  const auto o = runHuitong({"mapping", "test", (dir.path() / "mappings").string()});
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find(file.string() + ":3:3") != std::string::npos);
  BOOST_TEST(o.err.find("versoin") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_mapping_json_exits_2_with_file_line_column) {
  TempDir dir;
  copyMappings(dir);
  const auto file =
      dir.write("mappings/funeral/mapping.json", "{\n  \"system\": \"funeral\",\n  oops\n}\n");
  const auto o = runHuitong({"mapping", "test", (dir.path() / "mappings").string()});
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find(file.string() + ":3:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(failing_embedded_test_exits_1_and_says_what_differed) {
  TempDir dir;
  fs::create_directories(dir.path() / "mappings");
  fs::copy("mappings/marriage", dir.path() / "mappings" / "marriage", fs::copy_options::recursive);
  const auto file = dir.path() / "mappings" / "marriage" / "mapping.json";
  std::string text = readFile(file);
  const std::string expected = "marriage:HY2026110300007:accept:1:v1";
  const auto at = text.find(expected);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  text.replace(at, expected.size(), "marriage:SOMETHING-ELSE:accept:1:v1");
  dir.write("mappings/marriage/mapping.json", text);
  const auto o = runHuitong({"mapping", "test", (dir.path() / "mappings").string()});
  BOOST_TEST_INFO(describe(o) << " stdout: " << o.out);
  BOOST_TEST(o.exitCode == 1);
  BOOST_TEST(o.out.find("FAIL  marriage v1: a divorce accepted at the window by a clerk") !=
             std::string::npos);
  BOOST_TEST(o.out.find("SOMETHING-ELSE") != std::string::npos);
  BOOST_TEST(std::regex_search(o.out, std::regex("\n[1-9][0-9]* passed, 1 failed\n$")));
}

BOOST_AUTO_TEST_CASE(missing_directory_and_bad_usage_exit_2) {
  BOOST_TEST(runHuitong({"mapping", "test", "/nonexistent/mappings"}).exitCode == 2);
  BOOST_TEST(runHuitong({"mapping", "test", "a", "b"}).exitCode == 2);
  BOOST_TEST(runHuitong({"mapping", "test", "--bogus"}).exitCode == 2);
  BOOST_TEST(runHuitong({"mapping"}).exitCode == 2);
  BOOST_TEST(runHuitong({"mapping", "frobnicate"}).exitCode == 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace huitong::cli::test
