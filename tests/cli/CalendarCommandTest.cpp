// `huitong calendar` as an ops person uses it: true/false, a date, clear usage errors.
#include "tests/cli/Cli.h"

using namespace huitong::cli::test;
using huitong::cli::test::TempDir;

BOOST_AUTO_TEST_SUITE(calendar_command)

BOOST_AUTO_TEST_CASE(is_workday_prints_true_or_false) {
  auto o = runHuitong({"calendar", "is-workday", "2026-02-14"});  // an adjusted working Saturday
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(o.out == "true\n");
  o = runHuitong({"calendar", "is-workday", "2026-10-05"});
  BOOST_TEST(o.out == "false\n");
  BOOST_TEST(o.err.empty());
  o = runHuitong({"calendar", "is-workday", "2027-03-01"});
  BOOST_TEST(o.out == "true\n");
  BOOST_TEST(o.err.find("provisional") != std::string::npos, o.err);
}

BOOST_AUTO_TEST_CASE(add_workdays_prints_the_date) {
  auto o = runHuitong({"calendar", "add-workdays", "2026-09-30", "2"});
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(o.out == "2026-10-09\n");
  o = runHuitong({"calendar", "add-workdays", "2025-01-27", "2"});
  BOOST_TEST(o.out == "2025-02-06\n");
  o = runHuitong({"calendar", "explain", "2026-02-16"});
  BOOST_TEST(o.out == "2026-02-16 day off: 春节\n");
}

BOOST_AUTO_TEST_CASE(bad_input_is_a_usage_error) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"calendar"},
                                             {"calendar", "is-workday", "2026-02-30"},
                                             {"calendar", "add-workdays", "2026-01-01", "-1"},
                                             {"calendar", "add-workdays", "2026-01-01", "2x"},
                                             {"calendar", "is-workday"},
                                             {"calendar", "fly", "2026-01-01"}}) {
    auto o = runHuitong(args);
    BOOST_TEST(o.exitCode == 2, args.size());
    BOOST_TEST(o.out.empty());
    BOOST_TEST(!o.err.empty());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(calendar_command_config)

BOOST_AUTO_TEST_CASE(the_gateway_config_adds_operator_overrides) {
  TempDir dir;
  const auto cfg = dir.write("gateway.json", R"({
  "mappings": "mappings",
  "systems": {},
  "calendar": {"extra_days_off": ["2026-12-24"], "extra_working_days": ["2026-12-26"]}
})");
  auto o = runHuitong({"calendar", "is-workday", "2026-12-24", "--config", cfg.string()});
  BOOST_TEST(o.exitCode == 0, o.err);
  BOOST_TEST(o.out == "false\n");
  o = runHuitong({"calendar", "--config", cfg.string(), "explain", "2026-12-26"});
  BOOST_TEST(o.out == "2026-12-26 working day: adjusted working day (operator override)\n");
  const auto bad = dir.write("bad.json",
                             "{\n  \"systems\": {},\n  \"calendar\": {\n"
                             "    \"extra_days_off\": [\"2026-12-32\"]\n  }\n}");
  o = runHuitong({"calendar", "is-workday", "2026-12-24", "--config", bad.string()});
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find("bad.json:4:") != std::string::npos, o.err);
}

BOOST_AUTO_TEST_SUITE_END()
