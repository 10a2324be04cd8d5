// The checklist's checks over what a gateway has (docs/operations.md "Inspections"): each reads
// one source and reports problems keyed by subject, with severities from its thresholds.
// `huitong serve` and `huitong inspect run` fill InspectionSources with what they have; a source
// left empty makes its check fail with "not available" (never silently pass).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/core/WorkCalendar.h"
#include "gateway/health/ItemHealth.h"
#include "gateway/monitor/Check.h"
#include "gateway/ops/inspect/InspectionRunner.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::monitor::schedule {
class ResultsStore;
}
namespace huitong::ops::backup {
class BackupLedger;
}

namespace huitong::ops::inspect {

struct GatewayStatus {
  bool answered = false;  // the gateway answered at all
  bool ready = false;
  std::string version;
  std::string detail;  // what was asked and what came back
};

struct MonitoredCheck {
  std::string id;
  std::string kind;  // "probe", "host", "tcp"
  monitor::Cadence cadence;
};

// Everything the checks read. The pointers must stay valid while a check may run (for a
// check that timed out: until the process ends); shared by the checks' threads.
struct InspectionSources {
  std::string gatewayVersion;
  // The gateway's status; an Error when it cannot be asked here (the check fails).
  std::function<Result<GatewayStatus>()> gateway;
  storage::StoreConfig store;
  std::string dataDir;  // the folder whose disk headroom is checked
  storage::ExchangeStore* exchange = nullptr;
  std::function<Result<std::vector<health::ItemHealth>>()> items;
  monitor::schedule::ResultsStore* results = nullptr;
  std::vector<MonitoredCheck> monitored;
  const WorkCalendar* calendar = nullptr;
  backup::BackupLedger* backups = nullptr;
  std::vector<std::string> certificateFiles;  // the gateway's own TLS certificates (PEM)
  // The configuration checks (gateway/ops/baseline): problems with check "config".
  std::function<Result<std::vector<ObservedProblem>>()> configChecks;
};

// Every check of knownChecks() bound to `sources`.
std::vector<InspectionCheck> makeChecks(std::shared_ptr<const InspectionSources> sources);

// Days until a PEM certificate file's first certificate expires (negative: expired).
Result<double> certificateDaysLeft(const std::string& pemFile, EpochMillis now);

}  // namespace huitong::ops::inspect
