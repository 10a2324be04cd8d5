#include "gateway/health/HealthRules.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace huitong::health {
namespace {

constexpr EpochMillis kMinute = 60'000;
constexpr EpochMillis kHour = 60 * kMinute;
constexpr EpochMillis kDayMillis = 24 * kHour;
constexpr EpochMillis kChinaOffset = 8 * kHour;
// How far back a working-day rule looks for the last working day (the longest holiday is 8 days).
constexpr int kMaxDaysBack = 40;

EpochMillis dayStart(Day d) {
  return d * kDayMillis - kChinaOffset;
}

const std::vector<std::string> kItemKeys = {
    "expect",        "reject_rate",        "dead_letters",      "lag_p95_s",     "backlog",
    "backlog_age_s", "source_unreachable", "oldest_file_age_s", "unflagged_rows"};

Result<std::optional<double>> number(const ConfigNode& node, const std::string& key) {
  const auto& v = node.value();
  const auto it = v.FindMember(key.c_str());
  if (it == v.MemberEnd() || it->value.IsNull())
    return std::optional<double>();
  if (!it->value.IsNumber() || it->value.GetDouble() < 0 || !std::isfinite(it->value.GetDouble()))
    return node.fail(key, key + " must be a number from 0 up, or null (not judged)");
  return std::optional<double>(it->value.GetDouble());
}

// {"yellow": 1, "red": 3}; either may be null. `extra` keys are allowed beside them.
Result<void> readBand(const ConfigNode& parent, const std::string& key, Band& band,
                      const std::vector<std::string>& extra = {}) {
  if (!parent.has(key))
    return {};
  const auto& raw = parent.value()[key.c_str()];
  if (raw.IsNull()) {
    band = Band{};
    return {};
  }
  auto node = parent.object(key);
  if (!node.ok())
    return node.error();
  std::vector<std::string> allowed = {"yellow", "red"};
  allowed.insert(allowed.end(), extra.begin(), extra.end());
  if (auto r = node.value().allowOnly(allowed); !r.ok())
    return r.error();
  for (const char* colour : {"yellow", "red"}) {
    if (!node.value().has(colour))
      continue;
    auto n = number(node.value(), colour);
    if (!n.ok())
      return n.error();
    (std::string(colour) == "yellow" ? band.yellow : band.red) = n.value();
  }
  if (band.yellow && band.red && *band.red < *band.yellow)
    return node.value().fail("red", "red must not be below yellow");
  return {};
}

Result<void> readExpect(const ConfigNode& parent, std::optional<ExpectRule>& out) {
  if (!parent.has("expect"))
    return {};
  if (parent.value()["expect"].IsNull()) {
    out.reset();
    return {};
  }
  auto node = parent.object("expect");
  if (!node.ok())
    return node.error();
  const ConfigNode& n = node.value();
  if (auto r = n.allowOnly({"min_events", "per", "within_office_hours", "severity"}); !r.ok())
    return r.error();
  ExpectRule rule;
  auto min = n.integer("min_events", 1, 1, 1'000'000);
  if (!min.ok())
    return min.error();
  rule.minEvents = static_cast<int>(min.value());
  auto per = n.oneOf("per", {"hour", "day", "working_day"}, "working_day");
  if (!per.ok())
    return per.error();
  rule.per = per.value() == "hour"  ? ExpectRule::Per::kHour
             : per.value() == "day" ? ExpectRule::Per::kDay
                                    : ExpectRule::Per::kWorkingDay;
  auto office = n.boolean("within_office_hours", false);
  if (!office.ok())
    return office.error();
  rule.withinOfficeHours = office.value();
  auto severity = n.oneOf("severity", {"yellow", "red"}, "yellow");
  if (!severity.ok())
    return severity.error();
  rule.severity = severity.value();
  out = rule;
  return {};
}

Result<void> readItem(const ConfigNode& node, ItemRules& rules) {
  if (auto r = node.allowOnly(kItemKeys); !r.ok())
    return r.error();
  if (auto r = readExpect(node, rules.expect); !r.ok())
    return r;
  if (auto r = readBand(node, "reject_rate", rules.rejectRate, {"min_sample"}); !r.ok())
    return r;
  if (node.has("reject_rate") && node.value()["reject_rate"].IsObject()) {
    auto band = node.object("reject_rate");
    auto min = band.value().integer("min_sample", rules.rejectMinSample, 1, 1'000'000'000);
    if (!min.ok())
      return min.error();
    rules.rejectMinSample = min.value();
    for (auto v : {rules.rejectRate.yellow, rules.rejectRate.red}) {
      if (v && *v > 1)
        return band.value().fail("", "reject_rate thresholds are fractions from 0 to 1");
    }
  }
  const std::pair<const char*, Band*> bands[] = {{"dead_letters", &rules.deadLetters},
                                                 {"lag_p95_s", &rules.lagP95Seconds},
                                                 {"backlog", &rules.backlog},
                                                 {"backlog_age_s", &rules.backlogAgeSeconds},
                                                 {"oldest_file_age_s", &rules.oldestFileAgeSeconds},
                                                 {"unflagged_rows", &rules.unflaggedRows}};
  for (const auto& [key, band] : bands) {
    if (auto r = readBand(node, key, *band); !r.ok())
      return r;
  }
  auto unreachable =
      node.oneOf("source_unreachable", {"yellow", "red", "ignore"}, rules.sourceUnreachable);
  if (!unreachable.ok())
    return unreachable.error();
  rules.sourceUnreachable = unreachable.value();
  return {};
}

}  // namespace

Result<HealthRules> HealthRules::read(const ConfigNode& block) {
  HealthRules rules;
  if (auto r = block.allowOnly({"refresh_s", "defaults", "items"}); !r.ok())
    return r.error();
  auto refresh = block.integer("refresh_s", 5, 1, 3600);
  if (!refresh.ok())
    return refresh.error();
  rules.refreshMillis_ = refresh.value() * 1000;
  auto defaults = block.object("defaults");
  if (!defaults.ok())
    return defaults.error();
  if (auto r = readItem(defaults.value(), rules.defaults_); !r.ok())
    return r.error();
  auto items = block.object("items");
  if (!items.ok())
    return items.error();
  for (const auto& m : items.value().value().GetObject()) {
    const std::string key(m.name.GetString(), m.name.GetStringLength());
    const auto slash = key.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == key.size() ||
        key.find('/', slash + 1) != std::string::npos) {
      return items.value().fail(key, "an item is named SYSTEM/ITEM (\"" + key + "\" is not)");
    }
    auto node = items.value().object(key);
    if (!node.ok())
      return node.error();
    ItemRules item = rules.defaults_;
    if (auto r = readItem(node.value(), item); !r.ok())
      return r.error();
    rules.items_[{key.substr(0, slash), key.substr(slash + 1)}] = item;
  }
  return rules;
}

