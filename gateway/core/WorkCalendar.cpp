#include "gateway/core/WorkCalendar.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "gateway/core/Json.h"

// The shipped data: gateway/core/calendar/cn-public-holidays.json, embedded at build time
// (gateway/core/CMakeLists.txt), so that no run-time path can go missing.
extern "C" const char kHuitongChinaCalendar[];

namespace huitong {
namespace {

constexpr EpochMillis kDayMillis = 86'400'000;
constexpr EpochMillis kChinaOffset = 8 * 3'600'000;
constexpr EpochMillis kMinute = 60'000;

struct Civil {
  int y;
  unsigned m, d;
};

// Howard Hinnant's civil_from_days.
Civil civilFromDays(Day z) {
  z += 719468;
  const Day era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const Day y = static_cast<Day>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

Result<int> parseHourMinute(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !std::isdigit(static_cast<unsigned char>(s[0])) ||
      !std::isdigit(static_cast<unsigned char>(s[1])) ||
      !std::isdigit(static_cast<unsigned char>(s[3])) ||
      !std::isdigit(static_cast<unsigned char>(s[4]))) {
    return Error{"calendar.time", "not a time of day HH:MM: \"" + s + "\"", ""};
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0))
    return Error{"calendar.time", "not a time of day HH:MM: \"" + s + "\"", ""};
  return h * 60 + m;
}

}  // namespace

Result<Day> parseDate(const std::string& text) {
  auto bad = [&] {
    return Error{"calendar.date", "not a date YYYY-MM-DD: \"" + text.substr(0, 40) + "\"", ""};
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return bad();
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      return bad();
  }
  const int y = std::stoi(text.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m))
    return bad();
  return daysFromCivil(y, m, d);
}

std::string formatDate(Day day) {
  const Civil c = civilFromDays(day);
  // Room for any int year and unsigned month and day, not only the 4+2+2 digits of a real
  // date: GCC's -Wformat-truncation (Release, -O3) judges the types' full ranges, and a cut
  // date would be wrong in silence.
  constexpr std::size_t kIntChars = std::numeric_limits<int>::digits10 + 2;  // sign, rounding
  constexpr std::size_t kUnsignedChars = std::numeric_limits<unsigned>::digits10 + 1;
  char buf[kIntChars + 1 + kUnsignedChars + 1 + kUnsignedChars + 1];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.y, c.m, c.d);
  return std::string(buf, static_cast<std::size_t>(n));
}

int weekday(Day day) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return static_cast<int>(((day % 7) + 7 + 3) % 7);
}

Day chinaDay(EpochMillis t) {
  const EpochMillis local = t + kChinaOffset;
  return local >= 0 ? local / kDayMillis : (local - kDayMillis + 1) / kDayMillis;
}

const WorkCalendar& WorkCalendar::china() {
  static const WorkCalendar calendar = [] {
    auto c = parse(kHuitongChinaCalendar, "gateway/core/calendar/cn-public-holidays.json");
    // The build refuses a broken file (tests/core runs it); an empty calendar is Mon–Fri.
    return c.ok() ? std::move(c).value() : WorkCalendar();
  }();
  return calendar;
}

