// China's working-day calendar (工作日历): public holidays and adjusted working days (调休) from
// the State Council's yearly notices (gateway/core/calendar/cn-public-holidays.json, built into
// the binary), operator overrides, and office hours (default 08:30–12:00 and 14:00–17:30,
// Asia/Shanghai — UTC+8 all year, China has no daylight saving).
//
// A date in a year with no published notice is judged Monday–Friday and every answer that
// depended on such a date says so (`provisional`): a deadline far ahead is an estimate until
// the notice for its year is added.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"

namespace huitong {

// A civil date as days since 1970-01-01 (negative before).
using Day = std::int64_t;

// "2026-02-14" → Day; an error for anything else (an impossible date included).
Result<Day> parseDate(const std::string& text);
std::string formatDate(Day day);
// 0 = Monday … 6 = Sunday.
int weekday(Day day);
// The civil date in China (UTC+8) of an instant.
Day chinaDay(EpochMillis t);

struct OfficeHours {
  int startMinute = 0;  // minutes after midnight, local time
  int endMinute = 0;    // exclusive
};

class WorkCalendar {
 public:
  // The calendar shipped in the binary, with the default office hours.
  static const WorkCalendar& china();
  // A calendar from data in the format of cn-public-holidays.json (errors name file:line).
  static Result<WorkCalendar> parse(const std::string& text, const std::string& fileName);

  // Operator overrides and office hours from a config block:
  // {"extra_days_off": ["2026-12-24"], "extra_working_days": ["2026-12-26"],
  //  "office_hours": [["08:30", "12:00"], ["14:00", "17:30"]]}.
  Result<void> configure(const ConfigNode& block);
  void addDayOff(Day day, const std::string& why = "operator override");
  void addWorkingDay(Day day, const std::string& why = "operator override");
  Result<void> setOfficeHours(std::vector<OfficeHours> hours);

  bool isWorkday(Day day) const;
  // Whether `day`'s year has a published notice (else isWorkday is Monday–Friday only).
  bool isPublished(Day day) const;
  // Why a day is what it is: "春节", "adjusted working day (国庆节)", "weekend", "workday".
  std::string reason(Day day) const;

  struct DayAnswer {
    Day day = 0;
    bool provisional = false;  // a year without a published notice was counted Mon–Fri
  };
  // The date `n` working days after `from` (from itself not counted; n ≥ 0; n = 0 → from).
  DayAnswer addWorkdays(Day from, int n) const;

  // Whether the instant is inside office hours on a working day (China time).
  bool isWorkingTime(EpochMillis t) const;
  struct SpanAnswer {
    EpochMillis millis = 0;
    bool provisional = false;
  };
  // Office-hours time between two instants (0 when to <= from).
  SpanAnswer workingTimeBetween(EpochMillis from, EpochMillis to) const;
  struct InstantAnswer {
    EpochMillis at = 0;
    bool provisional = false;
  };
  // The instant when `millis` of office-hours time have passed after `from`.
  InstantAnswer addWorkingTime(EpochMillis from, EpochMillis millis) const;

  const std::vector<OfficeHours>& officeHours() const { return hours_; }
  std::vector<int> publishedYears() const;

 private:
  std::map<Day, std::string> off_;   // days off that would otherwise be working days
  std::map<Day, std::string> work_;  // weekend days worked
  std::set<int> years_;
  std::vector<OfficeHours> hours_{{8 * 60 + 30, 12 * 60}, {14 * 60, 17 * 60 + 30}};
};

}  // namespace huitong
