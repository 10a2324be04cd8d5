// A filing's life: every legal move with its roles and requirements, every illegal one refused
// with a clear error, stale updates refused, the 2-working-day configuring deadline on the
// work calendar.
#include <set>

#include <boost/test/unit_test.hpp>

#include "gateway/registry/Filing.h"

using namespace huitong;
using namespace huitong::registry;
using S = FilingState;

namespace {

// The go-live checks as the tests want them (the sandbox records real evidence).
struct Checks final : GoLiveChecks {
  std::set<std::string> published{"v2"};
  std::set<std::string> evidence{"v2"};
  bool mappingVersionPublished(const std::string&, const std::string& v) const override {
    return published.count(v) > 0;
  }
  bool sandboxEvidencePassed(const std::string&, const std::string&,
                             const std::string& v) const override {
    return evidence.count(v) > 0;
  }
};

EpochMillis at(const char* rfc3339) {
  EpochMillis t = 0;
  BOOST_REQUIRE(parseRfc3339(rfc3339, t));
  return t;
}

Filing requested() {
  Filing f;
  f.system = "marriage";
  f.itemCode = "1244200045586317954442071001000";
  f.itemName = "内地居民结婚登记";
  return f;
}

const Actor kOperator{"li.na", Role::kOperator, ""};
const Actor kAdmin{"wang.wei", Role::kAdmin, ""};

Result<Filing> move(const Filing& f, S to, const Actor& who = kOperator,
                    const std::string& version = "", const std::string& reason = "",
                    EpochMillis now = 0) {
  Checks checks;
  return applyMove(f, MoveRequest{to, f.version, version, reason}, who,
                   now ? now : at("2026-09-30T10:00:00+08:00"), WorkCalendar::china(), checks);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(filing)

BOOST_AUTO_TEST_CASE(the_whole_life_of_a_filing) {
  Filing f = requested();
  auto r = move(f, S::kConfiguring);
  BOOST_REQUIRE(r.ok());
  f = r.value();
  BOOST_TEST(f.version == 2);
  BOOST_TEST(formatDate(*f.configuringDue) == "2026-10-09");  // across the National Day break
  BOOST_TEST(!f.configuringDueProvisional);
  f = move(f, S::kJointDebugging, kOperator, "v2").value();
  f = move(f, S::kOnline, kOperator, "v2").value();
  BOOST_TEST(f.liveMappingVersion == "v2");
  f = move(f, S::kSuspended, kOperator, "", "department system upgrade").value();
  BOOST_TEST(f.notes == "department system upgrade");
  f = move(f, S::kOnline).value();  // back online on its live version
  f = move(f, S::kSuspended, kOperator, "", "item abolished").value();
  f = move(f, S::kRetired, kAdmin, "", "item abolished").value();
  BOOST_TEST(toString(f.state) == std::string("retired"));
  BOOST_TEST(f.version == 8);
}

BOOST_AUTO_TEST_CASE(illegal_moves_say_what_is_possible) {
  auto r = move(requested(), S::kOnline, kAdmin, "v2");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "filing.illegal_move");
  BOOST_TEST(r.error().message ==
             "a filing cannot move from requested to online (from requested: configuring, "
             "retired)");
  Filing retired = requested();
  retired.state = S::kRetired;
  BOOST_TEST(move(retired, S::kRequested, kAdmin).error().message.find("no move") !=
             std::string::npos);
  Filing online = requested();
  online.state = S::kOnline;
  BOOST_TEST(move(online, S::kRetired, kAdmin, "", "x").error().code == "filing.illegal_move");
}

BOOST_AUTO_TEST_CASE(roles_are_least_privilege) {
  for (Role role : {Role::kAuditor, Role::kDepartment}) {
    auto r = move(requested(), S::kConfiguring, Actor{"x", role, "marriage"});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().code == "filing.forbidden");
  }
  auto r = move(requested(), S::kRetired, kOperator, "", "duplicate request");
  BOOST_TEST(r.error().code == "filing.forbidden");
  BOOST_TEST(move(requested(), S::kRetired, kAdmin, "", "duplicate request").ok());
}

BOOST_AUTO_TEST_CASE(going_online_needs_a_published_version_and_evidence) {
  Filing f = requested();
  f.state = S::kJointDebugging;
  auto r = move(f, S::kOnline, kOperator, "v3");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "filing.requirement");
  BOOST_TEST(r.error().message ==
             "going online needs a published mapping version (v3 is not "
             "published)");
  BOOST_TEST(move(f, S::kOnline).error().message.find("(mapping_version)") != std::string::npos);
  Checks noEvidence;
  noEvidence.evidence.clear();
  auto e = applyMove(f, MoveRequest{S::kOnline, f.version, "v2", ""}, kOperator, 0,
                     WorkCalendar::china(), noEvidence);
  BOOST_TEST(e.error().message.find("sandbox evidence") != std::string::npos);
  BOOST_TEST(move(f, S::kConfiguring).error().message == "moving to configuring needs a reason");
  Filing c = requested();
  c.state = S::kConfiguring;
  BOOST_TEST(move(c, S::kJointDebugging).error().code == "filing.requirement");
}

BOOST_AUTO_TEST_CASE(a_stale_update_is_refused) {
  Filing f = requested();
  Checks checks;
  auto r = applyMove(f, MoveRequest{S::kConfiguring, 7, "", ""}, kOperator, 0,
                     WorkCalendar::china(), checks);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "filing.stale");
}

BOOST_AUTO_TEST_CASE(configuring_is_due_two_working_days_after_confirmation) {
  // Confirmed Friday 2026-02-13: Sat 02-14 is worked, 02-15..02-23 is the Spring Festival.
  Filing f = move(requested(), S::kConfiguring, kOperator, "", "", at("2026-02-13T16:00:00+08:00"))
                 .value();
  BOOST_TEST(formatDate(*f.configuringDue) == "2026-02-24");
  BOOST_TEST(!isOverdue(f, parseDate("2026-02-24").value()));
  BOOST_TEST(isOverdue(f, parseDate("2026-02-25").value()));
  // Moved on in time: never overdue.
  f.state = S::kJointDebugging;
  BOOST_TEST(!isOverdue(f, parseDate("2026-03-25").value()));
  // Late December: the deadline runs into 2027, which has no published notice yet.
  Filing g = move(requested(), S::kConfiguring, kOperator, "", "", at("2026-12-31T10:00:00+08:00"))
                 .value();
  BOOST_TEST(g.configuringDueProvisional);
}

BOOST_AUTO_TEST_CASE(every_rule_names_its_requirement) {
  for (const auto& r : moveRules()) {
    BOOST_TEST(std::string(r.requires).size() > 3u);
    BOOST_TEST(!r.roles.empty());
  }
  for (const char* s :
       {"requested", "configuring", "joint_debugging", "online", "suspended", "retired"})
    BOOST_TEST(toString(*filingStateFrom(s)) == std::string(s));
  BOOST_TEST(!filingStateFrom("live"));
  BOOST_TEST(!roleFrom("root"));
}

BOOST_AUTO_TEST_SUITE_END()
