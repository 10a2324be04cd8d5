// The SLA clock engine: clock hours 7x24, pauses while waiting for the reporter, reopen, response
// and on-site clocks, working time across 国庆 and its 调休 days, and daylight saving elsewhere.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

#include "gateway/faults/sla/SlaClock.h"
#include "tests/faults/sla/SlaTestSupport.h"

using namespace huitong;
using namespace huitong::sla;
using namespace slatest;

namespace {

const ClockReading& clock(const SlaEvaluation& ev, ClockKind k) {
  const ClockReading* r = ev.find(k);
  BOOST_REQUIRE(r != nullptr);
  return *r;
}

ClockReading resolution(const SlaTimeline& t, EpochMillis now,
                        const WorkCalendar& cal = WorkCalendar::china()) {
  return clock(evaluate(t, SlaPolicy(), now, cal), ClockKind::kResolution);
}

// Sets TZ for the scope (the engine must not care).
struct ZoneScope {
  std::string old;
  bool had = false;
  explicit ZoneScope(const char* zone) {
    if (const char* o = std::getenv("TZ")) {
      old = o;
      had = true;
    }
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~ZoneScope() {
    if (had)
      ::setenv("TZ", old.c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(clock_hours)

BOOST_AUTO_TEST_CASE(general_four_hours_ok_warning_breached) {
  const auto t = ticket(cn(2025, 11, 3, 10));
  auto r = resolution(t, cn(2025, 11, 3, 12));
  BOOST_TEST(toString(r.state) == std::string("ok"));
  BOOST_TEST(r.targetMillis == 4 * kHour);
  BOOST_TEST(r.elapsed == 2 * kHour);
  BOOST_TEST(r.remaining == 2 * kHour);
  BOOST_TEST(r.running);
  BOOST_TEST(!r.workingTime);
  BOOST_REQUIRE(r.dueAt);
  BOOST_TEST(*r.dueAt == cn(2025, 11, 3, 14));
  BOOST_TEST(*r.warnAt == cn(2025, 11, 3, 13));
  BOOST_TEST(describe(r) == "2 h left of 4 hours (due 2025-11-03 14:00 +08:00)");

  r = resolution(t, cn(2025, 11, 3, 13));
  BOOST_TEST(toString(r.state) == std::string("warning"));  // 75 % of 4 h = 3 h
  r = resolution(t, cn(2025, 11, 3, 14, 35));
  BOOST_TEST(toString(r.state) == std::string("breached"));
  BOOST_TEST(r.remaining == -35 * kMin);
  BOOST_TEST(*r.dueAt == cn(2025, 11, 3, 14));
  BOOST_TEST(describe(r) == "breached: over by 35 min (due 2025-11-03 14:00 +08:00)");
}

BOOST_AUTO_TEST_CASE(major_twenty_four_hours_ignores_holidays_and_nights) {
  // 7x24: 国庆 and the night count like any hour.
  const auto t = ticket(cn(2025, 10, 1, 9), Severity::kMajor);
  auto r = resolution(t, cn(2025, 10, 2, 8));
  BOOST_TEST(toString(r.state) == std::string("warning"));
  BOOST_TEST(*r.dueAt == cn(2025, 10, 2, 9));
  BOOST_TEST(r.remaining == 1 * kHour);
}

BOOST_AUTO_TEST_CASE(met_and_missed) {
  auto t = ticket(cn(2025, 11, 3, 10));
  t.statuses = {{cn(2025, 11, 3, 10, 5), "assigned"}, {cn(2025, 11, 3, 13, 30), "resolved"}};
  auto r = resolution(t, cn(2025, 11, 4, 9));
  BOOST_TEST(toString(r.state) == std::string("met"));
  BOOST_TEST(r.elapsed == 3 * kHour + 30 * kMin);
  BOOST_TEST(!r.dueAt);
  BOOST_TEST(*r.stoppedAt == cn(2025, 11, 3, 13, 30));
  BOOST_TEST(describe(r) == "met: 3 h 30 min of 4 hours");

  t.statuses.back().at = cn(2025, 11, 3, 15);
  r = resolution(t, cn(2025, 11, 4, 9));
  BOOST_TEST(toString(r.state) == std::string("missed"));
  BOOST_TEST(*r.dueAt == cn(2025, 11, 3, 14));
  BOOST_TEST(describe(r) == "missed: 5 h of 4 hours (over by 1 h)");

  // Resolved exactly at the deadline is met; closed later changes nothing.
  t.statuses.back().at = cn(2025, 11, 3, 14);
  t.statuses.push_back({cn(2025, 11, 5, 9), "closed"});
  BOOST_TEST(toString(resolution(t, cn(2025, 11, 6, 9)).state) == std::string("met"));
}

BOOST_AUTO_TEST_CASE(resolved_at_field_without_status_history) {
  auto t = ticket(cn(2025, 11, 3, 10));
  t.resolvedAt = cn(2025, 11, 3, 11);
  t.closedAt = cn(2025, 11, 3, 12);
  auto r = resolution(t, cn(2025, 11, 3, 18));
  BOOST_TEST(toString(r.state) == std::string("met"));
  BOOST_TEST(r.elapsed == 1 * kHour);
}

BOOST_AUTO_TEST_CASE(waiting_for_reporter_pauses) {
  auto t = ticket(cn(2025, 11, 3, 10));
  t.statuses = {{cn(2025, 11, 3, 11), "waiting_for_reporter"},
                {cn(2025, 11, 3, 13), "in_progress"}};
  // Paused now: 1 h counted, no due instant while the reporter is awaited.
  auto r = resolution(t, cn(2025, 11, 3, 12, 30));
  BOOST_TEST(r.paused);
  BOOST_TEST(!r.running);
  BOOST_TEST(r.elapsed == 1 * kHour);
  BOOST_TEST(!r.dueAt);
  BOOST_TEST(describe(r) == "3 h left of 4 hours; paused while waiting for the reporter");
  // Resumed: 15:00 → 3 h counted (2 h paused), due 16:00.
  r = resolution(t, cn(2025, 11, 3, 15));
  BOOST_TEST(r.elapsed == 3 * kHour);
  BOOST_TEST(toString(r.state) == std::string("warning"));
  BOOST_TEST(*r.dueAt == cn(2025, 11, 3, 16));
  // A pause never makes a breached clock ok again.
  t.statuses.push_back({cn(2025, 11, 3, 17), "waiting_for_reporter"});
  r = resolution(t, cn(2025, 11, 4, 9));
  BOOST_TEST(toString(r.state) == std::string("breached"));
  BOOST_TEST(r.paused);
  BOOST_TEST(*r.dueAt == cn(2025, 11, 3, 16));
  BOOST_TEST(r.elapsed == 5 * kHour);
}

BOOST_AUTO_TEST_CASE(reopen_resumes_where_it_stopped) {
  auto t = ticket(cn(2025, 11, 3, 10));
  t.statuses = {{cn(2025, 11, 3, 12), "resolved"}, {cn(2025, 11, 3, 20), "in_progress"}};
  auto r = resolution(t, cn(2025, 11, 3, 21, 30));
  BOOST_TEST(!r.stopped);
  BOOST_TEST(r.elapsed == 3 * kHour + 30 * kMin);  // 2 h before, 1.5 h since the reopen
  BOOST_TEST(toString(r.state) == std::string("warning"));
  BOOST_TEST(*r.dueAt == cn(2025, 11, 3, 22));
  // Resolved again at 23:00: 5 h in all → missed, judged at the last resolution.
  t.statuses.push_back({cn(2025, 11, 3, 23), "resolved"});
  r = resolution(t, cn(2025, 11, 4, 9));
  BOOST_TEST(toString(r.state) == std::string("missed"));
  BOOST_TEST(*r.stoppedAt == cn(2025, 11, 3, 23));
  BOOST_TEST(*r.dueAt == cn(2025, 11, 3, 22));
  // As of the first resolution the same ticket was met (events after `now` are ignored).
  BOOST_TEST(toString(resolution(t, cn(2025, 11, 3, 19)).state) == std::string("met"));
}

BOOST_AUTO_TEST_CASE(response_clock) {
  auto t = ticket(cn(2025, 11, 3, 10));
  auto ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 10, 25));
  BOOST_TEST(toString(clock(ev, ClockKind::kResponse).state) ==
             std::string("warning"));  // 25 of 30 min
  ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 10, 40));
  BOOST_TEST(toString(clock(ev, ClockKind::kResponse).state) == std::string("breached"));
  BOOST_TEST(toString(ev.worstOpen()) == std::string("breached"));
  t.firstResponseAt = cn(2025, 11, 3, 10, 20);
  ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 10, 40));
  BOOST_TEST(toString(clock(ev, ClockKind::kResponse).state) == std::string("met"));
  BOOST_TEST(toString(ev.worstOpen()) == std::string("ok"));
  // Major: 15 min.
  t.severity = Severity::kMajor;
  ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 10, 40));
  BOOST_TEST(toString(clock(ev, ClockKind::kResponse).state) == std::string("missed"));
  // Nobody answered but it was resolved: the resolution is the response.
  auto q = ticket(cn(2025, 11, 3, 10));
  q.statuses = {{cn(2025, 11, 3, 10, 10), "resolved"}};
  ev = evaluate(q, SlaPolicy(), cn(2025, 11, 3, 12));
  BOOST_TEST(toString(clock(ev, ClockKind::kResponse).state) == std::string("met"));
  BOOST_TEST(clock(ev, ClockKind::kResponse).elapsed == 10 * kMin);
}

