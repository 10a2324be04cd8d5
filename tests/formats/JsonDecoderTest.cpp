#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/formats/Decode.h"
#include "tests/formats/SharedData.h"

namespace fs = std::filesystem;
using huitong::formats::decodeJson;
using huitong::formats::JsonOptions;
using huitong::formats::test::haveShared;
using huitong::formats::test::readFile;
using huitong::formats::test::sharedDir;

BOOST_AUTO_TEST_SUITE(json_decoder)

BOOST_AUTO_TEST_CASE(decodes_utf8_and_declared_charsets) {
  auto r = decodeJson(R"({"name":"刘䶮","n":[1,2]})", JsonOptions{});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(std::string(r.value()["name"].GetString()) == "刘䶮");
  JsonOptions gb;
  gb.charset = "GB18030";
  r = decodeJson("{\"name\":\"\xC1\xF5\xFE\x9F\"}", gb);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(std::string(r.value()["name"].GetString()) == "刘䶮");
  r = decodeJson("{\"name\":\"\xFF\"}", gb);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.undecodable");
  gb.charset = "EBCDIC-XX-NONE";
  r = decodeJson("{}", gb);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.unknown");
}

BOOST_AUTO_TEST_CASE(limits_apply) {
  JsonOptions o;
  o.maxBytes = 10;
  auto r = decodeJson(R"({"a":"0123456789"})", o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "json.too_large");
  o = JsonOptions{};
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  r = decodeJson(deep, o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "json.too_deep");
  o.maxDepth = 2;
  BOOST_TEST(decodeJson("[[1]]", o).ok());
  BOOST_TEST(!decodeJson("[[[1]]]", o).ok());
  r = decodeJson(std::string("123\0", 4), JsonOptions{});  // RapidJSON would stop at the NUL
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "json.syntax");
  r = decodeJson("{\n\"a\": tru }", JsonOptions{});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "json.syntax");
  BOOST_TEST(r.error().path.find("line 2") == 0u);
}

BOOST_AUTO_TEST_CASE(json_test_suite, *boost::unit_test::precondition(haveShared)) {
  const fs::path dir = sharedDir() / "testdata" / "JSONTestSuite" / "test_parsing";
  BOOST_REQUIRE(fs::is_directory(dir));
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  int y = 0, yOk = 0, n = 0, nRejected = 0, i = 0, iOk = 0;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    const auto start = std::chrono::steady_clock::now();
    auto r = decodeJson(readFile(f), JsonOptions{});
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    BOOST_TEST(ms < 5000,
               name << " took " << ms << " ms");  // bounded, with room for sanitizer builds
    switch (name[0]) {
      case 'y':
        ++y;
        yOk += r.ok();
        BOOST_TEST(r.ok(), name << " must be accepted: " << (r ? "" : r.error().describe()));
        break;
      case 'n':
        ++n;
        nRejected += !r.ok();
        BOOST_TEST(!r.ok(), name << " must be rejected");
        break;
      default:
        ++i;
        iOk += r.ok();
    }
  }
  std::cout << "JSONTestSuite: " << files.size() << " files; y_ " << yOk << "/" << y
            << " accepted, n_ " << nRejected << "/" << n << " rejected, i_ " << iOk << "/" << i
            << " accepted (either is fine)\n";
  BOOST_TEST(y > 0);
  BOOST_TEST(n > 0);
}

BOOST_AUTO_TEST_SUITE_END()
