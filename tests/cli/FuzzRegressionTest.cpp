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
// Includes the number-rounding finding (number-rounding*.json), fixed by parsing with full
// precision.
BOOST_AUTO_TEST_CASE(json_round_trip) {
  const auto files = regressions("fuzz_json");
  BOOST_TEST_REQUIRE(!files.empty());
  for (const auto& f : files) {
    const std::string text = readFile(f);
    BOOST_TEST_CONTEXT(f.string()) {
      auto doc = json::parse(text);
      std::string written;
      if (doc.ok()) {
        written = json::write(doc.value());
        auto again = json::parse(written);
        BOOST_TEST(again.ok(),
                   "its own output is refused: " << (again.ok() ? "" : again.error().describe()));
        // Numbers are read correctly rounded, so a write/read cycle changes nothing.
        if (again.ok()) {
          BOOST_TEST(json::write(again.value()) == written);
        }
      }
      // The binary either refuses the document or prints JSON that reads back to it.
      const auto o = runHuitong({"jsonpath", "$", f.string()});
      BOOST_TEST_INFO(describe(o));
      BOOST_TEST(o.signal == 0);
      BOOST_TEST((o.exitCode == 0 || o.exitCode == 2));
      if (o.exitCode == 0) {
        auto printed = json::parse(o.out);
        BOOST_TEST(printed.ok(), "huitong jsonpath printed unreadable JSON: "
                                     << (printed.ok() ? "" : printed.error().describe()));
        if (printed.ok() && doc.ok()) {
          BOOST_TEST(json::write(printed.value()) == "[" + written + "]");
        }
      }
    }
  }
}

// fuzz_json, minimized: the nearest double to 46684466846846466846 is 0x1.43f045a04b646p+65,
// written 46684466846846470000.0; reading that text must give the same double again.
BOOST_AUTO_TEST_CASE(long_numbers_are_correctly_rounded) {
  for (const char* text : {"46684466846846466846", "46684466846846470000.0"}) {
    auto doc = json::parse(text);
    BOOST_TEST_REQUIRE(doc.ok());
    BOOST_TEST_INFO(text);
    BOOST_TEST(doc.value().GetDouble() == 0x1.43f045a04b646p+65);
  }
  auto big = json::parse("-237462374673276894279832749832423479823246327846");
  BOOST_TEST_REQUIRE(big.ok());
  BOOST_TEST(big.value().GetDouble() == -237462374673276894279832749832423479823246327846.0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace huitong::cli::test
