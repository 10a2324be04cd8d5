#include "gateway/faults/sla/SlaClock.h"

#include <algorithm>

namespace huitong::sla {

namespace {

constexpr EpochMillis kMinute = 60'000;
constexpr EpochMillis kHour = 60 * kMinute;
constexpr EpochMillis kDay = 24 * kHour;

enum class Phase { kRunning, kPaused, kStopped };

Phase phaseOf(const std::string& status) {
  if (status == kWaitingForReporter)
    return Phase::kPaused;
  if (status == kResolved || status == kClosed)
    return Phase::kStopped;
  return Phase::kRunning;
}

struct PhaseChange {
  EpochMillis at;
  Phase phase;
};

struct Segment {
  EpochMillis from;
  EpochMillis to;
};

// The phase changes known as of `now`, in time order.
std::vector<PhaseChange> phaseChanges(const SlaTimeline& t, EpochMillis now) {
  std::vector<PhaseChange> out;
  out.reserve(t.statuses.size() + 2);
  bool hasResolved = false;
  bool hasClosed = false;
  for (const auto& s : t.statuses) {
    hasResolved = hasResolved || s.status == kResolved;
    hasClosed = hasClosed || s.status == kClosed;
    if (s.at <= now)
      out.push_back({s.at, phaseOf(s.status)});
  }
  bool added = false;
  if (!hasResolved && t.resolvedAt && *t.resolvedAt <= now) {
    out.push_back({*t.resolvedAt, Phase::kStopped});
    added = true;
  }
  if (!hasClosed && t.closedAt && *t.closedAt <= now) {
    out.push_back({*t.closedAt, Phase::kStopped});
    added = true;
  }
  if (added) {
    std::stable_sort(out.begin(), out.end(),
                     [](const PhaseChange& a, const PhaseChange& b) { return a.at < b.at; });
  }
  return out;
}

struct Walk {
  std::vector<Segment> running;  // the counted segments; the last may end at `now`
  Phase phaseNow = Phase::kRunning;
  std::optional<EpochMillis> firstStop;
  std::optional<EpochMillis> lastStop;  // when the current stopped phase began
};

Walk walk(const SlaTimeline& t, const std::vector<PhaseChange>& changes, EpochMillis now) {
  Walk w;
  w.running.reserve(changes.size() + 1);
  Phase phase = Phase::kRunning;
  EpochMillis since = t.createdAt;
  for (const auto& c : changes) {
    if (c.phase == phase)
      continue;
    const EpochMillis at = std::max(c.at, t.createdAt);
    if (phase == Phase::kRunning && at > since)
      w.running.push_back({since, at});
    if (c.phase == Phase::kStopped) {
      if (!w.firstStop)
        w.firstStop = at;
      w.lastStop = at;
    }
    phase = c.phase;
    since = at;
  }
  if (phase == Phase::kRunning && now > since)
    w.running.push_back({since, now});
  w.phaseNow = phase;
  return w;
}

// The segments clipped to end at `end`.
std::vector<Segment> clip(const std::vector<Segment>& segs, EpochMillis end) {
  std::vector<Segment> out;
  out.reserve(segs.size());
  for (const auto& s : segs) {
    if (s.from >= end)
      break;
    out.push_back({s.from, std::min(s.to, end)});
  }
  return out;
}

struct ClockInput {
  ClockKind kind;
  const SlaTarget* target;
  int warningPercent;
  std::vector<Segment> segments;
  bool running;  // counting at `now` (the last segment ends at now)
  bool paused;
  std::optional<EpochMillis> stoppedAt;
};

ClockReading read(const ClockInput& in, EpochMillis now, const WorkCalendar& cal) {
  ClockReading r;
  r.kind = in.kind;
  r.target = *in.target;
  r.workingTime = in.target->workingTime();
  r.targetMillis = in.target->millis(cal);
  r.running = in.running;
  r.paused = in.paused;
  r.stopped = in.stoppedAt.has_value();
  r.stoppedAt = in.stoppedAt;
  const EpochMillis warnMillis = r.targetMillis * in.warningPercent / 100;
  auto locate = [&](EpochMillis from, EpochMillis need) {
    if (!r.workingTime)
      return from + need;
    auto a = cal.addWorkingTime(from, need);
    r.provisional = r.provisional || a.provisional;
    return a.at;
  };
  EpochMillis acc = 0;
  for (const auto& s : in.segments) {
    EpochMillis dur = s.to - s.from;
    if (r.workingTime) {
      auto span = cal.workingTimeBetween(s.from, s.to);
      dur = span.millis;
      r.provisional = r.provisional || span.provisional;
    }
    if (!r.warnAt && acc + dur >= warnMillis)
      r.warnAt = locate(s.from, warnMillis - acc);
    if (!r.dueAt && acc + dur >= r.targetMillis)
      r.dueAt = locate(s.from, r.targetMillis - acc);
    acc += dur;
  }
  r.elapsed = acc;
  r.remaining = r.targetMillis - acc;
  if (r.running) {
    if (!r.warnAt)
      r.warnAt = locate(now, warnMillis - acc);
    if (!r.dueAt)
      r.dueAt = locate(now, r.targetMillis - acc);
  }
  if (r.stopped) {
    r.state = acc <= r.targetMillis ? ClockState::kMet : ClockState::kMissed;
    if (r.state == ClockState::kMet)
      r.dueAt.reset();
  } else if (acc >= r.targetMillis) {
    r.state = ClockState::kBreached;
  } else if (acc >= warnMillis) {
    r.state = ClockState::kWarning;
  } else {
    r.state = ClockState::kOk;
  }
  return r;
}

std::string twoDigits(long long n) {
  return std::string(1, static_cast<char>('0' + n / 10 % 10)) + static_cast<char>('0' + n % 10);
}

}  // namespace

const char* toString(ClockState s) {
  switch (s) {
    case ClockState::kOk:
      return "ok";
    case ClockState::kWarning:
      return "warning";
    case ClockState::kBreached:
      return "breached";
    case ClockState::kMet:
      return "met";
    case ClockState::kMissed:
      return "missed";
  }
  return "?";
}

const ClockReading* SlaEvaluation::find(ClockKind k) const {
  for (const auto& c : clocks) {
    if (c.kind == k)
      return &c;
  }
  return nullptr;
}

ClockState SlaEvaluation::worstOpen() const {
  ClockState worst = ClockState::kOk;
  for (const auto& c : clocks) {
    if (c.state == ClockState::kBreached)
      return ClockState::kBreached;
    if (c.state == ClockState::kWarning)
      worst = ClockState::kWarning;
  }
  return worst;
}

SlaEvaluation evaluate(const SlaTimeline& t, const SlaPolicy& policy, EpochMillis now,
                       const WorkCalendar& calendar) {
  SlaEvaluation ev;
  ev.ticketId = t.ticketId;
  if (now < t.createdAt)
    now = t.createdAt;
  const ClockTargets& targets = policy.targetsFor(t.type);
  const auto changes = phaseChanges(t, now);
  Walk w = walk(t, changes, now);
  ev.clocks.reserve(3);

  // Response: until the first response, or the first resolution when nobody answered before.
  {
    std::optional<EpochMillis> end;
    if (t.firstResponseAt && *t.firstResponseAt <= now)
      end = std::max(*t.firstResponseAt, t.createdAt);
    if (w.firstStop && (!end || *w.firstStop < *end))
      end = w.firstStop;
    ClockInput in{ClockKind::kResponse,
                  &targets.target(ClockKind::kResponse, t.severity),
                  targets.warningPercent,
                  end ? clip(w.running, *end) : w.running,
                  !end && w.phaseNow == Phase::kRunning,
                  !end && w.phaseNow == Phase::kPaused,
                  end};
    ev.clocks.push_back(read(in, now, calendar));
  }
  // Resolution: every running segment; stopped while resolved or closed (a reopen resumes it).
  {
    std::optional<EpochMillis> stopped;
    if (w.phaseNow == Phase::kStopped)
      stopped = w.lastStop;
    ClockInput in{ClockKind::kResolution,
                  &targets.target(ClockKind::kResolution, t.severity),
                  targets.warningPercent,
                  std::move(w.running),
                  w.phaseNow == Phase::kRunning,
                  w.phaseNow == Phase::kPaused,
                  stopped};
    ev.clocks.push_back(read(in, now, calendar));
  }
  // On site: from the dispatch to the arrival (or the resolution); travel does not pause.
  if (t.onSiteDispatchedAt && *t.onSiteDispatchedAt <= now) {
    const EpochMillis from = std::max(*t.onSiteDispatchedAt, t.createdAt);
    std::optional<EpochMillis> end;
    if (t.onSiteArrivedAt && *t.onSiteArrivedAt <= now)
      end = std::max(*t.onSiteArrivedAt, from);
    for (const auto& c : changes) {
      if (c.phase == Phase::kStopped && c.at >= from && (!end || c.at < *end)) {
        end = c.at;
        break;
      }
    }
    const EpochMillis to = end ? *end : now;
    std::vector<Segment> segs;
    if (to > from)
      segs.push_back({from, to});
    ClockInput in{ClockKind::kOnSite,
                  &targets.target(ClockKind::kOnSite, t.severity),
                  targets.warningPercent,
                  std::move(segs),
                  !end,
                  false,
                  end};
    ev.clocks.push_back(read(in, now, calendar));
  }
  return ev;
}

Result<void> validate(const SlaTimeline& t) {
  auto fail = [](const std::string& path, const std::string& message) {
    return Error{"sla.timeline", message, path};
  };
  if (t.createdAt <= 0)
    return fail("created_at", "created_at is missing");
  auto notBefore = [&](const char* field, const std::optional<EpochMillis>& v, EpochMillis bound,
                       const char* boundName) -> Result<void> {
    if (v && *v < bound) {
      return fail(field, std::string(field) + " (" + formatChinaTime(*v) + ") is before " +
                             boundName + " (" + formatChinaTime(bound) + ")");
    }
    return {};
  };
  if (auto r = notBefore("first_response_at", t.firstResponseAt, t.createdAt, "created_at");
      !r.ok())
    return r;
  EpochMillis previous = t.createdAt;
  for (std::size_t i = 0; i < t.statuses.size(); ++i) {
    const auto& s = t.statuses[i];
    const std::string path = "statuses[" + std::to_string(i) + "]";
    if (s.status.empty())
      return fail(path + ".status", path + ".status is empty");
    if (s.at < previous) {
      return fail(path + ".at", path + " (" + s.status + " at " + formatChinaTime(s.at) +
                                    ") is before " +
                                    (i == 0 ? std::string("created_at") : "the status before it"));
    }
    previous = s.at;
  }
  if (t.onSiteArrivedAt && !t.onSiteDispatchedAt)
    return fail("on_site_arrived_at", "on_site_arrived_at is set but nobody was dispatched");
  if (auto r = notBefore("on_site_dispatched_at", t.onSiteDispatchedAt, t.createdAt, "created_at");
      !r.ok())
    return r;
  if (t.onSiteDispatchedAt) {
    if (auto r = notBefore("on_site_arrived_at", t.onSiteArrivedAt, *t.onSiteDispatchedAt,
                           "on_site_dispatched_at");
        !r.ok())
      return r;
  }
  if (auto r = notBefore("resolved_at", t.resolvedAt, t.createdAt, "created_at"); !r.ok())
    return r;
  if (auto r = notBefore("closed_at", t.closedAt, t.createdAt, "created_at"); !r.ok())
    return r;
  return {};
}

std::string formatDuration(EpochMillis millis, bool workingTime) {
  long long minutes = (millis < 0 ? -millis : millis) / kMinute;
  std::string out;
  if (!workingTime && minutes >= 24 * 60) {
    out += std::to_string(minutes / (24 * 60)) + " d";
    minutes %= 24 * 60;
  }
  if (minutes >= 60) {
    out += (out.empty() ? "" : " ") + std::to_string(minutes / 60) + " h";
    minutes %= 60;
  }
  if (minutes > 0 || out.empty())
    out += (out.empty() ? "" : " ") + std::to_string(minutes) + " min";
  return out;
}

std::string formatChinaTime(EpochMillis t) {
  const Day day = chinaDay(t);
  const EpochMillis minuteOfDay = (t + 8 * kHour - day * kDay) / kMinute;
  return formatDate(day) + " " + twoDigits(minuteOfDay / 60) + ":" + twoDigits(minuteOfDay % 60) +
         " +08:00";
}

std::string describe(const ClockReading& r) {
  const std::string wt = r.workingTime ? " working time" : "";
  const std::string of = " of " + r.target.words();
  switch (r.state) {
    case ClockState::kMet:
      return "met: " + formatDuration(r.elapsed, r.workingTime) + wt + of;
    case ClockState::kMissed:
      return "missed: " + formatDuration(r.elapsed, r.workingTime) + wt + of + " (over by " +
             formatDuration(-r.remaining, r.workingTime) + ")";
    case ClockState::kBreached:
      return "breached: over by " + formatDuration(-r.remaining, r.workingTime) + wt +
             (r.dueAt ? " (due " + formatChinaTime(*r.dueAt) + ")" : "") +
             (r.paused ? "; paused while waiting for the reporter" : "");
    case ClockState::kOk:
    case ClockState::kWarning:
      break;
  }
  std::string s = (r.state == ClockState::kWarning ? "warning: " : "") +
                  formatDuration(r.remaining, r.workingTime) + wt + " left" + of;
  if (r.paused)
    return s + "; paused while waiting for the reporter";
  if (r.dueAt)
    s += " (due " + formatChinaTime(*r.dueAt) + ")";
  return s;
}

}  // namespace huitong::sla
