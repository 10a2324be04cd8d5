// The monthly operation report (月度运维报告, issue 9 item 4) as plain values: what the
// gatherer (MonthlyReportGatherer.h) reads from the stores and the ledgers, and what the
// renderers (MonthlyReportRender.h) turn into HTML and Markdown. Every section says whether its
// source exists in this build and whether it could be read, so a section never silently shows
// nothing: "no records source in this build", "could not be read: …", or "none this month".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"

namespace huitong::ops::report {

// Why a section has no figures, when it has none for a reason other than an empty month.
struct SectionSource {
  bool available = true;  // false: this build has no source for it (a ledger not built in)
  std::string error;      // "" = read fine; else what failed ("store.io: …")
  bool ok() const { return available && error.empty(); }
};

struct CountByKey {
  std::string key;  // "database", "major", …
  std::int64_t count = 0;
};

// One row of SLA compliance (gateway/faults/sla/Compliance.h): a group/key/clock's counts.
struct ComplianceLine {
  std::string group;  // "all" | "type" | "severity"
  std::string key;    // "" for all
  std::string clock;  // "response" | "resolution" | "on_site"
  int met = 0, missed = 0, openBreached = 0, openInTime = 0;
  std::optional<double> percentMet;  // 0..100; none when nothing was judged
};

// A major fault of the month and its analysis report, as far as it exists.
struct MajorFault {
  std::string ticketId, title, system, status;
  EpochMillis createdAt = 0, resolvedAt = 0;  // 0: not resolved
  bool reportWritten = false;                 // a major_report was saved
  std::string cause;                          // the report's cause ("" when none)
  std::string measures;
};

struct FaultSection {
  SectionSource source;
  std::int64_t opened = 0;    // tickets created in the month
  std::int64_t resolved = 0;  // tickets resolved in the month
  std::int64_t openAtEnd = 0;
  std::vector<CountByKey> byType;      // created in the month
  std::vector<CountByKey> bySeverity;  // created in the month
  std::vector<ComplianceLine> compliance;
  std::vector<MajorFault> majors;
};

struct BackupLine {
  std::string id;
  std::string kind;  // "create" | "verify" | "restore"
  EpochMillis startedAt = 0, finishedAt = 0;
  bool ok = false;
  std::int64_t bytes = 0;
  bool encrypted = false;
  std::optional<bool> restoreTestOk;  // verify runs: the restore test's outcome
  std::string message;
};

struct BackupSection {
  SectionSource source;
  std::vector<BackupLine> runs;  // oldest first
};

// An optimisation or approved change (配置变更 / 优化记录).
struct ChangeLine {
  std::string id;
  EpochMillis at = 0;
  std::string kind;  // "change" | "optimisation" | …
  std::string title;
  std::string approvedBy;
  std::string detail;
};

struct ChangeSection {
  SectionSource source;
  std::vector<ChangeLine> changes;  // oldest first
};

struct InspectionLine {
  std::string id;
  EpochMillis startedAt = 0;
  std::string trigger;      // "scheduled" | "manual" | "intensified"
  std::string signedOffBy;  // "" = not signed off
  int findings = 0, open = 0, resolved = 0;
};

struct FindingLine {
  std::string id, runId, check, severity, title, status;  // status "open" | "resolved"
};

struct InspectionSection {
  SectionSource source;
  std::vector<InspectionLine> runs;   // oldest first
  std::vector<FindingLine> findings;  // found or still open in the month
};

// A series of daily values; nullopt where the day has no figure (nothing scheduled or run).
struct DailySeries {
  std::string name;
  std::vector<std::optional<double>> values;  // one per day of RunningSection::days
};

struct ProbeAvailability {
  std::string checkId, kind, schedule;
  std::optional<double> month;  // ratio 0..1
  std::int64_t scheduled = 0, runs = 0, okRuns = 0;
  DailySeries daily;  // ratio × 100 per day
};

struct ItemVolume {
  std::string system, item;
  std::int64_t events = 0, delivered = 0, dead = 0;
  std::optional<double> lagAvgSeconds, lagP95Seconds;  // none delivered: unknown
};

struct SystemRejects {
  std::string system;
  std::int64_t records = 0;   // events queued + records refused
  std::int64_t rejected = 0;  // records refused (the filing gate's refusals left out)
  std::optional<double> rate() const;
};

// One host check's resource trend: daily means of its readings (percent 0..100).
struct HostTrend {
  std::string checkId;
  DailySeries cpu, memory, disk;  // memory: used = 100 − available; disk: the fullest mount
  std::optional<double> cpuMax, memoryMax, diskMax;  // the month's highest hourly reading
};

struct RunningSection {
  SectionSource availabilitySource, exchangeSource, hostSource;
  std::vector<std::string> days;  // "2026-11-01" … the month's days up to the report's asOf
  std::vector<ProbeAvailability> probes;
  std::vector<ItemVolume> items;
  std::vector<SystemRejects> rejects;
  std::vector<std::int64_t> dailyEvents;  // all items, one per day
  std::vector<HostTrend> hosts;
};

// An emergency drill (应急演练, `huitong drill platform-outage`) from the audit trail.
struct DrillLine {
  std::string kind;     // "platform-outage"
  std::string outcome;  // passed | missing | refused | interrupted | failed
  bool ok = false;
  EpochMillis startedAt = 0;
  std::string actor, system;
  double outageSeconds = 0;
  std::int64_t eventsAccepted = 0, eventsDelivered = 0, eventsMissing = 0;
  double drainSeconds = -1;  // -1: not drained
  std::string detail;
};

struct DrillSection {
  SectionSource source;
  std::vector<DrillLine> drills;  // oldest first
};

struct MonthlyReportData {
  int year = 0, month = 0;       // 1..12
  std::string title;             // "Huitong 月度运维报告 2026-11"
  std::string gateway;           // the deployment's name ("" = none configured)
  EpochMillis from = 0, to = 0;  // the month in China time [from, to)
  EpochMillis asOf = 0;          // min(now, to): figures count up to here
  EpochMillis generatedAt = 0;
  std::string generatedBy;  // "scheduled" | "operator:li" | "cli"
  FaultSection faults;
  BackupSection backups;
  ChangeSection changes;
  RunningSection running;
  InspectionSection inspections;
  DrillSection drills;

  std::string monthText() const;  // "2026-11"
};

// "2026-11" → year/month, anything else is an error message naming the expected form.
struct MonthArg {
  int year = 0, month = 0;
};
std::optional<MonthArg> parseMonth(const std::string& text);
// The month's first instant in China time (00:00 +08:00) and the next month's.
EpochMillis monthStart(int year, int month);
EpochMillis monthEnd(int year, int month);
std::string monthText(int year, int month);

}  // namespace huitong::ops::report
