// What `huitong inspect`, /ops/v1/inspections and the working-day job share: run an inspection
// now (a manual run is audited "inspection.run"), list and show runs as reports, and sign a run
// off (audited "inspection.sign_off"). Whether a major event is declared now decides the
// intensified mode. Thread-safe; everything given outlives the service.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/ops/OpsJobs.h"
#include "gateway/ops/inspect/InspectionReport.h"
#include "gateway/ops/inspect/InspectionRunner.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::ops::inspect {

// This build's version (the project's, "0.1.0"): what the gateway check and every run record.
const char* buildVersion();

struct StaffMember {
  std::string name;
  std::string role;  // admin | operator | auditor | system
};

class InspectionService {
 public:
  // `audit`: the registry's trail (nullptr: nothing audited — tests of the runner only).
  // `majorEvent`: whether a major event is in force now (nullptr: never).
  InspectionService(InspectionLedger& ledger, InspectionRunner& runner, const Clock& clock,
                    registry::RegistryStore* audit, std::function<bool()> majorEvent,
                    std::string gatewayVersion);

  // Runs now; a kManual run is audited with `by`. The trigger is kIntensified for a scheduled
  // run during a major event.
  Result<InspectionRun> run(Trigger trigger, const StaffMember& by,
                            const InspectionRunner::Progress& progress = {});
  bool intensifiedNow() const { return majorEvent_ && majorEvent_(); }

  Result<std::vector<InspectionRun>> list(EpochMillis from, EpochMillis to, int limit);
  // "inspection.not_found" when there is no such run.
  Result<InspectionReport> report(std::int64_t runId);
  Result<InspectionRun> signOff(std::int64_t runId, const StaffMember& by, const std::string& note);

  InspectionLedger& ledger() { return ledger_; }

  // The working-day job for OpsJobs: config.schedule, and every intensifiedEveryMinutes while a
  // major event is in force (trigger "intensified", tighter thresholds). A failed run throws
  // (OpsJobs records it as the job's last error). REQUIRES: config.schedule parses.
  Job job(const InspectionConfig& config);

 private:
  Result<void> audit(const StaffMember& by, const std::string& action, std::int64_t runId,
                     const std::string& after);
  InspectionLedger& ledger_;
  InspectionRunner& runner_;
  const Clock& clock_;
  registry::RegistryStore* audit_;
  std::function<bool()> majorEvent_;
  std::string version_;
};

}  // namespace huitong::ops::inspect
