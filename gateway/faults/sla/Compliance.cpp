#include "gateway/faults/sla/Compliance.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <tuple>

namespace huitong::sla {

namespace {

constexpr EpochMillis kHour = 3'600'000;
constexpr EpochMillis kDay = 24 * kHour;

EpochMillis monthStart(int year, int month) {
  return daysFromCivil(year, static_cast<unsigned>(month), 1) * kDay - 8 * kHour;
}

int groupRank(const std::string& g) {
  static const char* order[] = {"all", "type", "severity", "maintainer"};
  for (int i = 0; i < 4; ++i) {
    if (g == order[i])
      return i;
  }
  return 4;
}

}  // namespace

std::optional<double> ComplianceCounts::percentMet() const {
  if (judged() == 0)
    return std::nullopt;
  return 100.0 * met / judged();
}

const ComplianceRow* MonthlyCompliance::find(const std::string& group, const std::string& key,
                                             ClockKind clock) const {
  for (const auto& r : rows) {
    if (r.group == group && r.key == key && r.clock == clock)
      return &r;
  }
  return nullptr;
}

MonthlyCompliance monthlyCompliance(const std::vector<SlaTimeline>& timelines,
                                    const SlaPolicy& policy, int year, int month, EpochMillis now,
                                    const WorkCalendar& calendar) {
  assert(month >= 1 && month <= 12);
  MonthlyCompliance mc;
  mc.year = year;
  mc.month = month;
  mc.from = monthStart(year, month);
  mc.to = month == 12 ? monthStart(year + 1, 1) : monthStart(year, month + 1);
  mc.asOf = std::min(now, mc.to);
  // Events at the next month's first instant belong to the next month.
  const EpochMillis judgeAt = mc.asOf == mc.to ? mc.to - 1 : mc.asOf;

  using Key = std::tuple<int, std::string, int>;
  std::map<Key, ComplianceRow> rows;
  auto count = [&](const std::string& group, const std::string& key, const ClockReading& c) {
    auto& row = rows[Key{groupRank(group), key, static_cast<int>(c.kind)}];
    row.group = group;
    row.key = key;
    row.clock = c.kind;
    switch (c.state) {
      case ClockState::kMet:
        ++row.counts.met;
        break;
      case ClockState::kMissed:
        ++row.counts.missed;
        break;
      case ClockState::kBreached:
        ++row.counts.openBreached;
        break;
      case ClockState::kOk:
      case ClockState::kWarning:
        ++row.counts.openInTime;
        break;
    }
  };
  for (const auto& t : timelines) {
    if (t.createdAt > judgeAt)
      continue;
    const SlaEvaluation ev = evaluate(t, policy, judgeAt, calendar);
    for (const auto& c : ev.clocks) {
      if (c.stopped && (!c.stoppedAt || *c.stoppedAt < mc.from))
        continue;  // judged in the month it stopped
      count("all", "", c);
      count("type", t.type, c);
      count("severity", toString(t.severity), c);
      count("maintainer", t.maintainer.empty() ? "(unassigned)" : t.maintainer, c);
    }
  }
  mc.rows.reserve(rows.size());
  for (auto& [key, row] : rows)
    mc.rows.push_back(std::move(row));
  return mc;
}

}  // namespace huitong::sla
