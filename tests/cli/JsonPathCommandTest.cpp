// `huitong jsonpath`: values and paths, documents from stdin and files, and the errors an
// operator sees for a bad selector (caret under the column) or a bad document (file, line).
#include <string>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/cli/Cli.h"

namespace huitong::cli::test {
namespace {

constexpr const char* kDoc =
    R"({"store": {"book": [{"title": "受戒", "price": 12.99}, {"title": "Sayings", "price": 8.95}]},
        "a": [1, "x", null]})";

std::string compact(const std::string& jsonText) {
  auto doc = json::parse(jsonText);
  BOOST_REQUIRE_MESSAGE(doc.ok(), "not JSON: " << jsonText);
  return json::write(doc.value());
}

// The caret line printed under the selector: its '^' sits at the selector's column.
void checkCaret(const std::string& selector, std::size_t column) {
  const auto o = runHuitong({"jsonpath", selector}, kDoc);
  BOOST_TEST_INFO("selector " << selector << ": " << describe(o));
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.out.empty());
  BOOST_TEST(o.err.find("invalid selector") != std::string::npos);
  BOOST_TEST(o.err.find("column " + std::to_string(column)) != std::string::npos);
  const std::string echoed = "\n  " + selector + "\n";
  const auto at = o.err.find(echoed);
  BOOST_REQUIRE(at != std::string::npos);
  const std::string caretLine = o.err.substr(at + echoed.size());
  BOOST_TEST(caretLine == "  " + std::string(column - 1, ' ') + "^\n");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(jsonpath_command)

BOOST_AUTO_TEST_CASE(values_from_stdin) {
  const auto o = runHuitong({"jsonpath", "$.store.book[?@.price < 10].title"}, kDoc);
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(compact(o.out) == R"(["Sayings"])");
}

BOOST_AUTO_TEST_CASE(values_from_a_file_and_dash_for_stdin) {
  TempDir dir;
  const auto file = dir.write("doc.json", kDoc);
  const auto fromFile = runHuitong({"jsonpath", "$.a[*]", file.string()});
  BOOST_TEST_INFO(describe(fromFile));
  BOOST_TEST(fromFile.exitCode == 0);
  BOOST_TEST(compact(fromFile.out) == R"([1,"x",null])");
  const auto fromDash = runHuitong({"jsonpath", "$.a[*]", "-"}, kDoc);
  BOOST_TEST(fromDash.exitCode == 0);
  BOOST_TEST(compact(fromDash.out) == R"([1,"x",null])");
}

BOOST_AUTO_TEST_CASE(non_ascii_values_are_printed_as_utf8) {
  const auto o = runHuitong({"jsonpath", "$.store.book[0].title"}, kDoc);
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(o.out.find("受戒") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(paths) {
  const auto o = runHuitong({"jsonpath", "$..title", "--paths"}, kDoc);
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(compact(o.out) ==
             R"(["$['store']['book'][0]['title']","$['store']['book'][1]['title']"])");
}

BOOST_AUTO_TEST_CASE(nothing_selected_is_an_empty_array) {
  const auto o = runHuitong({"jsonpath", "$.missing"}, kDoc);
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(compact(o.out) == "[]");
}

BOOST_AUTO_TEST_CASE(invalid_selector_points_at_the_column) {
  checkCaret("$.a[", 5);
  checkCaret("$.store.book[?@.price <]", 24);
  checkCaret("a.b", 1);
  checkCaret("$..", 4);
}

BOOST_AUTO_TEST_CASE(invalid_selector_is_refused_before_reading_the_document) {
  // No document on stdin at all: the selector error alone decides.
  const auto o = runHuitong({"jsonpath", "$[?", "/nonexistent/doc.json"});
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find("invalid selector") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_document_in_a_file_names_file_line_and_column) {
  TempDir dir;
  const auto file = dir.write("broken.json", "{\n  \"a\": [1,\n  2,,\n]}\n");
  const auto o = runHuitong({"jsonpath", "$.a", file.string()});
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.out.empty());
  BOOST_TEST(o.err.find(file.string()) != std::string::npos);
  BOOST_TEST(o.err.find("line 3, column 5") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_document_on_stdin_is_named_stdin) {
  const auto o = runHuitong({"jsonpath", "$"}, "[1, 2");
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find("<stdin>") != std::string::npos);
  BOOST_TEST(o.err.find("line 1, column") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_file_and_bad_usage) {
  const auto missing = runHuitong({"jsonpath", "$", "/nonexistent/doc.json"});
  BOOST_TEST(missing.exitCode == 2);
  BOOST_TEST(missing.err.find("/nonexistent/doc.json") != std::string::npos);
  BOOST_TEST(runHuitong({"jsonpath"}).exitCode == 2);
  BOOST_TEST(runHuitong({"jsonpath", "$", "a", "b"}).exitCode == 2);
  BOOST_TEST(runHuitong({"jsonpath", "$", "--frobnicate"}).exitCode == 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace huitong::cli::test
