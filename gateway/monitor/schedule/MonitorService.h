// Monitoring at run time: the scheduler running every configured check, its results written to
// the results store in batches, alerts fed from each run, and the periodic chores (windows
// declared through the API or CLI read again, hourly downsampling and retention). What the
// API, the CLI and /metrics read. Built by gateway/app/MonitorWiring from the config.
// Thread-safe; the store, clock and calendar outlive it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/monitor/schedule/Alerts.h"
#include "gateway/monitor/schedule/Availability.h"
#include "gateway/monitor/schedule/ResultsStore.h"
#include "gateway/monitor/schedule/Scheduler.h"

namespace huitong::monitor::schedule {

struct MonitorSettings {
  SchedulerOptions scheduler;
  Retention retention;
  std::vector<MajorEvent> events;        // from the config
  std::vector<AlertWindow> silences;     // from the config
  std::vector<AlertWindow> maintenance;  // from the config
  std::chrono::milliseconds flushEvery{1000};
  std::chrono::milliseconds windowsEvery{15000};
};

class MonitorService {
 public:
  MonitorService(std::vector<ScheduledCheck> checks, ResultsStore& store,
                 std::unique_ptr<AlertEngine> alerts, const Clock& clock,
                 const WorkCalendar& calendar, MonitorSettings settings);
  ~MonitorService();

  // Called after each run, on the worker's thread (metrics).
  void setRunListener(std::function<void(const RunRecord&)> listener);
  void start();
  void stop();  // the last results are written before it returns

  // A major event or a silence declared at run time: kept in the store, in force at once.
  Result<std::int64_t> declare(const DeclaredWindow& window);
  std::vector<MajorEvent> events() const { return scheduler_.events(); }
  std::vector<AlertWindow> silences() const;

  Scheduler& scheduler() { return scheduler_; }
  const Scheduler& scheduler() const { return scheduler_; }
  AlertEngine& alerts() { return *alerts_; }
  ResultsStore& store() { return store_; }
  const WorkCalendar& calendar() const { return calendar_; }
  const Clock& clock() const { return clock_; }
  // The cadence of a configured check; nullptr when no such check.
  const Cadence* cadenceOf(const std::string& checkId) const;

  // One round of the chores now (tests): write buffered results, read windows, downsample and
  // prune.
  void chores(bool rollup);

 private:
  void loop();
  void flush();
  void reloadWindows();

  std::map<std::string, Cadence> cadences_;
  ResultsStore& store_;
  std::unique_ptr<AlertEngine> alerts_;
  const Clock& clock_;
  const WorkCalendar& calendar_;
  MonitorSettings settings_;
  Scheduler scheduler_;
  std::function<void(const RunRecord&)> listener_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<RunRecord> buffer_;
  std::vector<AlertWindow> silences_;
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
};

}  // namespace huitong::monitor::schedule
