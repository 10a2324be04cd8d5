#include "gateway/app/InspectionWiring.h"

#include <filesystem>
#include <sstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include "gateway/monitor/schedule/MonitorService.h"
#include "gateway/ops/backup/BackupLedger.h"
#include "gateway/ops/baseline/ConfigChecks.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::app {

using namespace ops::inspect;

InspectionWiring::~InspectionWiring() = default;

Result<std::unique_ptr<InspectionWiring>> InspectionWiring::create(const Inputs& in) {
  std::unique_ptr<InspectionWiring> w(new InspectionWiring());
  const http::GatewayConfig& c = *in.config;
  if (c.inspection) {
    auto read = InspectionConfig::read(*c.inspection);
    if (!read)
      return read.error();
    w->config_ = std::move(read).value();
  } else {
    w->config_ = InspectionConfig::defaults();
  }
  auto ledger = InspectionLedger::open(c.store);
  if (!ledger)
    return ledger.error();
  w->ledger_ = std::move(ledger).value();
  auto backups = ops::backup::BackupLedger::open(c.store);
  if (!backups)
    return backups.error();
  w->backups_ = std::move(backups).value();

  auto s = std::make_shared<InspectionSources>();
  s->gatewayVersion = buildVersion();
  s->gateway = in.gateway;
  s->store = c.store;
  if (c.store.kind == "sqlite") {
    s->dataDir = std::filesystem::absolute(c.store.path).parent_path().string();
  } else {
    s->dataDir = std::filesystem::absolute(c.file).parent_path().string();
  }
  s->exchange = in.exchange;
  s->items = in.items;
  s->calendar = in.calendar;
  s->backups = w->backups_.get();
  if (in.monitor != nullptr) {
    s->results = &in.monitor->store();
    for (const auto& st : in.monitor->scheduler().snapshot())
      s->monitored.push_back({st.id, st.kind, st.cadence});
  }
  // The gateway's own certificates: its HTTPS listener's, the CA of department client
  // certificates, and its client certificate and CAs towards the platform.
  for (const std::string* f :
       {c.tls ? &c.tls->certificateFile : nullptr, c.tls ? &c.tls->caFile : nullptr,
        &c.delivery.certificateFile, &c.delivery.caFile}) {
    if (f != nullptr && !f->empty())
      s->certificateFiles.push_back(*f);
  }
  // The configuration checks read the config as loaded: the wiring's copy lives with `s`.
  auto config = std::make_shared<http::GatewayConfig>(c);
  const Clock* clock = in.clock;
  s->configChecks = [config, clock]() -> Result<std::vector<ObservedProblem>> {
    auto db = storage::StatementDatabase::open(config->store, "inspect-config",
                                               "the configuration checks");
    if (!db)
      return db.error();
    auto report = ops::baseline::runConfigChecks(*config, *db.value(), clock->now());
    if (!report)
      return report.error();
    std::vector<ObservedProblem> out;
    for (const auto& f : report.value().findings) {
      ObservedProblem p;
      p.check = "config";
      p.subject = f.id;
      p.severity = parseSeverity(f.severity).value_or(Severity::kMinor);
      p.title = f.title;
      p.detail = f.detail;
      out.push_back(std::move(p));
    }
    return out;
  };
  w->sources_ = s;
  w->runner_ =
      std::make_unique<InspectionRunner>(*w->ledger_, w->config_, makeChecks(s), *in.clock);
  monitor::schedule::MonitorService* monitor = in.monitor;
  const Clock* clk = in.clock;
  std::function<bool()> majorEvent;
  if (monitor != nullptr) {
    majorEvent = [monitor, clk] {
      const EpochMillis now = clk->now();
      for (const auto& e : monitor->events()) {
        if (e.from <= now && now < e.to)
          return true;
      }
      return false;
    };
  }
  w->service_ = std::make_unique<InspectionService>(*w->ledger_, *w->runner_, *in.clock, in.audit,
                                                    majorEvent, buildVersion());
  w->api_ = std::make_unique<InspectionsApi>(*w->service_);
  return w;
}

Result<GatewayStatus> probeGateway(const http::GatewayConfig& config, int timeoutMs) {
  GatewayStatus g;
  if (!config.plainListener)
    return Error{"inspection.gateway",
                 "readiness cannot be asked from outside: the config has no plain listener", ""};
  if (config.listenPort == 0)
    return Error{"inspection.gateway",
                 "readiness cannot be asked from outside: the config listens on port 0 (any "
                 "free port)",
                 ""};
  std::string host = config.listenHost;
  if (host == "0.0.0.0" || host == "::" || host.empty())
    host = "127.0.0.1";
  const std::string url = "http://" + host + ":" + std::to_string(config.listenPort) + "/readyz";
  try {
    Poco::Net::HTTPClientSession session(host, config.listenPort);
    session.setTimeout(Poco::Timespan(0, timeoutMs * 1000));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/readyz",
                               Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(req);
    Poco::Net::HTTPResponse res;
    std::istream& body = session.receiveResponse(res);
    std::ostringstream text;
    text << body.rdbuf();
    g.answered = true;
    g.ready = res.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
    g.detail = "GET " + url + ": " + std::to_string(static_cast<int>(res.getStatus())) + " " +
               text.str().substr(0, 200);
  } catch (const Poco::Exception& e) {
    g.detail = "GET " + url + ": " + e.displayText();
  }
  return g;
}

}  // namespace huitong::app
