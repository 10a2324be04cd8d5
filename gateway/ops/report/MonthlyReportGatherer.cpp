#include "gateway/ops/report/MonthlyReportGatherer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "gateway/faults/MajorReports.h"
#include "gateway/faults/TicketSla.h"
#include "gateway/faults/sla/Compliance.h"
#include "gateway/health/HealthService.h"
#include "gateway/monitor/schedule/Availability.h"

namespace huitong::ops::report {
namespace {

using monitor::schedule::ResultsStore;

constexpr EpochMillis kDayMillis = 86400000;
constexpr EpochMillis kHourMillis = 3600000;

// Index of the month's day holding `t` (China days: the month starts at a China midnight).
long dayIndex(const MonthlyReportData& d, EpochMillis t) {
  return static_cast<long>((t - d.from) / kDayMillis);
}

std::optional<double> p95(std::vector<EpochMillis>& lags) {
  if (lags.empty())
    return std::nullopt;
  std::sort(lags.begin(), lags.end());
  const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(lags.size())));
  return static_cast<double>(lags[std::max<std::size_t>(rank, 1) - 1]) / 1000.0;
}

void gatherFaults(const ReportInputs& in, MonthlyReportData& d, EpochMillis now) {
  FaultSection& f = d.faults;
  if (in.tickets == nullptr) {
    f.source.available = false;
    return;
  }
  // Every ticket created before the month's end, newest first in pages (as `huitong ticket
  // compliance` reads them); one that stopped all its clocks before the month is not needed.
  faults::TicketFilter filter;
  filter.limit = faults::kMaxTicketPage;
  filter.createdTo = d.to;
  std::set<std::string> seen;
  std::vector<sla::SlaTimeline> timelines;
  std::map<std::string, std::int64_t> byType, bySeverity;
  while (true) {
    auto page = in.tickets->list(filter);
    if (!page.ok()) {
      f.source.error = page.error().describe();
      return;
    }
    int fresh = 0;
    for (const auto& t : page.value()) {
      filter.createdTo = t.createdAt + 1;
      if (!seen.insert(t.id).second)
        continue;
      ++fresh;
      const bool createdIn = t.createdAt >= d.from && t.createdAt < d.to;
      const bool resolvedIn = t.resolvedAt >= d.from && t.resolvedAt < d.to;
      const auto stoppedBy = [&](EpochMillis at) { return at != 0 && at <= d.asOf; };
      if (createdIn) {
        ++f.opened;
        ++byType[std::string(faults::toString(t.type))];
        ++bySeverity[std::string(faults::toString(t.severity))];
      }
      if (resolvedIn)
        ++f.resolved;
      if (!stoppedBy(t.resolvedAt) && !stoppedBy(t.closedAt))
        ++f.openAtEnd;
      const bool settledBefore = !faults::isOpen(t.status) && t.resolvedAt != 0 &&
                                 t.resolvedAt < d.from && (t.closedAt == 0 || t.closedAt < d.from);
      const bool major = t.severity == faults::Severity::kMajor && (createdIn || resolvedIn);
      if (settledBefore && !major)
        continue;
      auto history = in.tickets->events(t.id);
      if (!history.ok()) {
        f.source.error = history.error().describe();
        return;
      }
      timelines.push_back(faults::slaTimeline(t, history.value()));
      if (major) {
        MajorFault m;
        m.ticketId = t.id;
        m.title = t.title;
        m.system = t.system;
        m.status = std::string(faults::toString(t.status));
        m.createdAt = t.createdAt;
        m.resolvedAt = t.resolvedAt;
        auto report = faults::latestMajorReport(history.value());
        if (report.ok() && report.value()) {
          m.reportWritten = true;
          m.cause = report.value()->cause;
          m.measures = report.value()->measures;
        } else if (!report.ok()) {
          m.cause = "report unreadable: " + report.error().describe();
        }
        f.majors.push_back(std::move(m));
      }
    }
    if (static_cast<int>(page.value().size()) < filter.limit || fresh == 0)
      break;
  }
  for (const auto& [k, n] : byType)
    f.byType.push_back({k, n});
  for (const auto& [k, n] : bySeverity)
    f.bySeverity.push_back({k, n});
  std::sort(f.majors.begin(), f.majors.end(),
            [](const MajorFault& a, const MajorFault& b) { return a.createdAt < b.createdAt; });
  const auto c = sla::monthlyCompliance(timelines, in.policy, d.year, d.month, now, *in.calendar);
  for (const auto& r : c.rows) {
    if (r.counts.judged() == 0 && r.counts.openInTime == 0)
      continue;
    ComplianceLine line;
    line.group = r.group;
    line.key = r.key;
    line.clock = sla::toString(r.clock);
    line.met = r.counts.met;
    line.missed = r.counts.missed;
    line.openBreached = r.counts.openBreached;
    line.openInTime = r.counts.openInTime;
    line.percentMet = r.counts.percentMet();
    f.compliance.push_back(std::move(line));
  }
}

