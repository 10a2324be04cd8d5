#include "gateway/monitor/schedule/Schedule.h"

#include <algorithm>

namespace huitong::monitor::schedule {
namespace {

constexpr std::int64_t kDayMillis = 86400000;
constexpr std::int64_t kChinaOffsetMillis = 8 * 3600000;
constexpr int kSearchDays = 400;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

// The first grid point >= t.
EpochMillis gridAtOrAfter(EpochMillis t, std::int64_t interval, std::int64_t offset) {
  const std::int64_t k = floorDiv(t - offset + interval - 1, interval);
  return k * interval + offset;
}

struct Window {
  EpochMillis from, to;
};

// The first office-hours window on a working day that ends after `t`.
std::optional<Window> nextWorkingWindow(const WorkCalendar& calendar, EpochMillis t) {
  const Day first = chinaDay(t);
  for (Day d = first; d < first + kSearchDays; ++d) {
    if (!calendar.isWorkday(d))
      continue;
    const EpochMillis midnight = d * kDayMillis - kChinaOffsetMillis;
    for (const auto& h : calendar.officeHours()) {
      const Window w{midnight + std::int64_t{h.startMinute} * 60000,
                     midnight + std::int64_t{h.endMinute} * 60000};
      if (w.to > t && w.to > w.from)
        return w;
    }
  }
  return std::nullopt;
}

std::optional<EpochMillis> nextNormal(const std::string& id, const Cadence& c,
                                      const WorkCalendar& calendar, EpochMillis after) {
  const std::int64_t interval = std::int64_t{c.intervalSeconds} * 1000;
  const std::int64_t offset = gridOffsetMillis(id, interval);
  EpochMillis g = gridAtOrAfter(after + 1, interval, offset);
  if (c.schedule == "7x24")
    return g;
  for (int i = 0; i < kSearchDays * 4; ++i) {
    auto w = nextWorkingWindow(calendar, g);
    if (!w)
      return std::nullopt;
    if (g < w->from)
      g = gridAtOrAfter(w->from, interval, offset);
    if (g < w->to)
      return g;
    g = gridAtOrAfter(w->to, interval, offset);
  }
  return std::nullopt;
}

}  // namespace

std::int64_t gridOffsetMillis(const std::string& checkId, std::int64_t intervalMillis) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and builds
  for (unsigned char ch : checkId) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return intervalMillis <= 0
             ? 0
             : static_cast<std::int64_t>(h % static_cast<std::uint64_t>(intervalMillis));
}

bool inScheduleHours(const Cadence& cadence, const WorkCalendar& calendar, EpochMillis t) {
  return cadence.schedule == "7x24" || calendar.isWorkingTime(t);
}

const MajorEvent* eventAt(const std::vector<MajorEvent>& events, EpochMillis t) {
  for (const auto& e : events) {
    if (t >= e.from && t < e.to)
      return &e;
  }
  return nullptr;
}

std::optional<Slot> nextSlot(const std::string& checkId, const Cadence& cadence,
                             const WorkCalendar& calendar, const std::vector<MajorEvent>& events,
                             EpochMillis after) {
  std::optional<Slot> best;
  // Intensified slots: the intensified grid inside each event still ahead.
  const std::int64_t fast = std::int64_t{cadence.intensifiedIntervalSeconds} * 1000;
  const std::int64_t fastOffset = gridOffsetMillis(checkId, fast);
  for (const auto& e : events) {
    if (e.to <= after + 1 || e.to <= e.from)
      continue;
    const EpochMillis g = gridAtOrAfter(std::max(after + 1, e.from), fast, fastOffset);
    if (g < e.to && (!best || g < best->at))
      best = Slot{g, true};
  }
  // Normal slots, skipping those inside an event (its intensified grid covers them).
  EpochMillis from = after;
  for (int i = 0; i < 64; ++i) {
    auto n = nextNormal(checkId, cadence, calendar, from);
    if (!n)
      break;
    const MajorEvent* in = eventAt(events, *n);
    if (in == nullptr) {
      if (!best || *n < best->at)
        best = Slot{*n, false};
      break;
    }
    from = in->to - 1;
  }
  return best;
}

std::int64_t scheduledSlots(const std::string& checkId, const Cadence& cadence,
                            const WorkCalendar& calendar, EpochMillis from, EpochMillis to) {
  if (to <= from)
    return 0;
  const std::int64_t interval = std::int64_t{cadence.intervalSeconds} * 1000;
  const std::int64_t offset = gridOffsetMillis(checkId, interval);
  auto count = [&](EpochMillis a, EpochMillis b) -> std::int64_t {  // grid points in [a, b)
    if (b <= a)
      return 0;
    return floorDiv(b - 1 - offset, interval) - floorDiv(a - 1 - offset, interval);
  };
  if (cadence.schedule == "7x24")
    return count(from, to);
  std::int64_t n = 0;
  EpochMillis t = from;
  while (t < to) {
    auto w = nextWorkingWindow(calendar, t);
    if (!w || w->from >= to)
      break;
    n += count(std::max(w->from, t), std::min(w->to, to));
    t = w->to;
  }
  return n;
}

Result<void> checkFeasible(const Cadence& cadence, const WorkCalendar& calendar, EpochMillis now) {
  if (cadence.schedule == "7x24")
    return {};
  if (calendar.officeHours().empty())
    return Error{"config.invalid",
                 "schedule 5x8 can never run: the work calendar has no office hours (use 7x24 or "
                 "set calendar.office_hours)",
                 ""};
  if (!nextNormal("feasibility", cadence, calendar, now))
    return Error{"config.invalid",
                 "schedule 5x8 can never run: the work calendar has no working time within a "
                 "year",
                 ""};
  return {};
}

}  // namespace huitong::monitor::schedule
