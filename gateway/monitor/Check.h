// A monitoring check as the scheduler sees it: something that runs once and says what it found.
// Page probes, login flows, host reads and agent scrapes implement it; the scheduler runs them
// on their cadence (5x8 on the work calendar by default, 7x24 where configured, more often during
// a declared major event), stores the results and feeds alerts.
#pragma once

#include <memory>
#include <string>

#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/monitor/CheckResult.h"

namespace huitong::monitor {

// What one run may use and must honour.
struct RunContext {
  const Clock* clock = nullptr;  // "now" for startedAt and for certificate expiry
  // The whole run (every step) must end within this; a check that would take longer stops and
  // returns kError naming the timeout.
  unsigned timeoutMs = 10000;
  // A declared major event is on: checks apply their tighter thresholds.
  bool intensified = false;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual const std::string& id() const = 0;
  virtual const std::string& kind() const = 0;  // "http", "login", "host", "agent"
  // Runs once. Thread-safe with respect to other checks; never throws (errors become kError).
  virtual CheckResult run(const RunContext& ctx) = 0;
};

// When a check runs. Read from the keys every check entry of the "monitor" config may carry:
//   "schedule": "5x8" (default: working days on the work calendar, office hours) | "7x24"
//   "interval_s": seconds between runs (default 60, 5..86400)
//   "intensified_interval_s": during a declared major event (default interval_s / 4, at least 5)
//   "timeout_ms": a run's bound (default 10000, 100..120000)
struct Cadence {
  std::string schedule = "5x8";
  unsigned intervalSeconds = 60;
  unsigned intensifiedIntervalSeconds = 15;
  unsigned timeoutMs = 10000;
};

// The cadence keys of one check entry, refused with file:line when out of range or when the
// intensified interval is longer than the normal one.
Result<Cadence> readCadence(const ConfigNode& entry);
// The keys readCadence reads, for the entry's allowOnly list.
inline const char* const kCadenceKeys[] = {"schedule", "interval_s", "intensified_interval_s",
                                           "timeout_ms"};

struct ScheduledCheck {
  std::shared_ptr<Check> check;
  Cadence cadence;
};

}  // namespace huitong::monitor
