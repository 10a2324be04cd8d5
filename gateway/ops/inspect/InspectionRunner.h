// One inspection run: every enabled check of the checklist, each on its own thread with a
// deadline (check_timeout_seconds) — a check that hangs is marked "timed out after N s", its
// thread is abandoned and the run goes on — then the ledger re-checks every open finding and
// stores the run. One run at a time ("inspection.running" otherwise). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/ops/inspect/InspectionConfig.h"
#include "gateway/ops/inspect/InspectionLedger.h"

namespace huitong::ops::inspect {

// What a check is given: now, whether the run is intensified, its thresholds for this mode, and
// the previous finished run (growth and availability are measured since then).
struct CheckContext {
  EpochMillis now = 0;
  bool intensified = false;
  std::map<std::string, double> thresholds;
  std::optional<InspectionRun> previous;
  double threshold(const std::string& name) const {
    auto it = thresholds.find(name);
    return it == thresholds.end() ? 0 : it->second;
  }
};

// What a check found: its problems (empty: all well), figures for the record and the next
// run, and a one-line summary. An Error means the check could not run ("failed").
struct CheckReport {
  std::vector<ObservedProblem> problems;
  std::map<std::string, std::string> figures;
  std::string summary;
};

// A check's work. It may block (the runner bounds it); it must not touch what the caller
// destroys before the process ends — a timed-out check keeps running on an abandoned thread,
// so it holds shared ownership of what it reads.
using CheckFunction = std::function<Result<CheckReport>(const CheckContext&)>;

struct InspectionCheck {
  std::string id;
  CheckFunction run;
};

class InspectionRunner {
 public:
  // `checks`: the implementations by id; a checklist entry without one is "failed" ("not
  // available here"). The ledger and clock outlive the runner.
  InspectionRunner(InspectionLedger& ledger, InspectionConfig config,
                   std::vector<InspectionCheck> checks, const Clock& clock);
  ~InspectionRunner();

  // Told of each check as it ends (on the calling thread).
  using Progress = std::function<void(const CheckOutcome&, const CheckReport*)>;
  Result<InspectionRun> run(Trigger trigger, const std::string& startedBy,
                            const std::string& gatewayVersion, bool intensified,
                            const Progress& progress = {});

  const InspectionConfig& config() const { return config_; }

 private:
  struct Pending;
  InspectionLedger& ledger_;
  const InspectionConfig config_;
  std::map<std::string, CheckFunction> checks_;
  const Clock& clock_;
  std::mutex runMutex_;  // one run at a time
  // Checks still running on an abandoned thread after a timeout, with the run that gave up on
  // them: not started again until they return.
  std::mutex hungMutex_;
  std::map<std::string, std::pair<std::shared_ptr<Pending>, std::int64_t>> hung_;
};

}  // namespace huitong::ops::inspect
