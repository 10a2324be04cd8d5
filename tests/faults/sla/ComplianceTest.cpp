// Monthly SLA compliance: met / missed / open-breached per type, severity and maintainer.
#include <boost/test/unit_test.hpp>

#include <vector>

#include "gateway/faults/sla/Compliance.h"
#include "tests/faults/sla/SlaTestSupport.h"

using namespace huitong;
using namespace huitong::sla;
using namespace slatest;

namespace {

SlaTimeline make(const std::string& id, EpochMillis created, Severity sev, const std::string& type,
                 const std::string& who, std::optional<EpochMillis> resolved) {
  SlaTimeline t = ticket(created, sev, type);
  t.ticketId = id;
  t.maintainer = who;
  t.firstResponseAt = created + 10 * kMin;
  if (resolved)
    t.statuses = {{*resolved, "resolved"}};
  return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compliance)

BOOST_AUTO_TEST_CASE(one_month_by_type_severity_and_maintainer) {
  std::vector<SlaTimeline> all{
      // met in November (2 h of 4 h)
      make("a", cn(2025, 11, 3, 10), Severity::kGeneral, "network", "li", cn(2025, 11, 3, 12)),
      // missed in November (6 h of 4 h)
      make("b", cn(2025, 11, 4, 10), Severity::kGeneral, "network", "wang", cn(2025, 11, 4, 16)),
      // major, met (20 h of 24 h)
      make("c", cn(2025, 11, 5, 10), Severity::kMajor, "database", "li", cn(2025, 11, 6, 6)),
      // open and breached at the month's end
      make("d", cn(2025, 11, 28, 10), Severity::kGeneral, "application", "", std::nullopt),
      // open, in time at the month's end (created 30 Nov 22:00, 2 h counted)
      make("e", cn(2025, 11, 30, 22), Severity::kGeneral, "application", "wang", std::nullopt),
      // resolved in October: not November's
      make("f", cn(2025, 10, 20, 10), Severity::kGeneral, "network", "li", cn(2025, 10, 20, 11)),
      // created in December: left out
      make("g", cn(2025, 12, 1, 0), Severity::kGeneral, "network", "li", std::nullopt),
      // created in October, resolved in November past its target: missed in November
      make("h", cn(2025, 10, 31, 22), Severity::kGeneral, "network", "li", cn(2025, 11, 1, 3)),
  };
  const auto mc = monthlyCompliance(all, SlaPolicy(), 2025, 11, cn(2026, 1, 5, 9));
  BOOST_TEST(mc.from == cn(2025, 11, 1, 0));
  BOOST_TEST(mc.to == cn(2025, 12, 1, 0));
  BOOST_TEST(mc.asOf == mc.to);

  const auto* res = mc.find("all", "", ClockKind::kResolution);
  BOOST_REQUIRE(res);
  BOOST_TEST(res->counts.met == 2);           // a, c
  BOOST_TEST(res->counts.missed == 2);        // b, h
  BOOST_TEST(res->counts.openBreached == 1);  // d
  BOOST_TEST(res->counts.openInTime == 1);    // e
  BOOST_TEST(*res->counts.percentMet() == 40.0);

  const auto* network = mc.find("type", "network", ClockKind::kResolution);
  BOOST_REQUIRE(network);
  BOOST_TEST(network->counts.met == 1);
  BOOST_TEST(network->counts.missed == 2);
  const auto* major = mc.find("severity", "major", ClockKind::kResolution);
  BOOST_REQUIRE(major);
  BOOST_TEST(*major->counts.percentMet() == 100.0);
  const auto* li = mc.find("maintainer", "li", ClockKind::kResolution);
  BOOST_REQUIRE(li);
  BOOST_TEST(li->counts.met == 2);
  BOOST_TEST(li->counts.missed == 1);
  const auto* nobody = mc.find("maintainer", "(unassigned)", ClockKind::kResolution);
  BOOST_REQUIRE(nobody);
  BOOST_TEST(nobody->counts.openBreached == 1);
  const auto* wang = mc.find("maintainer", "wang", ClockKind::kResolution);
  BOOST_REQUIRE(wang);
  BOOST_TEST(wang->counts.openInTime == 1);

  // The response clock: responded within 10 min everywhere; h's response was in October.
  const auto* resp = mc.find("all", "", ClockKind::kResponse);
  BOOST_REQUIRE(resp);
  BOOST_TEST(resp->counts.met == 5);
  BOOST_TEST(mc.find("type", "bug", ClockKind::kResolution) == nullptr);
  // Rows in group order.
  BOOST_TEST(mc.rows.front().group == "all");
  BOOST_TEST(mc.rows.back().group == "maintainer");

  // Judged in the middle of the month: `now` is the horizon.
  const auto mid = monthlyCompliance(all, SlaPolicy(), 2025, 11, cn(2025, 11, 4, 15));
  const auto* m = mid.find("all", "", ClockKind::kResolution);
  BOOST_TEST(m->counts.met == 1);           // a
  BOOST_TEST(m->counts.missed == 1);        // h
  BOOST_TEST(m->counts.openBreached == 1);  // b: 5 h so far
}

BOOST_AUTO_TEST_CASE(empty_month_has_no_percentage) {
  const auto mc = monthlyCompliance({}, SlaPolicy(), 2025, 12, cn(2026, 1, 1, 0));
  BOOST_TEST(mc.rows.empty());
  ComplianceCounts none;
  BOOST_TEST(!none.percentMet());
}

BOOST_AUTO_TEST_SUITE_END()
