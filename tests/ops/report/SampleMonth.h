// A month of report data made by hand (no store) for the rendering and browser tests: every
// section filled, `days` days of `probes` probes, `tickets` tickets, one host; or an empty month.
#pragma once

#include <optional>
#include <string>

#include "gateway/ops/report/MonthlyReportData.h"

namespace huitong::ops::report::testing {

inline MonthlyReportData emptyMonth() {
  MonthlyReportData d;
  d.year = 2026;
  d.month = 11;
  d.from = monthStart(2026, 11);
  d.to = monthEnd(2026, 11);
  d.asOf = d.to;
  d.generatedAt = d.to + 6 * 3600000;
  d.generatedBy = "scheduled";
  d.title = "汇通 Huitong 月度运维报告 (Monthly operation report) 2026-11";
  for (int i = 1; i <= 30; ++i)
    d.running.days.push_back("2026-11-" + std::string(i < 10 ? "0" : "") + std::to_string(i));
  d.running.dailyEvents.assign(30, 0);
  return d;
}

inline MonthlyReportData fullMonth(int days, int probes, int tickets) {
  MonthlyReportData d = emptyMonth();
  d.running.days.resize(static_cast<std::size_t>(days));
  d.faults.opened = tickets;
  d.faults.resolved = tickets - 3;
  d.faults.openAtEnd = 3;
  d.faults.byType = {{"database", tickets / 2}, {"network", tickets - tickets / 2}};
  d.faults.bySeverity = {{"general", tickets - 2}, {"major", 2}};
  ComplianceLine c;
  c.group = "all";
  c.clock = "resolution";
  c.met = 95;
  c.missed = 5;
  c.percentMet = 95.0;
  d.faults.compliance.push_back(c);
  MajorFault m;
  m.ticketId = "T-2026-000042";
  m.title = "数据库宕机 <script>alert(1)</script>";
  m.status = "closed";
  m.createdAt = d.from + 86400000;
  m.reportWritten = true;
  m.cause = "磁盘满 | disk full";
  d.faults.majors.push_back(m);
  d.backups.runs.push_back({"B-1", "create", d.from + 3600000, d.from + 3700000, true,
                            5 * 1024 * 1024, true, std::nullopt, ""});
  d.backups.runs.push_back(
      {"B-2", "verify", d.from + 7200000, d.from + 7300000, true, 0, true, true, "rows match"});
  d.changes.changes.push_back(
      {"C-7", d.from + 86400000, "change", "TLS 1.3 only", "admin:wang", "ssl_protocols"});
  d.inspections.runs.push_back({"I-1", d.from + 3600000, "scheduled", "operator:li", 2, 1, 1});
  d.inspections.findings.push_back(
      {"F-1", "I-1", "disk_headroom", "warning", "disk / 85 % used", "open"});
  for (int p = 0; p < probes; ++p) {
    ProbeAvailability a;
    a.checkId = "probe-" + std::to_string(p);
    a.kind = "http";
    a.schedule = "7x24";
    a.month = 0.9987;
    a.scheduled = 1440L * days;
    a.runs = a.scheduled;
    a.okRuns = a.scheduled - 2;
    a.daily.name = a.checkId;
    for (int i = 0; i < days; ++i)
      a.daily.values.push_back(i == 5 && p == 0 ? std::nullopt
                                                : std::optional<double>(99.0 + (i % 10) * 0.1));
    d.running.probes.push_back(a);
  }
  d.running.dailyEvents.clear();
  for (int i = 0; i < days; ++i)
    d.running.dailyEvents.push_back(1000 + i * 17);
  d.running.items.push_back({"marriage", "MZ-001", 31234, 31200, 4, 1.25, 3.5});
  d.running.rejects.push_back({"marriage", 32000, 766});
  HostTrend h;
  h.checkId = "db-server";
  for (int i = 0; i < days; ++i) {
    h.cpu.values.push_back(20.0 + i);
    h.memory.values.push_back(60.0);
    h.disk.values.push_back(70.0 + i * 0.2);
  }
  h.cpuMax = 88.5;
  h.memoryMax = 71;
  h.diskMax = 76;
  d.running.hosts.push_back(h);
  return d;
}

}  // namespace huitong::ops::report::testing