const ItemRules& HealthRules::rulesFor(const std::string& system, const std::string& item) const {
  auto it = items_.find({system, item});
  return it == items_.end() ? defaults_ : it->second;
}

std::optional<ActivityPeriod> lastPeriod(const ExpectRule& rule, const WorkCalendar& calendar,
                                         EpochMillis now) {
  ActivityPeriod p;
  switch (rule.per) {
    case ExpectRule::Per::kHour: {
      p.start = now - kHour;
      p.end = now;
      if (rule.withinOfficeHours) {
        if (calendar.workingTimeBetween(p.start, p.end).millis < kHour)
          return std::nullopt;
      }
      const std::string t = formatRfc3339(now);
      p.label = "the hour before " + t.substr(0, 10) + " " + t.substr(11, 5);
      return p;
    }
    case ExpectRule::Per::kDay: {
      const Day d = chinaDay(now) - 1;
      p.start = dayStart(d);
      p.end = dayStart(d + 1);
      p.label = formatDate(d);
      return p;
    }
    case ExpectRule::Per::kWorkingDay: {
      const auto& hours = calendar.officeHours();
      const bool office = rule.withinOfficeHours && !hours.empty();
      int first = 24 * 60, last = 0;
      for (const auto& h : hours) {
        first = std::min(first, h.startMinute);
        last = std::max(last, h.endMinute);
      }
      for (Day d = chinaDay(now), n = 0; n < kMaxDaysBack; --d, ++n) {
        if (!calendar.isWorkday(d))
          continue;
        const EpochMillis end = office ? dayStart(d) + last * kMinute : dayStart(d + 1);
        if (end > now)
          continue;
        p.start = office ? dayStart(d) + first * kMinute : dayStart(d);
        p.end = end;
        p.officeOnly = office;
        p.label = "working day " + formatDate(d);
        return p;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string describe(const ExpectRule& rule) {
  std::string per = rule.per == ExpectRule::Per::kHour  ? "hour"
                    : rule.per == ExpectRule::Per::kDay ? "day"
                                                        : "working day";
  if (rule.withinOfficeHours && rule.per != ExpectRule::Per::kDay)
    per += " (office hours)";
  return "at least " + std::to_string(rule.minEvents) + " per " + per;
}

}  // namespace huitong::health
