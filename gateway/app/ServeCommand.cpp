// `huitong serve --config FILE`: the gateway as a Poco::Util::ServerApplication — store,
// mappings, intake, delivery and HTTP wired together; graceful stop on SIGTERM/SIGINT.
#include <csignal>
#include <iostream>

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include "adapters/register_adapters.h"
#include "gateway/app/AuditHeadLog.h"
#include "gateway/app/CommandLine.h"
#include "gateway/app/FaultsWiring.h"
#include "gateway/app/FilingSeed.h"
#include "gateway/app/InspectionWiring.h"
#include "gateway/app/MonitorWiring.h"
#include "gateway/app/PluginLoader.h"
#include "gateway/app/ReportWiring.h"
#include "gateway/app/SnapshotGate.h"
#include "gateway/auth/HttpSignatures.h"
#include "gateway/exchange/DeliveryWorker.h"
#include "gateway/exchange/IntakeService.h"
#include "gateway/exchange/MappingSet.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/health/HealthService.h"
#include "gateway/http/AdapterRuntime.h"
#include "gateway/http/ConfigAudit.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/http/GatewayServer.h"
#include "gateway/http/HealthApi.h"
#include "gateway/http/MappingSync.h"
#include "gateway/http/MonitorApi.h"
#include "gateway/http/SandboxApi.h"
#include "gateway/ops/OpsJobs.h"
#include "gateway/ops/backup/BackupsApi.h"
#include "gateway/ops/backup/ScheduledBackup.h"
#include "gateway/ops/baseline/ConfigChangesApi.h"
#include "gateway/registry/FilingSnapshot.h"
#include "gateway/registry/MappingVersions.h"
#include "gateway/registry/RegistryService.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/registry/StaffAccess.h"
#include "gateway/storage/ExchangeStore.h"
#include "sandbox/joint_debug/SandboxService.h"
#include "sandbox/joint_debug/SandboxStore.h"

namespace huitong::app {
namespace {

using http::logLine;

// Each configured system's folder in the mappings directory, offered to the registry (first
// start: published; a new version: a draft; changed files under a stored version: a warning).
bool bootstrapMappings(const http::GatewayConfig& c, registry::MappingVersions& versions) {
  for (const auto& s : c.systems) {
    auto done = versions.bootstrap(s.id, c.mappingsDir + "/" + s.id, "huitong serve");
    if (!done.ok()) {
      std::cerr << "huitong serve: mappings: " << done.error().describe() << "\n";
      return false;
    }
    const auto& o = done.value();
    if (o.action == "published" || o.action == "draft" || o.action == "differs") {
      logLine(o.action == "differs" ? "warning" : "notice", "mapping folder " + o.action,
              {{"system", s.id}, {"version", o.version}, {"note", o.message}});
    }
  }
  return true;
}

// The config and credential changes since the trail last recorded the config (docs/audit.md),
// appended before the gateway serves. A change that cannot be audited stops the start: the
// gateway would otherwise run on credentials no one can tell were changed.
bool recordConfigChanges(registry::RegistryStore& trail, const http::GatewayConfig& config,
                         const Clock& clock) {
  auto recorded = http::recordConfig(trail, config, http::serveActor(), clock.now());
  if (!recorded.ok()) {
    std::cerr << "huitong serve: audit trail: cannot record the configuration: "
              << recorded.error().describe() << "\n";
    return false;
  }
  for (const auto& e : recorded.value())
    logLine("notice", "audited " + e.action,
            {{"seq", std::to_string(e.seq)}, {"target", e.target}});
  return true;
}

class ServeApp : public Poco::Util::ServerApplication {
 protected:
  void defineOptions(Poco::Util::OptionSet& options) override {
    ServerApplication::defineOptions(options);
    options.addOption(
        Poco::Util::Option("config", "c", "configuration file (JSON; docs/configuration.md)")
            .required(false)
            .argument("FILE")
            .binding("huitong.config"));
    options.addOption(
        Poco::Util::Option("help", "h", "show this help").required(false).repeatable(false));
  }

  void handleOption(const std::string& name, const std::string& value) override {
    ServerApplication::handleOption(name, value);
    if (name == "help") {
      help_ = true;
      stopOptionsProcessing();
    }
  }

