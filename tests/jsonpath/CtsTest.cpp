// The JSONPath Compliance Test Suite (../shared/testdata/jsonpath-cts/cts.json), read at test
// time: every case must compile or be refused as the suite says, with the same values and
// normalized paths (any one of the listed orders where the order is not determined).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/jsonpath/JsonPath.h"

namespace {

using huitong::jsonpath::Node;
using huitong::jsonpath::Query;

const char* const kCtsPath = HUITONG_SOURCE_DIR "/../shared/testdata/jsonpath-cts/cts.json";

bool readFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

// One acceptable outcome: values and paths in order.
bool sameNodelist(const std::vector<Node>& got, const rapidjson::Value& values,
                  const rapidjson::Value& paths) {
  if (!values.IsArray() || got.size() != values.Size())
    return false;
  for (rapidjson::SizeType i = 0; i < values.Size(); ++i) {
    if (!(*got[i].value == values[i]))
      return false;
    if (paths.IsArray() && (i >= paths.Size() || got[i].path != paths[i].GetString()))
      return false;
  }
  return true;
}

std::string describe(const std::vector<Node>& nodes) {
  std::string s = "[";
  for (const auto& n : nodes) {
    if (s.size() > 1)
      s += ", ";
    s += n.path + " = " + huitong::json::write(*n.value);
  }
  return s + "]";
}

// Checks one case; returns an empty string on success or what went wrong.
std::string runCase(const rapidjson::Value& c) {
  const std::string selector = c["selector"].GetString();
  auto query = Query::compile(selector);
  if (c.HasMember("invalid_selector") && c["invalid_selector"].GetBool()) {
    return query.ok() ? "compiled, but the selector is invalid" : "";
  }
  if (!query.ok())
    return "refused: " + query.error().describe();
  const rapidjson::Value& doc = c["document"];
  const std::vector<Node> nodes = query.value().selectWithPaths(doc);
  std::vector<const rapidjson::Value*> fast;
  query.value().select(doc, fast);
  if (fast.size() != nodes.size())
    return "select() and selectWithPaths() disagree";
  for (std::size_t i = 0; i < fast.size(); ++i) {
    if (fast[i] != nodes[i].value)
      return "select() and selectWithPaths() disagree";
  }
  static const rapidjson::Value kNone;
  if (c.HasMember("result")) {
    const rapidjson::Value& paths = c.HasMember("result_paths") ? c["result_paths"] : kNone;
    if (sameNodelist(nodes, c["result"], paths))
      return "";
  } else {
    const rapidjson::Value& all = c["results"];
    for (rapidjson::SizeType i = 0; i < all.Size(); ++i) {
      const rapidjson::Value& paths = c.HasMember("results_paths") ? c["results_paths"][i] : kNone;
      if (sameNodelist(nodes, all[i], paths))
        return "";
    }
  }
  return "got " + describe(nodes);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cts)

BOOST_AUTO_TEST_CASE(compliance_test_suite) {
  std::string text;
  if (!readFile(kCtsPath, text)) {
    BOOST_TEST_MESSAGE("jsonpath-cts: skipped, " << kCtsPath << " not found");
    std::cout << "jsonpath-cts: skipped (" << kCtsPath << " not found)\n";
    return;
  }
  huitong::json::ParseLimits limits;
  limits.maxBytes = 64 * 1024 * 1024;
  auto suite = huitong::json::parse(text, limits);
  BOOST_REQUIRE_MESSAGE(suite.ok(), "cts.json: " << (suite.ok() ? "" : suite.error().describe()));
  const rapidjson::Value& tests = suite.value()["tests"];
  std::size_t passed = 0;
  std::size_t failed = 0;
  for (const auto& c : tests.GetArray()) {
    const std::string problem = runCase(c);
    if (problem.empty()) {
      ++passed;
    } else {
      ++failed;
      std::cout << "FAIL " << c["name"].GetString() << " | " << c["selector"].GetString() << " | "
                << problem << "\n";
    }
  }
  std::cout << "jsonpath-cts: " << passed << " passed, " << failed << " failed\n";
  BOOST_TEST(failed == 0u);
  BOOST_TEST(passed == tests.Size());
}

BOOST_AUTO_TEST_SUITE_END()