BOOST_AUTO_TEST_CASE(on_site_clock) {
  auto t = ticket(cn(2025, 11, 3, 10));
  auto ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 12));
  BOOST_TEST(ev.find(ClockKind::kOnSite) == nullptr);  // nobody dispatched
  t.onSiteDispatchedAt = cn(2025, 11, 3, 10, 30);
  // The reporter's pause does not stop travel.
  t.statuses = {{cn(2025, 11, 3, 10, 40), "waiting_for_reporter"}};
  ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 11, 20));
  BOOST_TEST(toString(clock(ev, ClockKind::kOnSite).state) == std::string("warning"));
  BOOST_TEST(clock(ev, ClockKind::kOnSite).elapsed == 50 * kMin);
  ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 11, 31));
  BOOST_TEST(toString(clock(ev, ClockKind::kOnSite).state) == std::string("breached"));
  BOOST_TEST(*clock(ev, ClockKind::kOnSite).dueAt == cn(2025, 11, 3, 11, 30));
  t.onSiteArrivedAt = cn(2025, 11, 3, 11, 15);
  ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 13));
  BOOST_TEST(toString(clock(ev, ClockKind::kOnSite).state) == std::string("met"));
  t.onSiteArrivedAt = cn(2025, 11, 3, 11, 45);
  ev = evaluate(t, SlaPolicy(), cn(2025, 11, 3, 13));
  BOOST_TEST(toString(clock(ev, ClockKind::kOnSite).state) == std::string("missed"));
}