  int main(const std::vector<std::string>&) override {
    // A stop (SIGTERM, SIGINT, SIGQUIT) waits for waitForTerminationRequest below: blocked here,
    // before any thread starts, so every thread inherits the mask and a stop that comes while
    // the gateway starts or has just said it is ready stops it cleanly instead of killing it.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    for (int sig : {SIGINT, SIGQUIT, SIGTERM})
      sigaddset(&stopSignals, sig);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    if (help_) {
      Poco::Util::HelpFormatter f(options());
      f.setCommand("huitong serve");
      f.setUsage("--config FILE");
      f.setHeader(
          "Runs the gateway: department intake, journal, mapping, delivery to the platform.");
      f.format(std::cout);
      return kExitOk;
    }
    const std::string file = config().getString("huitong.config", "");
    if (file.empty()) {
      std::cerr << "huitong serve: --config FILE is required (see docs/configuration.md)\n";
      return kExitUsage;
    }
    auto cfg = http::loadConfig(file);
    if (!cfg.ok()) {
      std::cerr << "huitong serve: " << cfg.error().describe() << "\n";
      return kExitUsage;
    }
    const http::GatewayConfig& c = cfg.value();
    SystemClock clock;
    exchange::MetricsRegistry metrics;
    exchange::MappingSet mappings;
    for (const auto& s : c.systems) {
      if (s.auth == "legacy" && s.clientCerts.empty()) {
        logLine("warning",
                "system admitted by source address (legacy policy: weaker than signatures)",
                {{"system", s.id}});
      }
    }
    adapter::AdapterRegistry registry;
    if (auto r = adapters::registerBuiltinAdapters(registry); !r.ok()) {
      std::cerr << "huitong serve: adapters: " << r.error().describe() << "\n";
      return kExitFailed;
    }
    auto plugins = loadAdapterPlugins(c.plugins, registry);
    if (!plugins.ok()) {
      std::cerr << "huitong serve: plugins: " << plugins.error().describe() << "\n";
      return kExitUsage;
    }
    for (const auto& p : plugins.value()) {
      std::string names;
      for (const auto& n : p.adapters)
        names += (names.empty() ? "" : ",") + n;
      logLine("info", "adapter plugin loaded",
              {{"path", p.path}, {"adapters", names}, {"built_with", p.builtWith}});
    }
    auto store = storage::ExchangeStore::open(c.store);
    if (!store.ok()) {
      std::cerr << "huitong serve: store: " << store.error().describe() << "\n";
      return kExitFailed;
    }
    auto auditTrail = registry::RegistryStore::open(c.store);
    if (!auditTrail.ok()) {
      std::cerr << "huitong serve: audit trail: " << auditTrail.error().describe() << "\n";
      return kExitFailed;
    }
    AuditHeadLog auditHead(*auditTrail.value(), logLine);  // at start, then daily
    auditHead.start();
    // The mappings run are the live versions in the registry; a system's folder under the
    // mappings directory seeds it (first start) or becomes a draft (docs/mapping-versions.md).
    registry::MappingVersions mappingVersions(*auditTrail.value(), clock);
    if (!bootstrapMappings(c, mappingVersions))
      return kExitUsage;
    std::vector<std::string> systemIds;
    for (const auto& s : c.systems)
      systemIds.push_back(s.id);
    http::MappingSync mappingSync(mappingVersions, mappings, metrics, systemIds, logLine,
                                  std::chrono::milliseconds(c.filingRefreshMs));
    if (auto r = mappingSync.refresh(true); !r.ok()) {
      std::cerr << "huitong serve: mappings: " << r.error().describe() << "\n";
      return kExitUsage;
    }
    if (!recordConfigChanges(*auditTrail.value(), c, clock))
      return kExitFailed;
    std::vector<auth::DepartmentKey> keys;
    for (const auto& s : c.systems)
      keys.insert(keys.end(), s.keys.begin(), s.keys.end());
    auth::Verifier verifier(keys, clock);
    // The intake's gate reads filing states from memory (docs/configuration.md, registry).
    registry::FilingSnapshot filingStates(
        [trail = auditTrail.value().get()] { return trail->filings({}); }, clock,
        c.filingRefreshMs);
    SnapshotGate filingGate(filingStates);
    exchange::IntakeService intake(*store.value(), mappings, clock, metrics, filingGate);
    exchange::DeliveryConfig deliveryConfig = c.delivery;
    deliveryConfig.tlsFailureLog = [&c](const std::string& message, const std::string& reason) {
      logLine("error", message, {{"platform", c.delivery.platformUrl}, {"reason", reason}});
    };
    exchange::DeliveryWorker delivery(*store.value(), deliveryConfig, clock, metrics);
    http::AdapterRuntime adapterRuntime(c, registry, mappings, intake, delivery, metrics, clock);
    if (auto r = adapterRuntime.create(); !r.ok()) {
      std::cerr << "huitong serve: " << r.error().describe() << "\n";
      return kExitUsage;
    }
    // The joint-debug sandbox (docs/sandbox.md): its sessions are the evidence going online
    // asks for.
    auto sandboxStore = sandbox::SandboxStore::open(c.store);
    if (!sandboxStore.ok()) {
      std::cerr << "huitong serve: sandbox store: " << sandboxStore.error().describe() << "\n";
      return kExitFailed;
    }
    sandbox::SandboxService sandboxService(mappingVersions, *sandboxStore.value(), clock,
                                           auditTrail.value().get());
    http::SandboxApi sandboxApi(c, registry, adapterRuntime, mappings, sandboxService, metrics,
                                clock);
    if (auto r = sandboxApi.create(); !r.ok()) {
      std::cerr << "huitong serve: " << r.error().describe() << "\n";
      return kExitUsage;
    }
    std::atomic<bool> ready{false};
    auto* st = store.value().get();
    metrics.gauge("huitong_journal_messages", "Messages in the journal", [st] {
      auto d = st->depths();
      return d.ok() ? static_cast<double>(d.value().journal) : -1.0;
    });
    metrics.gauge("huitong_outbox_pending", "Case events waiting for delivery", [st] {
      auto d = st->depths();
      return d.ok() ? static_cast<double>(d.value().pending) : -1.0;
    });
    metrics.gauge("huitong_outbox_dead", "Dead letters waiting for an operator", [st] {
      auto d = st->depths();
      return d.ok() ? static_cast<double>(d.value().dead) : -1.0;
    });
    WorkCalendar calendar = WorkCalendar::china();
    if (c.calendar) {
      if (auto r = calendar.configure(*c.calendar); !r.ok()) {
        std::cerr << "huitong serve: " << r.error().describe() << "\n";
        return kExitUsage;
      }
    }
    registry::RecordedGoLiveChecks goLive(
        *auditTrail.value(), c.assumeSandboxEvidence, &sandboxService,
        [](const std::string& message, const std::string& system, const std::string& item,
           const std::string& version) {
          logLine("warning", message, {{"system", system}, {"item", item}, {"version", version}});
        });
    registry::RegistryService filings(*auditTrail.value(), clock, calendar, goLive);
    filings.setChangeListener(
        [&filingStates](const registry::Filing& f) { filingStates.apply(f); });
    if (auto r = seedFilings(c, mappings, filings, goLive); !r.ok()) {
      std::cerr << "huitong serve: registry.filings: " << r.error().describe() << "\n";
      return kExitUsage;
    }
    if (auto r = filingStates.refresh(); !r.ok()) {
      std::cerr << "huitong serve: filing states: " << r.error().describe() << "\n";
      return kExitFailed;
    }
    filingStates.start([](const Error& e) {
      logLine("error", "filing states not read again; the last ones stay in use",
              {{"error", e.describe()}});
    });
    registry::AccessPolicy policy;
    policy.sessionMillis = static_cast<std::int64_t>(c.sessionSeconds) * 1000;
    policy.maxFailures = static_cast<int>(c.maxLoginFailures);
    policy.lockoutMillis = static_cast<std::int64_t>(c.lockoutSeconds) * 1000;
    registry::StaffAccess staff(*auditTrail.value(), clock, policy);
    // Per-item health (docs/monitoring.md): a snapshot refreshed every refresh_s.
    auto healthRules = c.health ? health::HealthRules::read(*c.health) : health::HealthRules();
    if (!healthRules.ok()) {
      std::cerr << "huitong serve: " << healthRules.error().describe() << "\n";
      return kExitUsage;
    }
    health::HealthService itemHealth(*store.value(), http::onlineItemsOf(*auditTrail.value()),
                                     http::sourceLookupOf(adapterRuntime), healthRules.value(),
                                     calendar, clock);
    http::HealthApi healthApi(itemHealth);
    metrics.collector([&itemHealth] { return itemHealth.renderMetrics(); });
    // Monitoring (docs/monitoring.md): checks on their schedules, results, alerts.
    auto monitoring = MonitorWiring::create(c.monitor, c.store, calendar, clock, metrics);
    if (!monitoring.ok()) {
      std::cerr << "huitong serve: " << monitoring.error().describe() << "\n";
      return kExitUsage;
    }
    std::optional<http::MonitorApi> monitorApi;
    if (monitoring.value())
      monitorApi.emplace(monitoring.value()->service());
    // An item's health turning red (and back) is an alert signal: rules of kind "signal" with
    // source "health" watch it (docs/monitoring.md), keyed SYSTEM/ITEM.
    if (monitoring.value()) {
      auto& alerts = monitoring.value()->service().alerts();
      itemHealth.setListener([&alerts](const health::HealthService::Snapshot& s) {
        for (const auto& item : s.items) {
          std::string reasons;
          for (const auto& r : item.reasons) {
            if (r.level == health::Status::kRed)
              reasons += (reasons.empty() ? "" : "; ") + r.text;
          }
          alerts.onSignal(monitor::schedule::AlertSignal{
              "health", item.system + "/" + item.item, item.status == health::Status::kRed,
              reasons.empty() ? "health " + health::toString(item.status) : reasons});
        }
      });
    }
    // Fault tickets (docs/faults.md): the API, and alerts opening tickets once monitoring runs.
    auto faultTickets = FaultsWiring::create(c.faults, c.store, *auditTrail.value(),
                                             monitoring.value().get(), calendar, clock);
    if (!faultTickets.ok()) {
      const bool config = faultTickets.error().code.rfind("store.", 0) != 0;
      std::cerr << "huitong serve: " << faultTickets.error().describe() << "\n";
      return config ? kExitUsage : kExitFailed;
    }
    faultTickets.value()->useItemHealth(itemHealth, *store.value());
    metrics.collector([&f = *faultTickets.value()] { return f.renderMetrics(); });
    // Configuration checks (docs/operations.md): /ops/v1/config/check and /ops/v1/changes.
    auto configDb = storage::StatementDatabase::open(c.store, "config", "configuration baselines");
    if (!configDb.ok()) {
      std::cerr << "huitong serve: " << configDb.error().describe() << "\n";
      return kExitFailed;
    }
    ops::baseline::ConfigChangesApi configApi(c, std::move(configDb).value(), *auditTrail.value(),
                                              clock);
    // Inspections (docs/operations.md "Inspections"): /ops/v1/inspections, and the working-day
    // job (more often during a declared major event) on the scheduled operations' runner.
    InspectionWiring::Inputs inspectionInputs;
    inspectionInputs.config = &c;
    inspectionInputs.clock = &clock;
    inspectionInputs.calendar = &calendar;
    inspectionInputs.exchange = store.value().get();
    inspectionInputs.audit = auditTrail.value().get();
    inspectionInputs.gateway = [&ready]() -> Result<ops::inspect::GatewayStatus> {
      ops::inspect::GatewayStatus g;
      g.answered = true;
      g.ready = ready;
      g.version = ops::inspect::buildVersion();
      g.detail = ready ? "serving" : "starting or stopping";
      return g;
    };
    inspectionInputs.items = [&itemHealth]() -> Result<std::vector<health::ItemHealth>> {
      auto snapshot = itemHealth.latest();
      if (!snapshot)
        return Error{"health.none", "no item health could be computed", ""};
      return snapshot->items;
    };
    inspectionInputs.monitor = monitoring.value() ? &monitoring.value()->service() : nullptr;
    auto inspection = InspectionWiring::create(inspectionInputs);
    if (!inspection.ok()) {
      const bool config = inspection.error().code.rfind("store.", 0) != 0;
      std::cerr << "huitong serve: " << inspection.error().describe() << "\n";
      return config ? kExitUsage : kExitFailed;
    }
    // The runner of every scheduled operation of gateway/ops (OpsJobs): each part adds its job.
    ops::OpsJobs opsJobs(clock, calendar);
    opsJobs.add(inspection.value()->service().job(inspection.value()->config()));
    // The monthly operation report (docs/operations.md "Monthly operation report"): on the 1st
    // (report.schedule) the month that ended, kept in report.dir; /ops/v1/reports/monthly.
    ReportWiring::Inputs reportInputs;
    reportInputs.config = &c;
    reportInputs.calendar = &calendar;
    reportInputs.exchange = store.value().get();
    if (monitoring.value())
      for (const auto& s : monitoring.value()->service().scheduler().snapshot())
        reportInputs.checks.push_back({s.id, s.kind, s.cadence});
    auto reports = ReportWiring::create(reportInputs);
    if (!reports.ok()) {
      const bool config = reports.error().code.rfind("store.", 0) != 0;
      std::cerr << "huitong serve: " << reports.error().describe() << "\n";
      return config ? kExitUsage : kExitFailed;
    }
    opsJobs.add(reports.value()->job());
    // The daily backup (docs/operations.md "Backups"): the backup block's schedule, its restore
    // test and retention; /ops/v1/backups lists the records and takes a backup now.
    std::unique_ptr<ops::backup::ScheduledBackup> backups;
    std::optional<ops::backup::BackupsApi> backupsApi;
    if (c.backup) {
      auto b = ops::backup::ScheduledBackup::open(c.store, *c.backup, clock);
      if (!b.ok()) {
        std::cerr << "huitong serve: " << b.error().describe() << "\n";
        return b.error().code.rfind("store.", 0) == 0 ? kExitFailed : kExitUsage;
      }
      backups = std::move(b).value();
      opsJobs.add(backups->job());
      backupsApi.emplace(*backups);
    }
    http::GatewayServer server(http::GatewayContext{
        c, *store.value(), mappings, intake, delivery, metrics, verifier, adapterRuntime, clock,
        ready, *auditTrail.value(), filings, staff, mappingVersions, mappingSync, &sandboxApi,
        &healthApi, monitorApi ? &*monitorApi : nullptr, &faultTickets.value()->api()});
    server.addOpsArea(&inspection.value()->api());
    server.addOpsArea(&configApi);
    server.addOpsArea(&reports.value()->api());
    if (backupsApi)
      server.addOpsArea(&*backupsApi);
    if (auto r = server.start(); !r.ok()) {
      std::cerr << "huitong serve: " << r.error().describe() << "\n";
      return kExitFailed;
    }
    delivery.start();
    if (auto r = adapterRuntime.start(); !r.ok()) {
      std::cerr << "huitong serve: " << r.error().describe() << "\n";
      server.stop();
      delivery.stop();
      return kExitFailed;
    }
    if (auto r = sandboxApi.start(); !r.ok()) {
      std::cerr << "huitong serve: " << r.error().describe() << "\n";
      server.stop();
      adapterRuntime.stop();
      delivery.stop();
      return kExitFailed;
    }
    mappingSync.start();
    if (monitoring.value())
      monitoring.value()->start();
    itemHealth.start();
    faultTickets.value()->slaWatcher().start();
    faultTickets.value()->mailIntake().start();
    opsJobs.start();
    ready = true;
    logLine(
        "info", "gateway ready",
        {{"listen", c.plainListener ? c.listenHost + ":" + std::to_string(server.port()) : "off"},
         {"listen_tls", c.tls ? c.tls->listenHost + ":" + std::to_string(server.tlsPort()) : "off"},
         {"platform", c.delivery.platformUrl},
         {"store", c.store.kind == "sqlite" ? c.store.path : "postgresql"},
         {"systems", std::to_string(c.systems.size())},
         {"ticket_groups", faultTickets.value()->summary()}});
    waitForTerminationRequest();
    ready = false;
    logLine("info", "stopping: intake closed, in-flight requests finishing; the outbox is kept");
    server.stop();
    opsJobs.stop();
    faultTickets.value()->mailIntake().stop();
    faultTickets.value()->slaWatcher().stop();
    faultTickets.value()->stopNotifications();
    if (monitoring.value())
      monitoring.value()->stop();
    itemHealth.stop();
    sandboxApi.stop();
    adapterRuntime.stop();
    delivery.stop();
    logLine("info", "stopped");
    return kExitOk;
  }

 private:
  bool help_ = false;
};

}  // namespace

int runServe(const std::vector<std::string>& args) {
  std::vector<std::string> storage{"huitong-serve"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : storage)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  ServeApp app;
  try {
    return app.run(static_cast<int>(storage.size()), argv.data());
  } catch (const Poco::Exception& e) {
    std::cerr << "huitong serve: " << e.displayText() << "\n";
    return kExitUsage;
  }
}

}  // namespace huitong::app
