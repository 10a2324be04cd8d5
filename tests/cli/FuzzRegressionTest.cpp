// Inputs the fuzz targets failed on (tests/fuzz/regressions/<target>/), replayed in the
// normal build: the property the target checks, and the real binary on the same input.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/cli/Cli.h"

namespace fs = std::filesystem;

namespace huitong::cli::test {
namespace {

std::vector<fs::path> regressions(const std::string& target) {
  std::vector<fs::path> out;
  const fs::path dir = fs::path("tests") / "fuzz" / "regressions" / target;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file()) {
        out.push_back(e.path());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fuzz_regressions)

// fuzz_json: whatever json::parse accepts, json::write writes back as text it accepts again.
BOOST_AUTO_TEST_CASE(json_round_trip) {
  const auto files = regressions("fuzz_json");
  BOOST_TEST_REQUIRE(!files.empty());
  for (const auto& f : files) {
    const std::string text = readFile(f);
    BOOST_TEST_CONTEXT(f.string()) {
      auto doc = json::parse(text);
      if (doc.ok()) {
        const std::string written = json::write(doc.value());
        auto again = json::parse(written);
        BOOST_TEST(again.ok(),
                   "its own output is refused: " << (again.ok() ? "" : again.error().describe()));
      }
      // The binary either refuses the document or prints JSON that reads back.
      const auto o = runHuitong({"jsonpath", "$", f.string()});
      BOOST_TEST_INFO(describe(o));
      BOOST_TEST(o.signal == 0);
      BOOST_TEST((o.exitCode == 0 || o.exitCode == 2));
      if (o.exitCode == 0) {
        auto printed = json::parse(o.out);
        BOOST_TEST(printed.ok(), "huitong jsonpath printed unreadable JSON: "
                                     << (printed.ok() ? "" : printed.error().describe()));
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace huitong::cli::test