Result<WorkCalendar> WorkCalendar::parse(const std::string& text, const std::string& fileName) {
  auto doc = json::parse(text);
  if (!doc.ok())
    return Error{"calendar.data", doc.error().message, fileName};
  const auto& root = doc.value();
  if (!root.IsObject() || !root.HasMember("years") || !root["years"].IsObject())
    return Error{"calendar.data", "expected {\"years\": {...}}", fileName};
  WorkCalendar cal;
  for (auto y = root["years"].MemberBegin(); y != root["years"].MemberEnd(); ++y) {
    const std::string year = y->name.GetString();
    const std::string where = fileName + " years." + year;
    if (year.size() != 4 || !std::all_of(year.begin(), year.end(), ::isdigit))
      return Error{"calendar.data", "a year is four digits: \"" + year + "\"", where};
    const auto& v = y->value;
    if (!v.IsObject() || !v.HasMember("off") || !v["off"].IsArray() || !v.HasMember("work") ||
        !v["work"].IsArray()) {
      return Error{"calendar.data", "a year has \"off\" and \"work\" lists", where};
    }
    cal.years_.insert(std::stoi(year));
    for (const auto& r : v["off"].GetArray()) {
      if (!r.IsArray() || r.Size() != 3 || !r[0].IsString() || !r[1].IsString() ||
          !r[2].IsString()) {
        return Error{"calendar.data", "an \"off\" entry is [first, last, holiday]", where};
      }
      auto a = parseDate(r[0].GetString());
      auto b = parseDate(r[1].GetString());
      if (!a.ok())
        return Error{"calendar.data", a.error().message, where};
      if (!b.ok())
        return Error{"calendar.data", b.error().message, where};
      if (b.value() < a.value() || b.value() - a.value() > 31)
        return Error{"calendar.data", "an \"off\" range runs backwards or too long", where};
      for (Day d = a.value(); d <= b.value(); ++d)
        cal.off_[d] = r[2].GetString();
    }
    for (const auto& r : v["work"].GetArray()) {
      if (!r.IsArray() || r.Size() != 2 || !r[0].IsString() || !r[1].IsString())
        return Error{"calendar.data", "a \"work\" entry is [date, holiday]", where};
      auto d = parseDate(r[0].GetString());
      if (!d.ok())
        return Error{"calendar.data", d.error().message, where};
      if (weekday(d.value()) < 5) {
        return Error{
            "calendar.data",
            std::string("an adjusted working day is a Saturday or Sunday: ") + r[0].GetString(),
            where};
      }
      if (cal.off_.count(d.value()))
        return Error{"calendar.data", std::string("both off and worked: ") + r[0].GetString(),
                     where};
      cal.work_[d.value()] = r[1].GetString();
    }
  }
  return cal;
}

Result<void> WorkCalendar::configure(const ConfigNode& block) {
  if (auto r = block.allowOnly({"extra_days_off", "extra_working_days", "office_hours"}); !r.ok())
    return r;
  auto off = block.strings("extra_days_off");
  if (!off.ok())
    return off.error();
  for (const auto& s : off.value()) {
    auto d = parseDate(s);
    if (!d.ok())
      return block.fail("extra_days_off", d.error().message);
    addDayOff(d.value());
  }
  auto on = block.strings("extra_working_days");
  if (!on.ok())
    return on.error();
  for (const auto& s : on.value()) {
    auto d = parseDate(s);
    if (!d.ok())
      return block.fail("extra_working_days", d.error().message);
    addWorkingDay(d.value());
  }
  if (block.has("office_hours")) {
    const auto& v = block.value()["office_hours"];
    const char* shape = "office_hours is a list of [\"HH:MM\", \"HH:MM\"] periods";
    if (!v.IsArray() || v.Empty())
      return block.fail("office_hours", shape);
    std::vector<OfficeHours> hours;
    for (const auto& p : v.GetArray()) {
      if (!p.IsArray() || p.Size() != 2 || !p[0].IsString() || !p[1].IsString())
        return block.fail("office_hours", shape);
      auto a = parseHourMinute(p[0].GetString());
      auto b = parseHourMinute(p[1].GetString());
      if (!a.ok())
        return block.fail("office_hours", a.error().message);
      if (!b.ok())
        return block.fail("office_hours", b.error().message);
      hours.push_back({a.value(), b.value()});
    }
    if (auto r = setOfficeHours(hours); !r.ok())
      return block.fail("office_hours", r.error().message);
  }
  return {};
}

void WorkCalendar::addDayOff(Day day, const std::string& why) {
  work_.erase(day);
  if (weekday(day) < 5)
    off_[day] = why;
}

void WorkCalendar::addWorkingDay(Day day, const std::string& why) {
  off_.erase(day);
  if (weekday(day) >= 5)
    work_[day] = why;
}