BOOST_AUTO_TEST_CASE(validation_names_the_field) {
  auto t = ticket(cn(2025, 11, 3, 10));
  BOOST_TEST(validate(t).ok());
  t.statuses = {{cn(2025, 11, 3, 9), "assigned"}};
  auto r = validate(t);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path == "statuses[0].at");
  BOOST_TEST(r.error().message ==
             "statuses[0] (assigned at 2025-11-03 09:00 +08:00) is before created_at");
  t.statuses = {{cn(2025, 11, 3, 11), "assigned"}, {cn(2025, 11, 3, 10, 30), "resolved"}};
  BOOST_TEST(validate(t).error().path == "statuses[1].at");
  t.statuses.clear();
  t.onSiteArrivedAt = cn(2025, 11, 3, 11);
  BOOST_TEST(validate(t).error().message == "on_site_arrived_at is set but nobody was dispatched");
  t.onSiteDispatchedAt = cn(2025, 11, 3, 12);
  BOOST_TEST(validate(t).error().path == "on_site_arrived_at");
  t = ticket(cn(2025, 11, 3, 10));
  t.firstResponseAt = cn(2025, 11, 3, 9);
  BOOST_TEST(validate(t).error().path == "first_response_at");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(working_days)

// 2025: 国庆节、中秋节 1–8 October off; Sunday 28 September and Saturday 11 October worked (调休).
BOOST_AUTO_TEST_CASE(bug_clock_across_national_day_and_the_adjusted_saturday) {
  const auto t = ticket(cn(2025, 9, 30, 10), Severity::kGeneral, "bug");
  // 30 Sep: 10:00–12:00 + 14:00–17:30 = 5.5 h; 9, 10, 11 (调休 Saturday), 13 Oct: 7 h each
  // = 33.5 h; the last 1.5 h on Tuesday 14 October from 08:30 → 10:00.
  auto r = resolution(t, cn(2025, 10, 5, 12));
  BOOST_TEST(r.workingTime);
  BOOST_TEST(r.targetMillis == 35 * kHour);
  BOOST_TEST(r.elapsed == 5 * kHour + 30 * kMin);  // nothing counted over the holiday
  BOOST_TEST(toString(r.state) == std::string("ok"));
  BOOST_TEST(r.running);
  BOOST_REQUIRE(r.dueAt);
  BOOST_TEST(formatChinaTime(*r.dueAt) == "2025-10-14 10:00 +08:00");
  BOOST_TEST(describe(r) ==
             "29 h 30 min working time left of 5 working days (due 2025-10-14 10:00 +08:00)");
  // On the adjusted Saturday the clock runs: 5.5 + 7 + 7 + 3.5 (to 12:00) = 23 h.
  r = resolution(t, cn(2025, 10, 11, 12));
  BOOST_TEST(r.elapsed == 23 * kHour);
  // 75 % of 35 h = 26.25 h: reached on the Saturday at 17:15.
  BOOST_TEST(formatChinaTime(*r.warnAt) == "2025-10-11 17:15 +08:00");
  // Over the ordinary Sunday after it nothing counts.
  BOOST_TEST(resolution(t, cn(2025, 10, 12, 23)).elapsed == 26 * kHour + 30 * kMin);
  r = resolution(t, cn(2025, 10, 14, 10, 1));
  BOOST_TEST(toString(r.state) == std::string("breached"));
  BOOST_TEST(formatChinaTime(*r.dueAt) == "2025-10-14 10:00 +08:00");

  // The same calendar without the 调休 Saturday: one working day later.
  WorkCalendar noAdjusted = WorkCalendar::china();
  noAdjusted.addDayOff(parseDate("2025-10-11").value());
  r = resolution(t, cn(2025, 10, 5, 12), noAdjusted);
  BOOST_TEST(formatChinaTime(*r.dueAt) == "2025-10-15 10:00 +08:00");
}

