// Typed config reading: every refusal names the key's place and what would be right.
#include <boost/test/unit_test.hpp>

#include "tests/adapters/FakeHost.h"

using namespace huitong;

namespace {

rapidjson::Document doc(const char* text) {
  rapidjson::Document d;
  d = test::parseJson(text);
  BOOST_REQUIRE(!d.HasParseError());
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_node)

BOOST_AUTO_TEST_CASE(typed_values_and_defaults) {
  auto d = doc(R"({"folder":"in","poll_ms":500,"move":true,"names":["a","b"],"sub":{"x":1}})");
  const ConfigNode c = test::configOf(d);
  BOOST_TEST(c.string("folder").value() == "in");
  BOOST_TEST(c.string("absent", "dflt").value() == "dflt");
  BOOST_TEST(c.integer("poll_ms", 1, 100, 1000).value() == 500);
  BOOST_TEST(c.integer("absent", 7, 0, 10).value() == 7);
  BOOST_TEST(c.boolean("move", false).value());
  BOOST_TEST(c.strings("names").value().size() == 2u);
  BOOST_TEST(c.object("sub").value().integer("x", 0, 0, 9).value() == 1);
  BOOST_TEST(c.object("sub").value().where() == "test.json#/sub");
  BOOST_TEST(c.resolvePath("in") == "/base/in");
  BOOST_TEST(c.resolvePath("/abs") == "/abs");
}

BOOST_AUTO_TEST_CASE(wrong_values_name_the_key_and_the_rule) {
  auto d = doc(R"({"poll_ms":50,"move":"yes","names":[1],"frac":1.5,"mode":"x","folder":""})");
  const ConfigNode c = test::configOf(d);
  auto n = c.integer("poll_ms", 1, 100, 1000);
  BOOST_REQUIRE(!n.ok());
  BOOST_TEST(n.error().path == "test.json#/poll_ms");
  BOOST_TEST(n.error().message == "poll_ms must be a whole number from 100 to 1000");
  BOOST_TEST(!c.integer("frac", 1, 0, 9).ok());
  BOOST_TEST(c.boolean("move", false).error().message == "move must be true or false");
  BOOST_TEST(!c.strings("names").ok());
  auto m = c.oneOf("mode", {"flag", "watermark"}, "flag");
  BOOST_REQUIRE(!m.ok());
  BOOST_TEST(m.error().message == "mode is one of flag, watermark (got \"x\")");
  BOOST_TEST(!c.requiredString("folder").ok());
  BOOST_TEST(c.requiredString("nothing").error().message == "missing nothing");
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_refused_with_the_allowed_list) {
  auto d = doc(R"({"kind":"x","folderr":"in"})");
  auto r = test::configOf(d).allowOnly({"kind", "folder"});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path == "test.json#/folderr");
  BOOST_TEST(r.error().message == "unknown key 'folderr' (expected kind, folder)");
  BOOST_TEST(r.error().code == "config.invalid");
}

BOOST_AUTO_TEST_SUITE_END()