Result<void> WorkCalendar::setOfficeHours(std::vector<OfficeHours> hours) {
  std::sort(hours.begin(), hours.end(), [](const OfficeHours& a, const OfficeHours& b) {
    return a.startMinute < b.startMinute;
  });
  for (std::size_t i = 0; i < hours.size(); ++i) {
    if (hours[i].endMinute <= hours[i].startMinute)
      return Error{"calendar.hours", "an office-hours period ends before it starts", ""};
    if (i > 0 && hours[i].startMinute < hours[i - 1].endMinute)
      return Error{"calendar.hours", "office-hours periods overlap", ""};
  }
  hours_ = std::move(hours);
  return {};
}

bool WorkCalendar::isPublished(Day day) const {
  return years_.count(civilFromDays(day).y) > 0;
}

bool WorkCalendar::isWorkday(Day day) const {
  if (off_.count(day))
    return false;
  if (work_.count(day))
    return true;
  return weekday(day) < 5;
}

std::string WorkCalendar::reason(Day day) const {
  if (auto it = off_.find(day); it != off_.end())
    return it->second;
  if (auto it = work_.find(day); it != work_.end())
    return "adjusted working day (" + it->second + ")";
  const std::string provisional = isPublished(day) ? "" : " (no published calendar: Mon–Fri)";
  return (weekday(day) < 5 ? "workday" : "weekend") + provisional;
}

std::vector<int> WorkCalendar::publishedYears() const {
  return {years_.begin(), years_.end()};
}

WorkCalendar::DayAnswer WorkCalendar::addWorkdays(Day from, int n) const {
  DayAnswer a{from, !isPublished(from)};
  for (int left = n; left > 0;) {
    ++a.day;
    a.provisional = a.provisional || !isPublished(a.day);
    if (isWorkday(a.day))
      --left;
  }
  return a;
}

bool WorkCalendar::isWorkingTime(EpochMillis t) const {
  const Day day = chinaDay(t);
  if (!isWorkday(day))
    return false;
  const EpochMillis minuteOfDay = (t + kChinaOffset - day * kDayMillis) / 60'000;
  for (const auto& h : hours_) {
    if (minuteOfDay >= h.startMinute && minuteOfDay < h.endMinute)
      return true;
  }
  return false;
}

WorkCalendar::SpanAnswer WorkCalendar::workingTimeBetween(EpochMillis from, EpochMillis to) const {
  SpanAnswer a;
  if (to <= from)
    return a;
  for (Day day = chinaDay(from); day <= chinaDay(to); ++day) {
    a.provisional = a.provisional || !isPublished(day);
    if (!isWorkday(day))
      continue;
    const EpochMillis midnight = day * kDayMillis - kChinaOffset;
    for (const auto& h : hours_) {
      const EpochMillis s = std::max(from, midnight + h.startMinute * kMinute);
      const EpochMillis e = std::min(to, midnight + h.endMinute * kMinute);
      if (e > s)
        a.millis += e - s;
    }
  }
  return a;
}

WorkCalendar::InstantAnswer WorkCalendar::addWorkingTime(EpochMillis from,
                                                         EpochMillis millis) const {
  InstantAnswer a{from, !isPublished(chinaDay(from))};
  EpochMillis left = millis;
  if (left <= 0 || hours_.empty())
    return a;
  for (Day day = chinaDay(from);; ++day) {
    a.provisional = a.provisional || !isPublished(day);
    if (isWorkday(day)) {
      const EpochMillis midnight = day * kDayMillis - kChinaOffset;
      for (const auto& h : hours_) {
        const EpochMillis s = std::max(from, midnight + h.startMinute * kMinute);
        const EpochMillis e = midnight + h.endMinute * kMinute;
        if (e <= s)
          continue;
        if (e - s >= left) {
          a.at = s + left;
          return a;
        }
        left -= e - s;
      }
    }
    if (day - chinaDay(from) > 3660)  // ten years without office time: hours are empty
      break;
  }
  return a;
}

}  // namespace huitong