void gatherAvailability(const ReportInputs& in, MonthlyReportData& d, EpochMillis now) {
  RunningSection& r = d.running;
  if (in.results == nullptr) {
    r.availabilitySource.available = false;
    return;
  }
  for (const auto& c : in.checks) {
    auto f = monitor::schedule::monthAvailability(*in.results, c.id, c.cadence, *in.calendar,
                                                  d.year, static_cast<unsigned>(d.month), now);
    if (!f.ok()) {
      r.availabilitySource.error = c.id + ": " + f.error().describe();
      return;
    }
    ProbeAvailability p;
    p.checkId = c.id;
    p.kind = c.kind;
    p.schedule = c.cadence.schedule;
    p.month = f.value().month.ratio;
    p.scheduled = f.value().month.scheduled;
    p.runs = f.value().month.runs;
    p.okRuns = f.value().month.okRuns;
    p.daily.name = c.id;
    p.daily.values.assign(r.days.size(), std::nullopt);
    for (const auto& day : f.value().days) {
      const long i = dayIndex(d, day.from);
      if (i >= 0 && i < static_cast<long>(r.days.size()) && day.ratio)
        p.daily.values[static_cast<std::size_t>(i)] = *day.ratio * 100;
    }
    r.probes.push_back(std::move(p));
  }
}

// Host readings: hourly rollups for the hours rolled up, raw runs after the last one.
void gatherHosts(const ReportInputs& in, MonthlyReportData& d) {
  RunningSection& r = d.running;
  if (in.results == nullptr) {
    r.hostSource.available = false;
    return;
  }
  for (const auto& c : in.checks) {
    if (c.kind != "host" && c.kind != "agent")
      continue;
    struct Acc {
      double sum = 0, weight = 0;
      void add(double v, double w) {
        sum += v * w;
        weight += w;
      }
    };
    const std::size_t n = r.days.size();
    std::vector<Acc> cpu(n), mem(n), disk(n);
    HostTrend h;
    h.checkId = c.id;
    auto high = [](std::optional<double>& m, double v) { m = m ? std::max(*m, v) : v; };
    // One reading (an hour's means, or a raw run's values) into the day's means.
    auto take = [&](EpochMillis at, const std::map<std::string, double>& values, double w) {
      const long i = dayIndex(d, at);
      if (i < 0 || i >= static_cast<long>(n))
        return;
      const auto k = static_cast<std::size_t>(i);
      if (auto it = values.find("cpu_percent"); it != values.end()) {
        cpu[k].add(it->second, w);
        high(h.cpuMax, it->second);
      }
      if (auto it = values.find("mem_available_percent"); it != values.end()) {
        const double used = 100 - it->second;
        mem[k].add(used, w);
        high(h.memoryMax, used);
      }
      std::optional<double> fullest;
      for (const auto& [name, v] : values)
        if (name.rfind("disk_used_percent", 0) == 0)
          fullest = fullest ? std::max(*fullest, v) : v;
      if (fullest) {
        disk[k].add(*fullest, w);
        high(h.diskMax, *fullest);
      }
    };
    auto rollups = in.results->rollups(c.id, d.from, d.asOf);
    if (!rollups.ok()) {
      r.hostSource.error = c.id + ": " + rollups.error().describe();
      return;
    }
    EpochMillis rawFrom = d.from;
    for (const auto& u : rollups.value()) {
      std::map<std::string, double> means;
      for (const auto& [name, s] : u.values)
        means[name] = s.avg;
      take(u.hour, means, static_cast<double>(std::max<std::int64_t>(u.runs, 1)));
      rawFrom = std::max(rawFrom, u.hour + kHourMillis);
    }
    // Raw runs not rolled up yet, a page at a time.
    while (rawFrom < d.asOf) {
      auto raw = in.results->results(c.id, rawFrom, d.asOf, monitor::schedule::kMaxResultPage);
      if (!raw.ok()) {
        r.hostSource.error = c.id + ": " + raw.error().describe();
        return;
      }
      for (const auto& s : raw.value())
        take(s.startedAt, s.values, 1);
      if (static_cast<int>(raw.value().size()) < monitor::schedule::kMaxResultPage)
        break;
      rawFrom = raw.value().back().startedAt + 1;
    }
    auto series = [&](const std::vector<Acc>& acc, const std::string& name) {
      DailySeries s;
      s.name = name;
      for (const auto& a : acc)
        s.values.push_back(a.weight > 0 ? std::optional<double>(a.sum / a.weight) : std::nullopt);
      return s;
    };
    h.cpu = series(cpu, "cpu");
    h.memory = series(mem, "memory");
    h.disk = series(disk, "disk");
    r.hosts.push_back(std::move(h));
  }
}

