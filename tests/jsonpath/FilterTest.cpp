// Standalone filters (mapping conditions), comparison semantics and normalized paths.
#include <string>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/jsonpath/JsonPath.h"

using huitong::jsonpath::Filter;
using huitong::jsonpath::Query;

namespace {

rapidjson::Document doc(const char* text) {
  auto r = huitong::json::parse(text);
  BOOST_REQUIRE_MESSAGE(r.ok(), text);
  return std::move(r).value();
}

Filter filter(const std::string& text) {
  auto r = Filter::compile(text);
  BOOST_REQUIRE_MESSAGE(r.ok(), text << ": " << (r.ok() ? "" : r.error().describe()));
  return r.value();
}

bool holds(const std::string& text, const char* current, const char* root = "{}") {
  const auto c = doc(current);
  const auto r = doc(root);
  return filter(text).test(r, c);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(filters)

BOOST_AUTO_TEST_CASE(current_and_root) {
  const auto root = doc(R"({"type":"A","limit":100,"records":[{"amount":150},{"amount":50}]})");
  const Filter f = filter("@.amount > $.limit && $.type == 'A'");
  BOOST_TEST(f.test(root, root["records"][0]));
  BOOST_TEST(!f.test(root, root["records"][1]));
  BOOST_TEST(f.text() == "@.amount > $.limit && $.type == 'A'");
}

BOOST_AUTO_TEST_CASE(surrounding_whitespace_is_allowed) {
  BOOST_TEST(holds("  @.a == 1\n", R"({"a":1})"));
}

BOOST_AUTO_TEST_CASE(existence_negation_and_grouping) {
  BOOST_TEST(holds("@.a", R"({"a":null})"));
  BOOST_TEST(!holds("@.b", R"({"a":null})"));
  BOOST_TEST(holds("!@.b", R"({"a":null})"));
  BOOST_TEST(holds("!(@.a == 1 || @.a == 2)", R"({"a":3})"));
  BOOST_TEST(holds("(@.a == 1 || @.a == 3) && @.b", R"({"a":3,"b":false})"));
  BOOST_TEST(holds("@.*", R"({"x":0})"));
  BOOST_TEST(!holds("@.*", R"({})"));
}

BOOST_AUTO_TEST_CASE(numbers_compare_by_value) {
  BOOST_TEST(holds("@.a == 1", R"({"a":1.0})"));
  BOOST_TEST(holds("@.a == 1.0", R"({"a":1})"));
  BOOST_TEST(holds("@.a == 1e2", R"({"a":100})"));
  BOOST_TEST(holds("@.a == -0", R"({"a":0})"));
  BOOST_TEST(holds("@.a < 9007199254740993", R"({"a":9007199254740992})"));
  BOOST_TEST(!holds("@.a == '1'", R"({"a":1})"));
  BOOST_TEST(!holds("@.a < 'b'", R"({"a":1})"));
}

BOOST_AUTO_TEST_CASE(strings_compare_by_code_point) {
  BOOST_TEST(holds("@.a > 'z'", R"({"a":"中"})"));
  BOOST_TEST(holds("@.a < 'ab'", R"({"a":"a"})"));
  BOOST_TEST(holds("@.a == '\\u4e2d'", R"({"a":"中"})"));
  BOOST_TEST(holds("@.a == \"it's\"", R"({"a":"it's"})"));
}

BOOST_AUTO_TEST_CASE(structures_compare_deeply) {
  BOOST_TEST(holds("@.a == @.b", R"({"a":{"x":[1,{"y":2}]},"b":{"x":[1.0,{"y":2}]}})"));
  BOOST_TEST(!holds("@.a == @.b", R"({"a":{"x":[1,2]},"b":{"x":[2,1]}})"));
  BOOST_TEST(!holds("@.a == @.b", R"({"a":{"x":1},"b":{"x":1,"y":2}})"));
  BOOST_TEST(!holds("@.a < @.b", R"({"a":[1],"b":[2]})"));
  BOOST_TEST(holds("@.a <= @.b", R"({"a":[1],"b":[1]})"));
}

BOOST_AUTO_TEST_CASE(nothing_equals_only_nothing) {
  BOOST_TEST(holds("@.x == @.y", R"({})"));
  BOOST_TEST(!holds("@.x == null", R"({})"));
  BOOST_TEST(holds("@.x == null", R"({"x":null})"));
  BOOST_TEST(!holds("@.x < @.y", R"({})"));
  BOOST_TEST(holds("@.x <= @.y", R"({})"));  // `<=` is `<` or `==` (§2.3.5.2.2)
  BOOST_TEST(holds("@.x >= @.y", R"({})"));
  BOOST_TEST(!holds("@.x <= 1", R"({})"));
  BOOST_TEST(holds("@.a >= @.b", R"({"a":{"k":[1]},"b":{"k":[1.0]}})"));
  BOOST_TEST(holds("@.x != 1", R"({})"));
}

BOOST_AUTO_TEST_CASE(functions) {
  BOOST_TEST(holds("length(@.name) == 2", R"({"name":"张三"})"));
  BOOST_TEST(holds("length(@.list) == 3", R"({"list":[1,2,3]})"));
  BOOST_TEST(holds("length(@) == 1", R"({"k":1})"));
  BOOST_TEST(!holds("length(@.n) == 1", R"({"n":5})"));
  BOOST_TEST(holds("count(@.list[*]) == 3", R"({"list":[1,2,3]})"));
  BOOST_TEST(holds("count(@..*) == 4", R"({"list":[1,2,3]})"));
  BOOST_TEST(holds("value(@..id) == 7", R"({"a":{"id":7}})"));
  BOOST_TEST(!holds("value(@..id) == 7", R"({"a":{"id":7},"b":{"id":7}})"));
  BOOST_TEST(holds("match(@.id, '[0-9]{17}[0-9X]')", R"({"id":"44010119900101123X"})"));
  BOOST_TEST(!holds("match(@.id, '[0-9]{17}[0-9X]')", R"({"id":"x44010119900101123X"})"));
  BOOST_TEST(holds("search(@.addr, '中山')", R"({"addr":"广东省中山市"})"));
  BOOST_TEST(!holds("match(@.a, '\\\\d')", R"({"a":"1"})"));  // not I-Regexp: false
  BOOST_TEST(holds("match(@.a, $.re)", R"({"a":"abc"})", R"({"re":"a.c"})"));
  BOOST_TEST(!holds("match(@.a, $.re)", R"({"a":"abc"})", R"({"re":"(?:"})"));
}

BOOST_AUTO_TEST_CASE(a_filter_must_be_logical) {
  for (const char* text : {"", "1", "'a'", "true", "@.a ==", "@.a = 1", "length(@.a)", "@.* == 1",
                           "@.a == 1 2", "!1", "!!@.a", "(@.a", "@.a &&", "count(@.a)"}) {
    auto r = Filter::compile(text);
    BOOST_TEST(!r.ok(), text);
  }
  BOOST_TEST(Filter::compile("count(@.a)").error().code == "jsonpath.type");
}

BOOST_AUTO_TEST_CASE(default_constructed_filter_is_false) {
  const auto d = doc("{}");
  BOOST_TEST(!Filter().test(d, d));
  BOOST_TEST(Filter().text().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(normalized_paths)

BOOST_AUTO_TEST_CASE(escapes_per_rfc_9535) {
  std::string p = "$";
  huitong::jsonpath::appendNameSegment(p, "it's\\");
  huitong::jsonpath::appendIndexSegment(p, 12);
  huitong::jsonpath::appendNameSegment(p, std::string("\b\f\n\r\t\x0b\x1f\x7f", 8));
  huitong::jsonpath::appendNameSegment(p, "中文");
  BOOST_TEST(p == "$['it\\'s\\\\'][12]['\\b\\f\\n\\r\\t\\u000b\\u001f\x7f']['中文']");
}

BOOST_AUTO_TEST_CASE(select_with_paths) {
  const auto d = doc(R"({"a":[{"b":1},{"b":2}],"c":{"b":3}})");
  auto q = Query::compile("$..b");
  BOOST_REQUIRE(q.ok());
  const auto nodes = q.value().selectWithPaths(d);
  BOOST_REQUIRE(nodes.size() == 3u);
  BOOST_TEST(nodes[0].path == "$['a'][0]['b']");
  BOOST_TEST(nodes[1].path == "$['a'][1]['b']");
  BOOST_TEST(nodes[2].path == "$['c']['b']");
  BOOST_TEST(nodes[2].value->GetInt() == 3);
}

BOOST_AUTO_TEST_SUITE_END()
