// Where monitoring keeps what it saw: every run raw (7 days by default), hourly rollups (13
// months: runs, ok runs, min/avg/max/p95 duration, per value avg and max), alerts with each
// notification's outcome, and major events and silences declared at run time. Tables of
// migration 10 in the exchange store's database (same SQLite file, same PostgreSQL database).
// Thread-safe (one connection behind a mutex: the scheduler's writes come batched). Database
// failures come back as Error{"store.*"}; nothing here throws.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/monitor/schedule/Scheduler.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::monitor::schedule {

struct StoredResult {
  std::int64_t seq = 0;
  std::string checkId, kind, status, message;
  EpochMillis startedAt = 0, dueAt = 0;
  double latenessMs = 0, durationMs = 0;
  bool intensified = false;
  std::map<std::string, double> values;
  std::string resultJson;  // toJson(CheckResult) with steps
};

struct ValueStats {
  double avg = 0, max = 0;
};

// One check's hour.
struct Rollup {
  std::string checkId;
  EpochMillis hour = 0;  // the hour's start
  std::int64_t runs = 0, okRuns = 0;
  double minMs = 0, avgMs = 0, maxMs = 0, p95Ms = 0;
  std::map<std::string, ValueStats> values;
};

struct Retention {
  std::int64_t rawMillis = 7LL * 86400000;       // raw runs
  std::int64_t rollupMillis = 396LL * 86400000;  // hourly rollups: 13 months
};

struct StoredAlert {
  std::int64_t id = 0;
  std::string rule, key, source;
  std::string state;  // "firing" | "resolved"
  EpochMillis openedAt = 0, resolvedAt = 0;
  std::string summary;
  bool silenced = false;
};

struct Delivery {
  std::int64_t alertId = 0;
  std::string channel, event;  // event: "firing" | "resolved"
  EpochMillis at = 0;
  int attempts = 0;
  std::string outcome;  // "delivered" | "failed" | "silenced"
  std::string detail;
};

// A major event or a silence declared at run time (API, CLI).
struct DeclaredWindow {
  std::int64_t id = 0;
  std::string kind;  // "event" | "silence"
  std::string name;
  std::string matcher;  // silences: "check=ID" | "rule=NAME" | "" (everything)
  EpochMillis from = 0, to = 0;
  std::string createdBy;
  EpochMillis createdAt = 0;
};

constexpr int kMaxResultPage = 5000;

class ResultsStore {
 public:
  virtual ~ResultsStore() = default;
  // Opens the store's database (migrating it as the exchange store does).
  static Result<std::unique_ptr<ResultsStore>> open(const storage::StoreConfig& config);

  // Keeps the runs, in one transaction.
  virtual Result<void> record(const std::vector<RunRecord>& runs) = 0;
  // Raw runs of a check with from <= startedAt < to, oldest first, at most `limit`.
  virtual Result<std::vector<StoredResult>> results(const std::string& checkId, EpochMillis from,
                                                    EpochMillis to, int limit) = 0;
  // Rollups of a check with from <= hour < to, oldest first.
  virtual Result<std::vector<Rollup>> rollups(const std::string& checkId, EpochMillis from,
                                              EpochMillis to) = 0;
  // Rolls up every complete hour (ending at or before `upTo`) after the last one rolled up;
  // returns the rollups written. Idempotent.
  virtual Result<std::int64_t> downsample(EpochMillis upTo) = 0;
  // Deletes raw runs and rollups older than the retention; returns the rows deleted.
  virtual Result<std::int64_t> prune(EpochMillis now, const Retention& retention) = 0;
  // Runs and ok runs with from <= start < to: rollups for rolled-up hours, raw runs after them.
  struct Counts {
    std::int64_t runs = 0, okRuns = 0;
  };
  virtual Result<Counts> counts(const std::string& checkId, EpochMillis from, EpochMillis to) = 0;
  // When the check's first kept run was due (its oldest rollup's hour once raw runs are pruned);
  // 0 when nothing of it is kept. Availability counts slots from here.
  virtual Result<EpochMillis> firstRun(const std::string& checkId) = 0;

  // Alerts: a new one (returns its id), resolved, listed (state "" = all; newest first).
  virtual Result<std::int64_t> openAlert(const StoredAlert& alert) = 0;
  virtual Result<void> resolveAlert(std::int64_t id, EpochMillis at) = 0;
  virtual Result<std::vector<StoredAlert>> alerts(const std::string& state, int limit) = 0;
  virtual Result<void> recordDelivery(const Delivery& delivery) = 0;
  virtual Result<std::vector<Delivery>> deliveries(std::int64_t alertId) = 0;

  // Windows declared at run time; `windows` lists those not ended before `now`.
  virtual Result<std::int64_t> addWindow(const DeclaredWindow& window) = 0;
  virtual Result<std::vector<DeclaredWindow>> windows(EpochMillis now) = 0;
};

}  // namespace huitong::monitor::schedule
