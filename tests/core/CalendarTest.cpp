// The working-day calendar: every day of 2022–2026 against the reference data
// (../shared/testdata/holiday-cn, read at test time), deadlines across the 2025 and 2026 Spring
// Festival and National Day breaks, provisional answers past the published years, office
// hours, operator overrides.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/core/WorkCalendar.h"

using namespace huitong;
namespace fs = std::filesystem;

namespace {

Day day(const std::string& s) {
  auto d = parseDate(s);
  BOOST_REQUIRE_MESSAGE(d.ok(), s);
  return d.value();
}

std::string plus(const std::string& from, int n) {
  return formatDate(WorkCalendar::china().addWorkdays(day(from), n).day);
}

EpochMillis at(const std::string& rfc3339) {
  EpochMillis t = 0;
  BOOST_REQUIRE_MESSAGE(parseRfc3339(rfc3339, t), rfc3339);
  return t;
}

// Through the gateway's parser: Document::Parse's SIMD scans read past a string literal.
rapidjson::Document parsed(std::string_view text) {
  auto d = json::parse(text);
  BOOST_REQUIRE(d.ok());
  return std::move(d).value();
}

const fs::path kReference = fs::path(HUITONG_SOURCE_DIR) / "../shared/testdata/holiday-cn";

}  // namespace

BOOST_AUTO_TEST_SUITE(calendar)

BOOST_AUTO_TEST_CASE(dates_parse_strictly) {
  BOOST_TEST(formatDate(day("2026-02-14")) == "2026-02-14");
  BOOST_TEST(weekday(day("2026-11-28")) == 5);  // a Saturday
  BOOST_TEST(weekday(day("1970-01-01")) == 3);  // a Thursday
  for (const char* bad : {"2026-02-30", "2026-2-3", "2026-13-01", "20260214", "", "2026-02-1x"})
    BOOST_TEST(!parseDate(bad).ok(), bad);
  BOOST_TEST(formatDate(chinaDay(at("2026-11-27T16:30:00Z"))) == "2026-11-28");  // 00:30 +08
}

BOOST_AUTO_TEST_CASE(every_day_of_2022_to_2026_matches_the_official_notices) {
  const WorkCalendar& cal = WorkCalendar::china();
  std::size_t listed = 0, checked = 0;
  for (int year = 2022; year <= 2026; ++year) {
    std::ifstream f(kReference / (std::to_string(year) + ".json"));
    BOOST_REQUIRE_MESSAGE(f, "reference data missing: " << kReference);
    std::ostringstream ss;
    ss << f.rdbuf();
    auto doc = json::parse(ss.str());
    BOOST_REQUIRE(doc.ok());
    std::map<Day, bool> off;  // the reference's listed days
    for (const auto& d : doc.value()["days"].GetArray()) {
      const std::string date = d["date"].GetString();
      if (date.substr(0, 4) == std::to_string(year))
        off[day(date)] = d["isOffDay"].GetBool();
    }
    listed += off.size();
    BOOST_TEST(cal.isPublished(day(std::to_string(year) + "-06-01")));
    for (Day d = day(std::to_string(year) + "-01-01"); d <= day(std::to_string(year) + "-12-31");
         ++d) {
      const auto it = off.find(d);
      // Unlisted days follow the week; weekends that merely adjoin a break are not listed.
      const bool expected = it != off.end() ? !it->second : weekday(d) < 5;
      BOOST_TEST(cal.isWorkday(d) == expected, formatDate(d) << ": " << cal.reason(d));
      ++checked;
    }
  }
  BOOST_TEST(listed > 150u);
  BOOST_TEST(checked == 1826u);
}

BOOST_AUTO_TEST_CASE(deadlines_across_the_2025_and_2026_breaks) {
  // 2025 Spring Festival: off 01-28..02-04, worked Sun 01-26 and Sat 02-08.
  BOOST_TEST(plus("2025-01-27", 2) == "2025-02-06");
  BOOST_TEST(plus("2025-01-24", 2) == "2025-01-27");  // Sun 01-26 is a working day
  BOOST_TEST(plus("2025-02-06", 2) == "2025-02-08");  // Sat 02-08 is a working day
  // 2025 National Day and Mid-Autumn: off 10-01..10-08, worked Sun 09-28 and Sat 10-11.
  BOOST_TEST(plus("2025-09-26", 2) == "2025-09-29");
  BOOST_TEST(plus("2025-09-30", 2) == "2025-10-10");
  BOOST_TEST(plus("2025-09-30", 3) == "2025-10-11");
  // 2026 Spring Festival: off 02-15..02-23, worked Sat 02-14 and Sat 02-28.
  BOOST_TEST(plus("2026-02-12", 2) == "2026-02-14");
  BOOST_TEST(plus("2026-02-13", 2) == "2026-02-24");
  BOOST_TEST(plus("2026-02-26", 2) == "2026-02-28");
  // 2026 National Day: off 10-01..10-07, worked Sun 09-20 and Sat 10-10.
  BOOST_TEST(plus("2026-09-18", 1) == "2026-09-20");
  BOOST_TEST(plus("2026-09-30", 2) == "2026-10-09");
  BOOST_TEST(plus("2026-09-30", 3) == "2026-10-10");
  // A requirement confirmed on a holiday: its working days start after the break.
  BOOST_TEST(plus("2026-10-03", 2) == "2026-10-09");
  BOOST_TEST(plus("2026-10-03", 0) == "2026-10-03");
  BOOST_TEST(!WorkCalendar::china().addWorkdays(day("2026-09-30"), 3).provisional);
}

