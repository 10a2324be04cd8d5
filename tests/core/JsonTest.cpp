#include <string>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"

using huitong::json::parse;

BOOST_AUTO_TEST_SUITE(json)

BOOST_AUTO_TEST_CASE(parses_a_document) {
  auto r = parse(R"({"a":[1,2,{"b":"中文"}]})");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value()["a"][2]["b"].GetString() == std::string("中文"));
}

BOOST_AUTO_TEST_CASE(names_the_position_of_a_syntax_error) {
  auto r = parse("{\n  \"a\": 1,\n  \"b\" 2\n}");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "json.syntax");
  BOOST_TEST(r.error().path.find("line 3") == 0);
}

BOOST_AUTO_TEST_CASE(refuses_invalid_utf8) {
  auto r = parse("\"\xC3\x28\"");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "json.encoding");
}

BOOST_AUTO_TEST_CASE(refuses_lone_surrogate_escapes_but_keeps_pairs) {
  BOOST_TEST(parse(R"(["\uDFAA"])").error().code == "json.encoding");
  BOOST_TEST(parse(R"({"\uDC00": 1})").error().code == "json.encoding");
  BOOST_TEST(!parse(R"(["\uD800"])").ok());
  auto pair = parse(R"(["\uD83D\uDE00"])");
  BOOST_REQUIRE(pair.ok());
  BOOST_TEST(pair.value()[0].GetString() == std::string("\xF0\x9F\x98\x80"));
}

BOOST_AUTO_TEST_CASE(bounds_nesting_without_recursion) {
  std::string deep(1000000, '[');
  auto r = parse(deep);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "json.too_deep");
  huitong::json::ParseLimits limits;
  limits.maxDepth = 3;
  BOOST_TEST(parse("[[[1]]]", limits).ok());
  BOOST_TEST(!parse("[[[[1]]]]", limits).ok());
}

BOOST_AUTO_TEST_CASE(refuses_trailing_garbage_and_oversize) {
  BOOST_TEST(!parse("{} x").ok());
  BOOST_TEST(!parse(std::string("123\0junk", 8)).ok());
  BOOST_TEST(!parse(std::string("[1]\0", 4)).ok());
  BOOST_TEST(parse("{} \r\n").ok());
  huitong::json::ParseLimits limits;
  limits.maxBytes = 4;
  BOOST_TEST(parse("[1,2,3]", limits).error().code == "json.too_large");
}

BOOST_AUTO_TEST_SUITE_END()
