// Runs scheduled checks on their cadence (Schedule.h) with a small, bounded pool of workers.
// Wall-time decisions (which slot is due, lateness, intensified or not) use the injected Clock;
// waiting uses the steady clock in short steps, so a clock jump is noticed within one step:
// forward, each due check runs once (late) and continues on the grid after now; backward, every
// waiting check's next slot is computed again from the new now. A check never runs twice at
// once: its next slot is taken only when its run has ended, skipping slots it overran.
// Thread-safe; the Clock, the calendar and the sink outlive the scheduler.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/monitor/Check.h"
#include "gateway/monitor/schedule/Schedule.h"

namespace huitong::monitor::schedule {

// One run as the scheduler saw it: the check's result and when it was due.
struct RunRecord {
  CheckResult result;
  EpochMillis dueAt = 0;
  double latenessMs = 0;  // started minus due (>= 0)
  bool intensified = false;
  std::string schedule;  // "5x8" | "7x24"
};

struct SchedulerOptions {
  unsigned workers = 4;                          // 1..64 threads running checks
  std::chrono::milliseconds maxWait{1000};       // the longest single wait (clock jumps)
  std::chrono::milliseconds timeoutGrace{2000};  // a run this far beyond its timeout is an error
};

class Scheduler {
 public:
  // Called on a worker thread after every run; must not call back into the scheduler's stop().
  using Sink = std::function<void(const RunRecord&)>;

  Scheduler(std::vector<ScheduledCheck> checks, const Clock& clock, const WorkCalendar& calendar,
            SchedulerOptions options, Sink sink);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Computes each check's first slot after now and starts the workers. Once.
  void start();
  // Lets running checks finish (each bounded by its timeout), then returns. Idempotent.
  void stop();
  // Makes the loop look at the clock now (tests move a FixedClock, then wake it).
  void wake();

  // Replaces the declared major events (config plus those declared at run time); slots of
  // waiting checks are computed again.
  void setEvents(std::vector<MajorEvent> events);
  std::vector<MajorEvent> events() const;

  struct CheckState {
    std::string id, kind;
    Cadence cadence;
    EpochMillis nextDue = 0;  // 0: none (never runs again on this calendar)
    bool nextIntensified = false;
    bool running = false;
    std::uint64_t runs = 0;
    std::uint64_t skippedSlots = 0;  // slots passed while the check was running or queued
    double lastLatenessMs = 0;
    std::optional<CheckResult> last;
  };
  std::vector<CheckState> snapshot() const;

 private:
  struct Entry {
    ScheduledCheck sc;
    CheckState state;
    bool queued = false;
    EpochMillis dueAt = 0;
    bool dueIntensified = false;
  };
  void loop();
  void work();
  void plan(Entry& e, EpochMillis after);  // REQUIRES: mu_ held

  const Clock& clock_;
  const WorkCalendar& calendar_;
  SchedulerOptions options_;
  Sink sink_;
  mutable std::mutex mu_;
  std::condition_variable loopCv_, workCv_;
  std::vector<Entry> entries_;
  std::vector<MajorEvent> events_;
  std::deque<std::size_t> ready_;
  bool stopping_ = false;
  bool started_ = false;
  bool woken_ = false;
  EpochMillis lastNow_ = 0;
  std::thread loopThread_;
  std::vector<std::thread> workers_;
};

}  // namespace huitong::monitor::schedule
