// Bug records: no close without documentation and a link to the fix; the 5-working-day clock.
#include <boost/test/unit_test.hpp>

#include "gateway/faults/sla/BugRecord.h"
#include "tests/faults/sla/SlaTestSupport.h"

using namespace huitong;
using namespace huitong::sla;
using namespace slatest;

BOOST_AUTO_TEST_SUITE(bug_record)

BOOST_AUTO_TEST_CASE(closing_needs_documentation_and_a_fix_link) {
  auto errors = checkBugClosable({});
  BOOST_REQUIRE_EQUAL(errors.size(), 2u);
  BOOST_TEST(errors[0].path == "fix.documentation");
  BOOST_TEST(errors[0].message.find("cannot close without its documentation") != std::string::npos);
  BOOST_TEST(errors[1].path == "fix");
  BOOST_TEST(errors[1].message ==
             "a bug ticket cannot close without a link to its fix: give the version that carries "
             "it, the commit, or the mapping or config changed");

  BugRecord r;
  r.documentation = "  \n";
  r.changed = "mappings/minzheng v7";
  errors = checkBugClosable(r);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].code == "bug.documentation");

  r.documentation = "婚姻登记 certNo was dropped for CERT_ISSUED; the mapping now copies it.";
  BOOST_TEST(checkBugClosable(r).empty());
  r.changed.clear();
  r.version = "2.4.1";
  BOOST_TEST(checkBugClosable(r).empty());
  r.version.clear();
  r.commit = "6b2b83a";
  BOOST_TEST(checkBugClosable(r).empty());
  r.commit = "main";
  errors = checkBugClosable(r);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].path == "fix.commit");
  BOOST_TEST(errors[0].message ==
             "fix.commit 'main' is not a commit id (7 to 40 hexadecimal digits)");
}

BOOST_AUTO_TEST_CASE(five_working_day_clock_on_the_record) {
  auto t = ticket(cn(2025, 9, 30, 10), Severity::kGeneral, "bug");
  auto c = bugClock(t, SlaPolicy(), cn(2025, 10, 9, 10));
  BOOST_TEST(c.reading.workingTime);
  BOOST_TEST(c.text ==
             "5 working days: 28 h working time left of 5 working days (due 2025-10-14 10:00 "
             "+08:00)");
  t.statuses = {{cn(2025, 10, 10, 9), "resolved"}};
  c = bugClock(t, SlaPolicy(), cn(2025, 10, 20, 9));
  BOOST_TEST(c.text == "5 working days: met: 13 h working time of 5 working days");
}

BOOST_AUTO_TEST_SUITE_END()