BOOST_AUTO_TEST_CASE(adjusted_sunday_before_the_holiday_counts) {
  // Saturday 27 September 2025 is off; Sunday 28 September is worked (调休).
  const auto t = ticket(cn(2025, 9, 27, 12), Severity::kMajor, "bug");
  auto r = resolution(t, cn(2025, 9, 28, 10));
  BOOST_TEST(r.elapsed == 1 * kHour + 30 * kMin);
  // 28 Sep 7 h, 29 Sep 7 h, 30 Sep 7 h, 9 Oct, 10 Oct → due 17:30 on Friday 10 October.
  BOOST_TEST(formatChinaTime(*r.dueAt) == "2025-10-10 17:30 +08:00");
}

BOOST_AUTO_TEST_CASE(pause_and_reopen_in_working_time) {
  auto t = ticket(cn(2025, 11, 3, 9), Severity::kGeneral, "bug");  // Monday
  t.statuses = {{cn(2025, 11, 3, 11), "waiting_for_reporter"},     // 2 h counted
                {cn(2025, 11, 5, 9), "in_progress"},               // Wed 09:00
                {cn(2025, 11, 5, 10), "resolved"},                 // +1 h
                {cn(2025, 11, 10, 9), "in_progress"}};             // reopened Mon 10 Nov
  auto r = resolution(t, cn(2025, 11, 10, 12));
  BOOST_TEST(r.elapsed == 2 * kHour + 1 * kHour + 3 * kHour);
  // 35 − 6 = 29 h from Mon 10 Nov 12:00: Mon 3.5, Tue–Thu 21 → 24.5; Fri 3.5 to noon, 1 h → 15:00.
  BOOST_TEST(formatChinaTime(*r.dueAt) == "2025-11-14 15:00 +08:00");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(no_daylight_saving_assumed)

// Europe switched to summer time at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on
// 25 October 2026; the United States on 8 March 2026 at 07:00 UTC. Clocks are computed on UTC
// instants, so a clock across a change is exactly its target long, whatever TZ says.
BOOST_AUTO_TEST_CASE(clock_hours_across_european_and_american_changes) {
  for (const char* zone : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai"}) {
    ZoneScope z(zone);
    BOOST_TEST_CONTEXT(zone) {
      auto spring = ticket(utc(2026, 3, 28, 23, 30), Severity::kMajor);
      auto r = resolution(spring, utc(2026, 3, 29, 23));
      BOOST_TEST(r.elapsed == 23 * kHour + 30 * kMin);  // a wall clock in Berlin shows 24.5 h
      BOOST_TEST(*r.dueAt == utc(2026, 3, 29, 23, 30));
      BOOST_TEST(toString(r.state) == std::string("warning"));

      auto autumn = ticket(utc(2026, 10, 25, 0));
      r = resolution(autumn, utc(2026, 10, 25, 3, 59));
      BOOST_TEST(toString(r.state) ==
                 std::string("warning"));  // 3 h 59 min; Berlin's wall shows 2 h 59 min
      BOOST_TEST(*r.dueAt == utc(2026, 10, 25, 4));
      BOOST_TEST(toString(resolution(autumn, utc(2026, 10, 25, 4, 1)).state) ==
                 std::string("breached"));

      auto us = ticket(utc(2026, 3, 8, 5));
      us.statuses = {{utc(2026, 3, 8, 6), "waiting_for_reporter"},
                     {utc(2026, 3, 8, 8), "in_progress"}};
      r = resolution(us, utc(2026, 3, 8, 10));
      BOOST_TEST(r.elapsed == 3 * kHour);
      BOOST_TEST(*r.dueAt == utc(2026, 3, 8, 11));

      // Working time is China's (UTC+8 all year) whatever the process's zone.
      auto bug = ticket(cn(2026, 3, 27, 16), Severity::kGeneral, "bug");  // Friday
      r = resolution(bug, utc(2026, 3, 29, 2));                           // Sunday night
      BOOST_TEST(r.elapsed == 1 * kHour + 30 * kMin);
      BOOST_TEST(formatChinaTime(*r.dueAt) == "2026-04-03 16:00 +08:00");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
