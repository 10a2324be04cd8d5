// The record of every inspection (migration 14: inspection_run, inspection_finding,
// inspection_observation, in the store's own database, SQLite or PostgreSQL): runs with their
// per-check outcomes and sign-off, findings keyed by check + subject so that the same problem is
// one finding across runs, and each run's look at each open finding (docs/operations.md
// "Inspections"). The monthly report reads runs and findings between two instants from here.
// Thread-safe (one connection behind a mutex). Database failures are Error{"store.*"}.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage {
class StatementDatabase;
}

namespace huitong::ops::inspect {

enum class Severity { kInfo = 0, kMinor = 1, kMajor = 2, kCritical = 3 };
const char* severityName(Severity s);  // "info" | "minor" | "major" | "critical"
std::optional<Severity> parseSeverity(const std::string& text);

enum class Trigger { kScheduled, kManual, kIntensified };
const char* triggerName(Trigger t);  // "scheduled" | "manual" | "intensified"
std::optional<Trigger> parseTrigger(const std::string& text);

// How one check of a run ended. "ok": ran, nothing found; "findings": ran, found something;
// "failed": could not run (its message says why); "timed out": gave no answer within
// check_timeout_seconds; "disabled": switched off in config.
struct CheckOutcome {
  std::string check;   // "store.integrity", "backup", ...
  std::string status;  // "ok" | "findings" | "failed" | "timed out" | "disabled"
  double durationMs = 0;
  std::string message;
};

// A run's figures after its findings were reconciled.
struct RunCounts {
  int open = 0;  // findings open after this run (new + still open + worse + better + not
                 // re-checked)
  int newFindings = 0;
  int stillOpen = 0;  // includes "better" (same problem, lower severity)
  int worse = 0;
  int resolved = 0;
  int notRechecked = 0;                   // open findings whose check failed or timed out
  std::map<std::string, int> bySeverity;  // open findings by severity name
  int checksFailed = 0;                   // "failed" + "timed out"
};

struct InspectionRun {
  std::int64_t id = 0;  // 1, 2, ... ("run N" in reports and the CLI)
  EpochMillis startedAt = 0;
  EpochMillis finishedAt = 0;  // 0: still running (or the process died mid-run)
  Trigger trigger = Trigger::kManual;
  std::string startedBy;  // "scheduler" or the staff/OS user
  std::string gatewayVersion;
  std::vector<CheckOutcome> checks;
  std::map<std::string, std::string> figures;  // "store.bytes" -> "123456", ... as measured
  RunCounts counts;
  std::string signedOffBy;  // "" = not signed off
  EpochMillis signedOffAt = 0;
  std::string signOffNote;
};

enum class FindingStatus { kOpen, kResolved };

struct Finding {
  std::int64_t id = 0;
  std::string key;      // check + "|" + subject: the identity across runs
  std::string check;    // "disk", "certificate", ...
  std::string subject;  // what it is about: a path, a probe, an item, "" for the whole check
  Severity severity = Severity::kInfo;  // as last observed
  std::string title;
  std::string detail;  // as last observed
  FindingStatus status = FindingStatus::kOpen;
  std::int64_t firstSeenRun = 0;
  std::int64_t lastSeenRun = 0;  // the last run that observed the problem
  std::int64_t resolvedRun = 0;  // 0 while open
  EpochMillis firstSeenAt = 0;
  EpochMillis resolvedAt = 0;
};

// One run's look at one finding: "new", "still open", "worse" (higher severity), "better"
// (lower severity, still a problem), "resolved" (the check ran and no longer reports it) or
// "not re-checked" (its check failed or timed out this time: the finding stays open).
struct Observation {
  std::int64_t runId = 0;
  std::int64_t findingId = 0;
  std::string outcome;
  Severity severity = Severity::kInfo;
  std::string detail;
};

// What a check reports in one run (see InspectionRunner); the ledger turns these into findings.
struct ObservedProblem {
  std::string check;
  std::string subject;
  Severity severity = Severity::kInfo;
  std::string title;
  std::string detail;
};

class InspectionLedger {
 public:
  explicit InspectionLedger(std::unique_ptr<storage::StatementDatabase> db);
  ~InspectionLedger();
  // Opens the store's database (migrated first).
  static Result<std::unique_ptr<InspectionLedger>> open(const storage::StoreConfig& config);

  // A new run, not yet finished; returns its id.
  Result<std::int64_t> beginRun(EpochMillis startedAt, Trigger trigger,
                                const std::string& startedBy, const std::string& gatewayVersion);
  // Ends run `runId` in one transaction: every open finding is re-checked against `problems`
  // (same key: still open / worse / better; absent and its check in `checked`: resolved; absent
  // and its check not in `checked` — failed, timed out, disabled — : not re-checked, stays open),
  // every problem without an open finding opens a new one. Returns the stored run with counts.
  // `checked`: the checks that ran to completion this time.
  Result<InspectionRun> finishRun(std::int64_t runId, EpochMillis finishedAt,
                                  const std::vector<CheckOutcome>& checks,
                                  const std::map<std::string, std::string>& figures,
                                  const std::vector<ObservedProblem>& problems,
                                  const std::vector<std::string>& checked);

  // Signs off a finished run: "inspection.not_found", "inspection.not_finished",
  // "inspection.signed_off" (already, by whom) are errors; returns the signed run.
  Result<InspectionRun> signOff(std::int64_t runId, const std::string& by, const std::string& note,
                                EpochMillis at);

  Result<std::optional<InspectionRun>> run(std::int64_t runId);
  // Runs started in [from, to) (to = 0: no upper bound), oldest first; at most `limit`, the
  // newest ones when there are more.
  Result<std::vector<InspectionRun>> runs(EpochMillis from, EpochMillis to, int limit = 1000);
  // The newest finished run, if any.
  Result<std::optional<InspectionRun>> latestFinishedRun();

  // The findings run `runId` looked at, with that run's observation of each (by finding id).
  Result<std::vector<std::pair<Finding, Observation>>> runFindings(std::int64_t runId);
  // Findings observed by any run started in [from, to) (to = 0: no upper bound): first seen,
  // still open, or resolved in that window. Ordered by id.
  Result<std::vector<Finding>> findings(EpochMillis from, EpochMillis to);
  Result<std::vector<Finding>> openFindings();
  // A finding's history, oldest run first.
  Result<std::vector<Observation>> observations(std::int64_t findingId);

 private:
  Result<std::vector<InspectionRun>> queryRuns(const std::string& where,
                                               const std::vector<std::int64_t>& args,
                                               const std::string& order, int limit);
  Result<std::vector<Finding>> queryFindings(const std::string& where,
                                             const std::vector<std::int64_t>& args);
  std::mutex mu_;
  std::unique_ptr<storage::StatementDatabase> db_;
};

// A finding's key: check + "|" + subject.
std::string findingKey(const std::string& check, const std::string& subject);

}  // namespace huitong::ops::inspect