void gatherExchange(const ReportInputs& in, MonthlyReportData& d) {
  RunningSection& r = d.running;
  if (in.exchange == nullptr) {
    r.exchangeSource.available = false;
    return;
  }
  r.dailyEvents.assign(r.days.size(), 0);
  for (const auto& system : in.systems) {
    auto events = in.exchange->itemEvents(system, d.from);
    if (!events.ok()) {
      r.exchangeSource.error = system + ": " + events.error().describe();
      return;
    }
    struct Work {
      ItemVolume v;
      std::vector<EpochMillis> lags;
      double lagSum = 0;
    };
    std::map<std::string, Work> items;
    std::int64_t systemEvents = 0;
    for (const auto& e : events.value()) {
      if (e.receivedAt >= d.to)
        continue;
      ++systemEvents;
      Work& w = items[e.item];
      ++w.v.events;
      if (e.dead)
        ++w.v.dead;
      if (e.deliveredAt > 0) {
        ++w.v.delivered;
        const EpochMillis lag = std::max<EpochMillis>(0, e.deliveredAt - e.receivedAt);
        w.lags.push_back(lag);
        w.lagSum += static_cast<double>(lag);
      }
      const long i = dayIndex(d, e.receivedAt);
      if (i >= 0 && i < static_cast<long>(r.dailyEvents.size()))
        ++r.dailyEvents[static_cast<std::size_t>(i)];
    }
    for (auto& [item, w] : items) {
      w.v.system = system;
      w.v.item = item;
      if (!w.lags.empty())
        w.v.lagAvgSeconds = w.lagSum / static_cast<double>(w.lags.size()) / 1000.0;
      w.v.lagP95Seconds = p95(w.lags);
      r.items.push_back(std::move(w.v));
    }
    // Refusals since the month's start minus those since its end: the month's.
    auto refusedSince = [&](EpochMillis from) -> Result<std::int64_t> {
      auto answers = in.exchange->rejectionAnswers(system, from);
      if (!answers.ok())
        return answers.error();
      std::int64_t n = 0;
      for (const auto& a : answers.value())
        n += health::refusedRecords(a);
      return n;
    };
    auto sinceFrom = refusedSince(d.from);
    auto sinceTo = d.to <= d.asOf ? refusedSince(d.to) : Result<std::int64_t>(0);
    if (!sinceFrom.ok() || !sinceTo.ok()) {
      r.exchangeSource.error =
          system + ": " + (!sinceFrom.ok() ? sinceFrom.error() : sinceTo.error()).describe();
      return;
    }
    SystemRejects s;
    s.system = system;
    s.rejected = std::max<std::int64_t>(0, sinceFrom.value() - sinceTo.value());
    s.records = systemEvents + s.rejected;
    if (s.records > 0)
      r.rejects.push_back(s);
  }
}

template <typename T, typename Section, typename Fill>
void gatherLedger(const T& source, Section& section, const MonthlyReportData& d, Fill fill) {
  if (!source) {
    section.source.available = false;
    return;
  }
  auto got = source(d.from, d.to);
  if (!got.ok()) {
    section.source.error = got.error().describe();
    return;
  }
  fill(std::move(got).value());
}

}  // namespace

Result<MonthlyReportData> gatherMonthlyReport(const ReportInputs& in, int year, int month,
                                              EpochMillis now) {
  MonthlyReportData d;
  d.year = year;
  d.month = month;
  d.from = monthStart(year, month);
  d.to = monthEnd(year, month);
  if (now <= d.from)
    return Error{"report.month_not_begun",
                 monthText(year, month) + " has not begun (now is " + formatRfc3339(now) + ")",
                 "month"};
  d.asOf = std::min(now, d.to);
  d.generatedAt = now;
  d.generatedBy = in.generatedBy;
  d.gateway = in.gateway;
  d.title = "汇通 Huitong 月度运维报告 (Monthly operation report) " + d.monthText();
  for (EpochMillis t = d.from; t < d.asOf; t += kDayMillis)
    d.running.days.push_back(formatDate(chinaDay(t)));

  gatherFaults(in, d, now);
  gatherAvailability(in, d, now);
  gatherHosts(in, d);
  gatherExchange(in, d);
  gatherLedger(in.ledgers.backups, d.backups, d,
               [&](std::vector<BackupLine> v) { d.backups.runs = std::move(v); });
  gatherLedger(in.ledgers.changes, d.changes, d,
               [&](std::vector<ChangeLine> v) { d.changes.changes = std::move(v); });
  gatherLedger(in.ledgers.inspections, d.inspections, d, [&](InspectionSection s) {
    d.inspections.runs = std::move(s.runs);
    d.inspections.findings = std::move(s.findings);
  });
  gatherLedger(in.ledgers.drills, d.drills, d,
               [&](std::vector<DrillLine> v) { d.drills.drills = std::move(v); });
  return d;
}

}  // namespace huitong::ops::report
