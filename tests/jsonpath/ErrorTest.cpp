// Compile errors: code, what was expected, and the 1-based code point column.
#include <string>

#include <boost/test/unit_test.hpp>

#include "gateway/jsonpath/JsonPath.h"

using huitong::jsonpath::Query;

namespace {

struct Expected {
  const char* selector;
  const char* code;
  const char* column;
  const char* messagePart;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(name_the_offending_column_and_what_was_expected) {
  const Expected cases[] = {
      {"", "jsonpath.syntax", "column 1", "expected '$'"},
      {"a.b", "jsonpath.syntax", "column 1", "expected '$'"},
      {" $", "jsonpath.syntax", "column 1", "expected '$'"},
      {"$.a[1 2]", "jsonpath.syntax", "column 7", "expected ']' or ','"},
      {"$.中文[1 2]", "jsonpath.syntax", "column 8", "expected ']' or ','"},
      {"$['a'", "jsonpath.syntax", "column 6", "expected ']' or ','"},
      {"$.a.", "jsonpath.syntax", "column 5", "member name"},
      {"$..", "jsonpath.syntax", "column 4", "after '..'"},
      {"$. a", "jsonpath.syntax", "column 3", "member name"},
      {"$[]", "jsonpath.syntax", "column 3", "expected a selector"},
      {"$[01]", "jsonpath.syntax", "column 4", "leading zeros"},
      {"$[-0]", "jsonpath.syntax", "column 3", "-0"},
      {"$[9007199254740992]", "jsonpath.syntax", "column 3", "out of range"},
      {"$['a\\x']", "jsonpath.syntax", "column 5", "escape"},
      {"$['\\ud800']", "jsonpath.syntax", "column 4", "surrogate"},
      {"$['a", "jsonpath.syntax", "column 3", "unterminated"},
      {"$.a ", "jsonpath.syntax", "column 4", "whitespace"},
      {"$.a b", "jsonpath.syntax", "column 5", "end of the query"},
      {"$[?@.a = 1]", "jsonpath.syntax", "column 8", "expected ']' or ','"},
      {"$[?(@.a]", "jsonpath.syntax", "column 8", "expected ')'"},
      {"$[?1]", "jsonpath.syntax", "column 4", "literal"},
      {"$[?@.* == 1]", "jsonpath.syntax", "column 4", "singular query"},
      {"$[?True]", "jsonpath.syntax", "column 4", "expected a query"},
      {"$[?foo(@)]", "jsonpath.syntax", "column 4", "unknown function 'foo'"},
      {"$[?length(@.*) > 1]", "jsonpath.type", "column 11", "length() argument"},
      {"$[?length(@.a)]", "jsonpath.type", "column 4", "returns a value"},
      {"$[?match(@.a, 'x') == true]", "jsonpath.type", "column 4", "cannot be compared"},
      {"$[?count(1) == 1]", "jsonpath.type", "column 10", "must be a query"},
      {"$[?length(@.a, 1) == 1]", "jsonpath.type", "column 4", "takes 1 argument"},
      {"$[?match(@.a) == 1]", "jsonpath.type", "column 4", "takes 2 arguments"},
  };
  for (const auto& c : cases) {
    auto r = Query::compile(c.selector);
    BOOST_TEST_CONTEXT(c.selector) {
      BOOST_REQUIRE(!r.ok());
      BOOST_TEST(r.error().code == c.code);
      BOOST_TEST(r.error().path == c.column);
      BOOST_TEST(r.error().message.find(c.messagePart) != std::string::npos, r.error().message);
    }
  }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_a_syntax_error) {
  auto r = Query::compile(std::string("$['\xC3\x28']", 7));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path == "column 4");
  BOOST_TEST(r.error().message == "invalid UTF-8");
}

BOOST_AUTO_TEST_CASE(singularity_and_text) {
  const std::pair<const char*, bool> cases[] = {
      {"$", true},     {"$.a", true},         {"$.a[0]['b'][-1]", true}, {"$.a[*]", false},
      {"$..a", false}, {"$['a','b']", false}, {"$[0:1]", false},         {"$[?@]", false}};
  for (const auto& [selector, singular] : cases) {
    auto q = Query::compile(selector);
    BOOST_REQUIRE(q.ok());
    BOOST_TEST(q.value().isSingular() == singular, selector);
    BOOST_TEST(q.value().text() == selector);
  }
  const Query none;
  BOOST_TEST(!none.isSingular());
  BOOST_TEST(none.text().empty());
}

BOOST_AUTO_TEST_SUITE_END()
