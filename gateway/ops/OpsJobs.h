// The scheduled operations of `huitong serve` (docs/operations.md "Schedules"): the daily
// backup, the inspection of every working day, the monthly report on the 1st. Each job has a
// time of day in China local time (UTC+8) and a day rule:
//   "daily HH:MM"       every day
//   "workdays HH:MM"    working days of the work calendar (holidays off, adjusted days on)
//   "monthly D HH:MM"   day D (1–28) of every month
// and, optionally, an intensified cadence: while its predicate holds (a declared major event),
// also every N minutes. Times come from the injected Clock; a slot missed while the gateway was
// stopped is not made up (the job's own records show the gap), a clock that jumps forward runs
// a late job once and plans from now, a clock that jumps back plans again.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"

namespace huitong::ops {

struct JobWhen {
  enum class Days { kDaily, kWorkdays, kMonthly };
  Days days = Days::kDaily;
  int minuteOfDay = 0;  // after local midnight
  int dayOfMonth = 1;   // kMonthly only
  std::string text;     // as written
};

// "daily 02:30" | "workdays 09:00" | "monthly 1 06:00"; the error says what is accepted.
Result<JobWhen> parseJobWhen(const std::string& text);

// The first instant strictly after `after` at which `when` is due.
EpochMillis nextJobDue(const JobWhen& when, EpochMillis after, const WorkCalendar& calendar);

struct Job {
  std::string name;
  JobWhen when;
  // While intensified() is true, the job also runs every intensifiedEveryMinutes (0 = never).
  unsigned intensifiedEveryMinutes = 0;
  std::function<bool()> intensified;
  // The work. `dueAt` is the slot it runs for; a throw is recorded as the job's last error.
  std::function<void(EpochMillis dueAt, bool intensified)> run;
};

class OpsJobs {
 public:
  // `poll`: how often the runner thread looks at the clock.
  OpsJobs(const Clock& clock, const WorkCalendar& calendar,
          std::chrono::milliseconds poll = std::chrono::milliseconds(1000));
  ~OpsJobs();
  OpsJobs(const OpsJobs&) = delete;
  OpsJobs& operator=(const OpsJobs&) = delete;

  // Before start(): plans the job's first slot after the clock's now.
  void add(Job job);
  // A thread that calls tick() every `poll`; stop() (or the destructor) ends it after the job
  // that is running, if any.
  void start();
  void stop();
  // Runs, on the caller's thread, every job due at the clock's now (tests call it directly).
  void tick();

  struct State {
    std::string name;
    std::string when;
    EpochMillis nextDue = 0;
    EpochMillis lastRunAt = 0;  // 0 = not yet
    bool lastIntensified = false;
    std::uint64_t runs = 0;
    std::string lastError;  // "" = the last run returned normally
  };
  std::vector<State> snapshot() const;

 private:
  struct Entry {
    Job job;
    State state;
    EpochMillis nextIntensified = 0;  // 0 = not intensified now
  };
  void runOne(Entry& e, EpochMillis dueAt, bool intensified, std::unique_lock<std::mutex>& lock);

  const Clock& clock_;
  const WorkCalendar& calendar_;
  std::chrono::milliseconds poll_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> entries_;
  EpochMillis lastNow_ = 0;
  bool stopping_ = false;
  bool ticking_ = false;  // one tick at a time (the thread and a test's direct call)
  std::thread thread_;
};

}  // namespace huitong::ops
