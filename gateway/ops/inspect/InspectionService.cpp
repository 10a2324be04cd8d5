#include "gateway/ops/inspect/InspectionService.h"

#include <stdexcept>
#include <utility>

namespace huitong::ops::inspect {

const char* buildVersion() {
  return HUITONG_VERSION;
}

InspectionService::InspectionService(InspectionLedger& ledger, InspectionRunner& runner,
                                     const Clock& clock, registry::RegistryStore* audit,
                                     std::function<bool()> majorEvent, std::string gatewayVersion)
    : ledger_(ledger),
      runner_(runner),
      clock_(clock),
      audit_(audit),
      majorEvent_(std::move(majorEvent)),
      version_(std::move(gatewayVersion)) {}

Result<void> InspectionService::audit(const StaffMember& by, const std::string& action,
                                      std::int64_t runId, const std::string& after) {
  if (audit_ == nullptr)
    return {};
  registry::AuditEntry e;
  e.at = clock_.now();
  e.actor = by.name;
  e.role = by.role;
  e.action = action;
  e.target = "inspection " + std::to_string(runId);
  e.before = "null";
  e.after = after;
  auto r = audit_->appendAudit(e);
  if (!r)
    return r.error();
  return {};
}

Result<InspectionRun> InspectionService::run(Trigger trigger, const StaffMember& by,
                                             const InspectionRunner::Progress& progress) {
  const bool intensified = intensifiedNow();
  if (trigger == Trigger::kScheduled && intensified)
    trigger = Trigger::kIntensified;
  auto run = runner_.run(trigger, by.name, version_, intensified, progress);
  if (!run)
    return run;
  if (trigger == Trigger::kManual) {
    if (auto a = audit(by, "inspection.run", run.value().id, runJson(run.value())); !a)
      return a.error();
  }
  return run;
}

Result<std::vector<InspectionRun>> InspectionService::list(EpochMillis from, EpochMillis to,
                                                           int limit) {
  return ledger_.runs(from, to, limit);
}

Result<InspectionReport> InspectionService::report(std::int64_t runId) {
  auto run = ledger_.run(runId);
  if (!run)
    return run.error();
  if (!run.value())
    return Error{"inspection.not_found", "no inspection run " + std::to_string(runId), ""};
  auto findings = ledger_.runFindings(runId);
  if (!findings)
    return findings.error();
  return InspectionReport{*run.value(), std::move(findings).value()};
}

Result<InspectionRun> InspectionService::signOff(std::int64_t runId, const StaffMember& by,
                                                 const std::string& note) {
  auto signedRun = ledger_.signOff(runId, by.name, note, clock_.now());
  if (!signedRun)
    return signedRun;
  if (auto a = audit(by, "inspection.sign_off", runId, runJson(signedRun.value())); !a)
    return a.error();
  return signedRun;
}

Job InspectionService::job(const InspectionConfig& config) {
  Job j;
  j.name = "inspection";
  auto when = parseJobWhen(config.schedule);
  assert(when.ok());
  j.when = when.value();
  j.intensifiedEveryMinutes = config.intensifiedEveryMinutes;
  j.intensified = [this] { return intensifiedNow(); };
  j.run = [this](EpochMillis, bool intensified) {
    auto r = run(intensified ? Trigger::kIntensified : Trigger::kScheduled,
                 StaffMember{"scheduler", "system"});
    if (!r)
      throw std::runtime_error("inspection: " + r.error().describe());
  };
  return j;
}

}  // namespace huitong::ops::inspect
