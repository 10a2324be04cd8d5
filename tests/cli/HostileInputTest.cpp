// Hostile corpora through the real binary: every JSON document JSONTestSuite says must be
// refused, and every XML attack, ends the process with an exit code (never a signal), a
// message, and within 2 s. Skipped when ../shared is missing.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/cli/Cli.h"

namespace fs = std::filesystem;

namespace huitong::cli::test {
namespace {

constexpr double kSecondsPerFile = 2.0;

std::vector<fs::path> filesUnder(const fs::path& dir, const std::string& prefix,
                                 const std::string& extension) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) {
    return out;
  }
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.compare(0, prefix.size(), prefix) == 0 &&
        (extension.empty() || e.path().extension() == extension)) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_input, *boost::unit_test::precondition(haveShared))

BOOST_AUTO_TEST_CASE(json_test_suite_n_files_exit_2_through_map) {
  const auto files =
      filesUnder(sharedDir() / "testdata" / "JSONTestSuite" / "test_parsing", "n_", "");
  BOOST_TEST_REQUIRE(files.size() > 100u);
  for (const auto& f : files) {
    const auto o = runHuitong({"map", "--system", "marriage", "--input", f.string(), "--now",
                               "2026-11-28T12:00:00+08:00"},
                              "", std::chrono::seconds(20));
    BOOST_TEST_CONTEXT(f.filename().string() << ": " << describe(o)) {
      BOOST_TEST(o.signal == 0);
      BOOST_TEST(!o.timedOut);
      BOOST_TEST(o.exitCode == 2);
      BOOST_TEST(o.err.find("huitong map: ") != std::string::npos);
      BOOST_TEST(o.seconds < kSecondsPerFile);
    }
  }
}

BOOST_AUTO_TEST_CASE(xml_attacks_exit_1_or_2_through_map) {
  const auto files = filesUnder(sharedDir() / "testdata" / "xml-attacks", "", ".xml");
  BOOST_TEST_REQUIRE(!files.empty());
  for (const auto& f : files) {
    const auto o = runHuitong({"map", "--system", "elderly-subsidy", "--input", f.string(), "--now",
                               "2026-11-28T12:00:00+08:00"},
                              "", std::chrono::seconds(20));
    BOOST_TEST_CONTEXT(fs::relative(f, sharedDir()).string() << ": " << describe(o)) {
      BOOST_TEST(o.signal == 0);
      BOOST_TEST(!o.timedOut);
      BOOST_TEST((o.exitCode == 1 || o.exitCode == 2));
      BOOST_TEST((!o.err.empty() || !o.out.empty()));
      BOOST_TEST(o.seconds < kSecondsPerFile);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace huitong::cli::test
