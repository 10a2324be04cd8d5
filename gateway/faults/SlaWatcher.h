// The SLA watcher: once a minute it evaluates every open ticket's clocks (paging through the
// TicketStore) and records, once per ticket and clock, an `sla_warning` event when a clock has
// crossed the warning fraction and an `sla_breach` event when it has passed its target — each
// audited and notified through TicketService::recordSla (the breach notice is the escalation).
// Breach does not call TicketService::escalate: that raises the severity to major, which would
// move the very target that was missed (4 h → 24 h) and demand a major-fault report.
// Thread-safe: start()/stop() from one owner; runOnce() may also be called directly (tests, a
// pass on demand). The service, clock and calendar outlive the watcher.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/core/Clock.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/TicketService.h"
#include "gateway/faults/sla/SlaPolicy.h"

namespace huitong::faults {

struct SlaPassStats {
  int tickets = 0;     // open tickets evaluated
  int pages = 0;       // store pages read
  int warnings = 0;    // sla_warning events recorded in this pass
  int breaches = 0;    // sla_breach events recorded in this pass
  int failures = 0;    // tickets whose history or recording failed (logged, retried next pass)
  double seconds = 0;  // wall time of the pass
};

class SlaWatcher {
 public:
  using Log = std::function<void(const std::string&)>;

  SlaWatcher(TicketService& service, const sla::SlaPolicy& policy, const Clock& clock,
             const WorkCalendar& calendar,
             std::chrono::milliseconds interval = std::chrono::minutes(1));
  ~SlaWatcher();
  SlaWatcher(const SlaWatcher&) = delete;
  SlaWatcher& operator=(const SlaWatcher&) = delete;

  // REQUIRES: before start(). Failures and each pass's figures when something was recorded.
  void setLog(Log log) { log_ = std::move(log); }

  // A thread that runs a pass now and then every `interval` until stop(). Idempotent.
  void start();
  void stop();

  // One pass over every open ticket, as of the clock's now.
  SlaPassStats runOnce();
  SlaPassStats lastPass() const;

 private:
  void loop();

  TicketService& service_;
  const sla::SlaPolicy policy_;  // a copy: small, and callers pass temporaries
  const Clock& clock_;
  const WorkCalendar& calendar_;
  const std::chrono::milliseconds interval_;
  Log log_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool running_ = false;
  SlaPassStats last_;
  std::mutex passMutex_;  // one pass at a time
  std::thread thread_;
};

}  // namespace huitong::faults
