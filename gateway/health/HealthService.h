// Computes the health of every online item (issue 7 item 1) from the exchange store (journal,
// outbox, dead letters: ExchangeStore::itemEvents/itemBacklogs/rejectionAnswers/itemLast) and
// the adapters' source reports, and keeps the latest result: the API, the CLI and /metrics read
// that snapshot, a background thread refreshes it every refresh_s, so a scrape or a page costs
// no query on a big store. Thread-safe; everything given outlives the service.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/health/HealthRules.h"
#include "gateway/health/ItemHealth.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::health {

// An item whose filing is online.
struct OnlineItem {
  std::string system;
  std::string item;
  std::string name;
};
// Every online item now (the filing registry); an error keeps the previous snapshot.
using OnlineItems = std::function<Result<std::vector<OnlineItem>>()>;
// What a system's adapter knows of its source; nullopt when the system has no adapter here
// (the CLI reading a store directly).
using SourceLookup = std::function<std::optional<SourceFigures>(const std::string& system)>;

// Records refused in one intake answer (answer_json): distinct "record" paths of its rules, the
// filing gate's refusals left out. The health figures and the monthly report count with it.
std::int64_t refusedRecords(const std::string& answerJson);

class HealthService {
 public:
  HealthService(storage::ExchangeStore& store, OnlineItems items, SourceLookup sources,
                HealthRules rules, const WorkCalendar& calendar, const Clock& clock);
  ~HealthService();
  HealthService(const HealthService&) = delete;
  HealthService& operator=(const HealthService&) = delete;

  struct Snapshot {
    EpochMillis computedAt = 0;
    double computeSeconds = 0;      // what the computation took
    std::vector<ItemHealth> items;  // by system, then item
    std::string lastError;          // the last failed refresh ("" when it succeeded)
  };

  // Computes every online item's health now, from the store; does not touch the snapshot.
  Result<std::vector<ItemHealth>> compute();
  // compute() into the snapshot; on an error the previous snapshot stays (with lastError).
  Result<void> refresh();
  // The latest snapshot; the first call before any refresh computes one. nullptr when none
  // could be computed.
  std::shared_ptr<const Snapshot> latest();
  // Told of every snapshot a refresh made (on the refreshing thread, outside the service's
  // locks): how health turning red becomes a monitoring alert. REQUIRES: set before start().
  void setListener(std::function<void(const Snapshot&)> listener) {
    listener_ = std::move(listener);
  }

  // A thread calling refresh() every refresh_s (or ten times what the last computation took,
  // when that is longer) until stop(). REQUIRES: not running.
  void start();
  void stop();

  // The snapshot as Prometheus gauges (huitong_item_health_status and the figures).
  std::string renderMetrics();

  const HealthRules& rules() const { return rules_; }

 private:
  struct Remembered {
    storage::ItemLast last;
    EpochMillis checkedAt = 0;
  };
  Result<storage::ItemLast> lastOf(const std::string& system, const std::string& item,
                                   EpochMillis windowFrom, EpochMillis now);
  // (system, start, end, office hours only) of an activity period beginning before the 24 h
  // window, and its events per item: counted once (the window's rows are read every time).
  using PeriodKey = std::tuple<std::string, EpochMillis, EpochMillis, bool>;
  Result<std::map<std::string, std::int64_t>> periodCounts(const PeriodKey& key, EpochMillis now);

  storage::ExchangeStore& store_;
  OnlineItems items_;
  SourceLookup sources_;
  const HealthRules rules_;
  const WorkCalendar& calendar_;
  const Clock& clock_;

  std::function<void(const Snapshot&)> listener_;
  std::mutex mutex_;  // guards snapshot_, remembered_ and periodCounts_
  std::shared_ptr<const Snapshot> snapshot_;
  std::map<std::pair<std::string, std::string>, Remembered> remembered_;
  std::map<PeriodKey, std::map<std::string, std::int64_t>> periodCounts_;
  std::mutex refreshMutex_;  // one computation at a time

  std::mutex threadMutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace huitong::health