BOOST_AUTO_TEST_CASE(a_deadline_in_a_year_without_a_notice_is_provisional) {
  const WorkCalendar& cal = WorkCalendar::china();
  BOOST_TEST(!cal.isPublished(day("2027-01-01")));
  const auto a = cal.addWorkdays(day("2026-12-30"), 3);
  BOOST_TEST(formatDate(a.day) == "2027-01-04");  // 2027-01-01 counted as a Friday
  BOOST_TEST(a.provisional);
  BOOST_TEST(!cal.addWorkdays(day("2026-12-28"), 2).provisional);
  BOOST_TEST(cal.reason(day("2027-01-02")) == "weekend (no published calendar: Mon–Fri)");
}

BOOST_AUTO_TEST_CASE(office_hours_and_working_time) {
  const WorkCalendar& cal = WorkCalendar::china();
  BOOST_TEST(cal.isWorkingTime(at("2026-11-27T09:00:00+08:00")));
  BOOST_TEST(cal.isWorkingTime(at("2026-11-27T08:30:00+08:00")));
  BOOST_TEST(!cal.isWorkingTime(at("2026-11-27T12:00:00+08:00")));  // lunch
  BOOST_TEST(!cal.isWorkingTime(at("2026-11-27T17:30:00+08:00")));
  BOOST_TEST(!cal.isWorkingTime(at("2026-11-28T10:00:00+08:00")));  // Saturday
  BOOST_TEST(cal.isWorkingTime(at("2026-02-14T10:00:00+08:00")));   // adjusted working Saturday
  BOOST_TEST(!cal.isWorkingTime(at("2026-10-02T10:00:00+08:00")));  // National Day
  // Friday 16:00 → Monday 09:30: 1.5 h + 1 h.
  const auto span =
      cal.workingTimeBetween(at("2026-11-27T16:00:00+08:00"), at("2026-11-30T09:30:00+08:00"));
  BOOST_TEST(span.millis == 150 * 60'000);
  BOOST_TEST(
      cal.workingTimeBetween(at("2026-11-30T10:00:00+08:00"), at("2026-11-30T10:00:00+08:00"))
          .millis == 0);
  // 4 working hours from Friday 16:00: 1.5 h on Friday, 2.5 h on Monday → 11:00.
  const auto due = cal.addWorkingTime(at("2026-11-27T16:00:00+08:00"), 4 * 3'600'000);
  BOOST_TEST(formatRfc3339(due.at) == "2026-11-30T11:00:00+08:00");
  // From a holiday: the clock starts at the first office hour after it.
  const auto after = cal.addWorkingTime(at("2026-10-05T10:00:00+08:00"), 30 * 60'000);
  BOOST_TEST(formatRfc3339(after.at) == "2026-10-08T09:00:00+08:00");
}

BOOST_AUTO_TEST_CASE(operator_overrides_and_office_hours_from_config) {
  WorkCalendar cal = WorkCalendar::china();
  rapidjson::Document d;
  d = parsed(
      R"({"extra_days_off": ["2026-12-24"], "extra_working_days": ["2026-12-26"],
             "office_hours": [["09:00", "12:00"], ["13:30", "18:00"]]})");
  BOOST_REQUIRE(cal.configure(ConfigNode(d, "/calendar", nullptr, "")).ok());
  BOOST_TEST(!cal.isWorkday(day("2026-12-24")));
  BOOST_TEST(cal.isWorkday(day("2026-12-26")));
  BOOST_TEST(cal.reason(day("2026-12-24")) == "operator override");
  BOOST_TEST(cal.isWorkingTime(at("2026-11-27T17:45:00+08:00")));
  BOOST_TEST(!cal.isWorkingTime(at("2026-11-27T08:45:00+08:00")));
  // The shipped calendar is unchanged.
  BOOST_TEST(WorkCalendar::china().isWorkday(day("2026-12-24")));

  for (const char* bad :
       {R"({"extra_days_off": ["2026-12-32"]})", R"({"office_hours": [["12:00", "09:00"]]})",
        R"({"office_hours": [["08:00", "12:00"], ["11:00", "13:00"]]})",
        R"({"office_hours": [["8:00", "12:00"]]})", R"({"holidays": []})"}) {
    rapidjson::Document b;
    b = parsed(bad);
    WorkCalendar c = WorkCalendar::china();
    auto r = c.configure(ConfigNode(b, "/calendar", nullptr, ""));
    BOOST_TEST(!r.ok(), bad);
    if (!r.ok())
      BOOST_TEST(r.error().path.rfind("/calendar", 0) == 0u, bad << " → " << r.error().path);
  }
}

BOOST_AUTO_TEST_CASE(broken_calendar_data_is_refused_with_the_year) {
  auto r = WorkCalendar::parse(R"({"years": {"2030": {"off": [], "work": [["2030-01-02", "x"]]}}})",
                               "cal.json");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message.find("Saturday or Sunday") != std::string::npos);
  BOOST_TEST(r.error().path == "cal.json years.2030");
  BOOST_TEST(
      !WorkCalendar::parse(
           R"({"years": {"2030": {"off": [["2030-01-05", "2030-01-01", "x"]], "work": []}}})", "c")
           .ok());
  BOOST_TEST(!WorkCalendar::parse("[]", "c").ok());
}

BOOST_AUTO_TEST_SUITE_END()
