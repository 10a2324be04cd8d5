// I-Regexp (RFC 9485) validation and translation, and the raw PCRE2 dialect.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/jsonpath/IRegexp.h"

using huitong::jsonpath::Regex;

namespace {

Regex compiled(const std::string& pattern) {
  auto r = Regex::compile(pattern);
  BOOST_REQUIRE_MESSAGE(r.ok(), pattern << ": " << (r.ok() ? "" : r.error().describe()));
  return r.value();
}

std::string refusal(const std::string& pattern) {
  auto r = Regex::compile(pattern);
  if (r.ok())
    return "accepted";
  BOOST_TEST(r.error().code == "regex.syntax");
  return r.error().path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(iregexp)

BOOST_AUTO_TEST_CASE(match_is_whole_string_search_is_anywhere) {
  const Regex re = compiled("a.c");
  BOOST_TEST(re.fullMatch("abc"));
  BOOST_TEST(!re.fullMatch("xabc"));
  BOOST_TEST(!re.fullMatch("abcx"));
  BOOST_TEST(re.search("xxabcxx"));
  BOOST_TEST(!re.search("ab"));
  BOOST_TEST(re.pattern() == "a.c");
}

BOOST_AUTO_TEST_CASE(dot_excludes_only_line_feed_and_carriage_return) {
  const Regex re = compiled(".");
  BOOST_TEST(re.fullMatch("\xE2\x80\xA8"));      // U+2028
  BOOST_TEST(re.fullMatch("\xF0\x9F\x98\x80"));  // one code point outside the BMP
  BOOST_TEST(re.fullMatch("\t"));
  BOOST_TEST(!re.fullMatch("\n"));
  BOOST_TEST(!re.fullMatch("\r"));
  BOOST_TEST(compiled("a[.]c").fullMatch("a.c"));
  BOOST_TEST(!compiled("a[.]c").fullMatch("abc"));
}

BOOST_AUTO_TEST_CASE(unicode_categories) {
  BOOST_TEST(compiled("\\p{Lu}+").fullMatch("ABÇЖ"));
  BOOST_TEST(!compiled("\\p{Lu}+").fullMatch("Abc"));
  BOOST_TEST(compiled("\\P{L}+").fullMatch("123-!"));
  BOOST_TEST(!compiled("\\P{L}").fullMatch("中"));
  BOOST_TEST(compiled("\\p{L}{2}").fullMatch("中文"));
  BOOST_TEST(compiled("\\p{Nd}{6}").fullMatch("４４０１２３"));  // full-width digits are Nd
  BOOST_TEST(compiled("[\\p{N}\\p{Lu}]+").fullMatch("A1Z9"));
  BOOST_TEST(compiled("[^\\p{L}]").fullMatch("7"));
}

BOOST_AUTO_TEST_CASE(character_classes_and_quantifiers) {
  BOOST_TEST(compiled("[a-c]{2,3}").fullMatch("abc"));
  BOOST_TEST(!compiled("[a-c]{2,3}").fullMatch("abca"));
  BOOST_TEST(compiled("x{2,}").fullMatch("xxxx"));
  BOOST_TEST(compiled("[-a]+").fullMatch("-a-"));
  BOOST_TEST(compiled("[a-]+").fullMatch("a-"));
  BOOST_TEST(compiled("[^a]").fullMatch("b"));
  BOOST_TEST(compiled("(ab|cd)*").fullMatch("abcdab"));
  BOOST_TEST(compiled("").fullMatch(""));
  BOOST_TEST(compiled("a\\.b\\\\").fullMatch("a.b\\"));
  BOOST_TEST(compiled("[\\]\\[]+").fullMatch("[]"));
  BOOST_TEST(compiled("\\n\\t").fullMatch("\n\t"));
  BOOST_TEST(compiled("[0-9]{17}[0-9X]").fullMatch("44010119900101123X"));  // an ID card number
}

BOOST_AUTO_TEST_CASE(caret_and_dollar_anchor_as_the_cts_expects) {
  BOOST_TEST(compiled("^ab.*").fullMatch("abc"));
  BOOST_TEST(compiled(".*bc$").fullMatch("abc"));
  BOOST_TEST(!compiled("bc$").search("abc\n"));
  BOOST_TEST(compiled("[$^]+").fullMatch("$^"));
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_iregexp_with_the_position) {
  BOOST_TEST(refusal("\\d+") == "column 1");
  BOOST_TEST(refusal("ab\\w") == "column 3");
  BOOST_TEST(refusal("(?:a)") == "column 2");
  BOOST_TEST(refusal("a**") == "column 3");
  BOOST_TEST(refusal("a*?") == "column 3");
  BOOST_TEST(refusal("*a") == "column 1");
  BOOST_TEST(refusal("a{,3}") == "column 3");
  BOOST_TEST(refusal("a{2") == "column 4");
  BOOST_TEST(refusal("[]") == "column 2");
  BOOST_TEST(refusal("[a") == "column 1");
  BOOST_TEST(refusal("[a-b-c]") == "column 5");
  BOOST_TEST(refusal("[[]") == "column 2");
  BOOST_TEST(refusal("(a") == "column 3");
  BOOST_TEST(refusal("a)") == "column 2");
  BOOST_TEST(refusal("a]") == "column 2");
  BOOST_TEST(refusal("\\p{Xx}") == "column 4");
  BOOST_TEST(refusal("\\p{Lx}") == "column 4");
  BOOST_TEST(refusal("中\\s") == "column 2");  // columns count code points
  BOOST_TEST(refusal("a\\") == "column 2");
  BOOST_TEST(refusal("\\u0041") == "column 1");
  BOOST_TEST(refusal("[z-a]") != "accepted");  // PCRE2's own check, mapped back
  BOOST_TEST(refusal("a{3,1}") != "accepted");
  BOOST_TEST(refusal(std::string("a\xC3", 2)) == "column 2");  // invalid UTF-8
}

BOOST_AUTO_TEST_CASE(pcre_dialect_is_full_pcre2) {
  auto r = Regex::compile("(?<year>\\d{4})-(?<month>\\d{2})(?:-(\\d{2}))?", Regex::Dialect::kPcre);
  BOOST_REQUIRE(r.ok());
  const Regex& re = r.value();
  BOOST_TEST(re.search("on 2024-05"));
  BOOST_TEST(!re.fullMatch("on 2024-05"));
  BOOST_TEST(re.fullMatch("2024-05-17"));
  std::string out;
  BOOST_TEST(re.capture("on 2024-05", 0, out));
  BOOST_TEST(out == "2024-05");
  BOOST_TEST(re.capture("on 2024-05", re.groupNumber("month"), out));
  BOOST_TEST(out == "05");
  BOOST_TEST(!re.capture("on 2024-05", 3, out));  // did not participate
  BOOST_TEST(!re.capture("on 2024-05", 9, out));  // no such group
  BOOST_TEST(!re.capture("nothing", 0, out));
  BOOST_TEST(re.groupNumber("year") == 1);
  BOOST_TEST(re.groupNumber("day") == -1);
  BOOST_TEST(Regex::compile("\\w+", Regex::Dialect::kPcre).value().fullMatch("中文abc"));  // UCP
  auto bad = Regex::compile("ab(", Regex::Dialect::kPcre);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().path == "column 4");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_subject_does_not_match) {
  const Regex re = compiled(".*");
  BOOST_TEST(!re.fullMatch(std::string("a\xFF", 2)));
  BOOST_TEST(re.fullMatch(std::string("a\0b", 3)));
}

BOOST_AUTO_TEST_CASE(long_subjects_beyond_the_jit_stack_still_match) {
  const Regex re = compiled("(a|b)*c");
  std::string subject(200000, 'a');
  subject += 'c';
  BOOST_TEST(re.fullMatch(subject));
  BOOST_TEST(re.search(subject));
  subject.back() = 'a';
  BOOST_TEST(!re.fullMatch(subject));
}

BOOST_AUTO_TEST_CASE(full_match_backtracks_into_later_alternatives) {
  BOOST_TEST(compiled("a|ab").fullMatch("ab"));
  BOOST_TEST(Regex::compile("a|ab", Regex::Dialect::kPcre).value().fullMatch("ab"));
}

BOOST_AUTO_TEST_CASE(default_constructed_matches_nothing) {
  const Regex re;
  BOOST_TEST(!re.fullMatch(""));
  BOOST_TEST(!re.search("a"));
  BOOST_TEST(re.pattern().empty());
}

BOOST_AUTO_TEST_CASE(matching_from_many_threads) {
  const Regex re = compiled("[0-9]{17}[0-9X]");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (!re.fullMatch("44010119900101123X") || re.fullMatch("4401011990010112"))
          ++wrong;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  BOOST_TEST(wrong.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
