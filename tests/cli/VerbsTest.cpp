// The verb table: help for every verb (exit 0), unknown verbs and no verb (exit 2).
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/cli/Cli.h"

namespace huitong::cli::test {

BOOST_AUTO_TEST_SUITE(verbs)

BOOST_AUTO_TEST_CASE(unknown_verb_exits_2_and_lists_the_verbs) {
  const auto o = runHuitong({"frobnicate"});
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find("unknown verb 'frobnicate'") != std::string::npos);
  for (const char* verb : {"jsonpath", "map", "mapping"}) {
    BOOST_TEST(o.err.find(verb) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(no_verb_exits_2_with_usage) {
  const auto o = runHuitong({});
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find("usage: huitong") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_help_exits_0) {
  const std::vector<std::vector<std::string>> helps = {{"help"},
                                                       {"--help"},
                                                       {"-h"},
                                                       {"jsonpath", "--help"},
                                                       {"map", "--help"},
                                                       {"mapping", "--help"},
                                                       {"mapping", "test", "--help"}};
  for (const auto& args : helps) {
    const auto o = runHuitong(args);
    BOOST_TEST_INFO(args.front() << (args.size() > 1 ? " " + args[1] : "") << ": " << describe(o));
    BOOST_TEST(o.exitCode == 0);
    BOOST_TEST((o.out + o.err).find("usage: huitong") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(help_names_the_exit_codes) {
  for (const char* verb : {"jsonpath", "map"}) {
    const auto o = runHuitong({verb, "--help"});
    BOOST_TEST_INFO(verb);
    BOOST_TEST(o.out.find("2") != std::string::npos);
    BOOST_TEST(o.out.find("xit") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace huitong::cli::test
