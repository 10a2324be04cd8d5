#define BOOST_TEST_MODULE ops_jobs
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "gateway/ops/OpsJobs.h"

using namespace huitong;
using huitong::ops::Job;
using huitong::ops::OpsJobs;

namespace {

EpochMillis at(const char* rfc3339) {
  EpochMillis t = 0;
  BOOST_REQUIRE(parseRfc3339(rfc3339, t));
  return t;
}

ops::JobWhen when(const std::string& text) {
  auto w = ops::parseJobWhen(text);
  BOOST_REQUIRE_MESSAGE(w.ok(), (w.ok() ? "" : w.error().message));
  return w.value();
}

struct Runs {
  std::vector<EpochMillis> due;
  std::vector<bool> intensified;
  std::function<void(EpochMillis, bool)> fn() {
    return [this](EpochMillis d, bool i) {
      due.push_back(d);
      intensified.push_back(i);
    };
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(day_rules_are_read_and_bad_ones_say_what_is_accepted) {
  BOOST_TEST(when("daily 02:30").minuteOfDay == 150);
  BOOST_TEST(when("monthly 1 06:00").dayOfMonth == 1);
  BOOST_TEST(when("  workdays   09:00 ").minuteOfDay == 540);
  for (const char* bad : {"", "daily", "daily 24:00", "daily 9:00", "hourly 09:00",
                          "monthly 31 06:00", "monthly x 06:00", "workdays 09:00 extra"}) {
    auto r = ops::parseJobWhen(bad);
    BOOST_TEST_INFO(bad);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().code == "ops.schedule");
    BOOST_TEST(r.error().message.find("expected \"daily HH:MM\"") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(next_slots_follow_local_time_the_work_calendar_and_the_month) {
  const auto& cal = WorkCalendar::china();
  // 02:30 in China is 18:30 UTC the day before.
  BOOST_TEST(ops::nextJobDue(when("daily 02:30"), at("2026-11-28T12:00:00+08:00"), cal) ==
             at("2026-11-29T02:30:00+08:00"));
  // Exactly at the slot: the next one (strictly after).
  BOOST_TEST(ops::nextJobDue(when("daily 02:30"), at("2026-11-29T02:30:00+08:00"), cal) ==
             at("2026-11-30T02:30:00+08:00"));
  // Friday evening → Monday for working days; the National Day week is skipped and the
  // adjusted Sunday working day of 2026 (if the calendar has one) is honoured by isWorkday.
  BOOST_TEST(ops::nextJobDue(when("workdays 09:00"), at("2026-11-27T18:00:00+08:00"), cal) ==
             at("2026-11-30T09:00:00+08:00"));
  const EpochMillis afterHoliday =
      ops::nextJobDue(when("workdays 09:00"), at("2026-09-30T18:00:00+08:00"), cal);
  BOOST_TEST(cal.isWorkday(chinaDay(afterHoliday)));
  BOOST_TEST(afterHoliday > at("2026-10-07T00:00:00+08:00"));
  BOOST_TEST(ops::nextJobDue(when("monthly 1 06:00"), at("2026-11-28T12:00:00+08:00"), cal) ==
             at("2026-12-01T06:00:00+08:00"));
  BOOST_TEST(ops::nextJobDue(when("monthly 1 06:00"), at("2026-12-01T06:00:01+08:00"), cal) ==
             at("2027-01-01T06:00:00+08:00"));
}

BOOST_AUTO_TEST_CASE(a_due_job_runs_once_even_when_days_passed_then_plans_from_now) {
  FixedClock clock(at("2026-11-28T12:00:00+08:00"));
  OpsJobs jobs(clock, WorkCalendar::china());
  Runs runs;
  jobs.add(Job{"backup", when("daily 02:30"), 0, nullptr, runs.fn()});
  jobs.tick();
  BOOST_TEST(runs.due.empty());
  clock.set(at("2026-12-02T08:00:00+08:00"));  // three slots passed (stopped laptop, jump)
  jobs.tick();
  BOOST_REQUIRE(runs.due.size() == 1U);
  BOOST_TEST(runs.due[0] == at("2026-11-29T02:30:00+08:00"));
  BOOST_TEST(jobs.snapshot().at(0).nextDue == at("2026-12-03T02:30:00+08:00"));
  jobs.tick();
  BOOST_TEST(runs.due.size() == 1U);
}

BOOST_AUTO_TEST_CASE(a_clock_set_back_plans_again) {
  FixedClock clock(at("2026-11-28T12:00:00+08:00"));
  OpsJobs jobs(clock, WorkCalendar::china());
  Runs runs;
  jobs.add(Job{"inspect", when("daily 09:00"), 0, nullptr, runs.fn()});
  clock.set(at("2026-11-20T12:00:00+08:00"));  // a week back
  jobs.tick();
  BOOST_TEST(jobs.snapshot().at(0).nextDue == at("2026-11-21T09:00:00+08:00"));
}

BOOST_AUTO_TEST_CASE(the_intensified_cadence_runs_while_the_predicate_holds) {
  FixedClock clock(at("2026-11-28T10:00:00+08:00"));
  OpsJobs jobs(clock, WorkCalendar::china());
  Runs runs;
  bool event = false;
  jobs.add(Job{"inspect", when("workdays 09:00"), 30, [&] { return event; }, runs.fn()});
  jobs.tick();
  BOOST_TEST(runs.due.empty());
  event = true;
  jobs.tick();  // the event began: at once
  BOOST_REQUIRE(runs.due.size() == 1U);
  BOOST_TEST(runs.intensified[0]);
  clock.set(clock.now() + 29 * 60000);
  jobs.tick();
  BOOST_TEST(runs.due.size() == 1U);
  clock.set(clock.now() + 60000);
  jobs.tick();
  BOOST_TEST(runs.due.size() == 2U);
  event = false;
  clock.set(clock.now() + 60 * 60000);
  jobs.tick();
  BOOST_TEST(runs.due.size() == 2U);
}

BOOST_AUTO_TEST_CASE(a_job_that_throws_is_recorded_and_the_others_still_run) {
  FixedClock clock(at("2026-11-28T12:00:00+08:00"));
  OpsJobs jobs(clock, WorkCalendar::china());
  Runs runs;
  jobs.add(Job{"broken", when("daily 13:00"), 0, nullptr,
               [](EpochMillis, bool) { throw std::runtime_error("disk full"); }});
  jobs.add(Job{"fine", when("daily 13:00"), 0, nullptr, runs.fn()});
  clock.set(at("2026-11-28T13:00:00+08:00"));
  jobs.tick();
  auto st = jobs.snapshot();
  BOOST_TEST(st.at(0).lastError == "disk full");
  BOOST_TEST(st.at(0).runs == 1U);
  BOOST_TEST(st.at(1).lastError.empty());
  BOOST_TEST(runs.due.size() == 1U);
}

BOOST_AUTO_TEST_CASE(the_thread_runs_due_jobs_and_stops) {
  FixedClock clock(at("2026-11-28T12:59:59+08:00"));
  OpsJobs jobs(clock, WorkCalendar::china(), std::chrono::milliseconds(5));
  std::atomic<int> n{0};
  jobs.add(Job{"x", when("daily 13:00"), 0, nullptr, [&](EpochMillis, bool) { ++n; }});
  jobs.start();
  clock.set(at("2026-11-28T13:00:00+08:00"));
  for (int i = 0; i < 400 && n.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  jobs.stop();
  BOOST_TEST(n.load() == 1);
}
