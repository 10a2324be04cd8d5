// The gateway's HTTP side: one route table over POCO's HTTPServer, department intake with
// authentication, message status, health, readiness, metrics and the operator API. Every error
// answer is application/problem+json (RFC 9457), or a SOAP fault for SOAP systems.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/Clock.h"
#include "gateway/exchange/DeliveryWorker.h"
#include "gateway/exchange/IntakeService.h"
#include "gateway/exchange/MappingSet.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/http/AdapterRuntime.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/http/MappingSync.h"
#include "gateway/registry/MappingVersions.h"
#include "gateway/registry/RegistryService.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/registry/StaffAccess.h"
#include "gateway/storage/ExchangeStore.h"

namespace Poco {
class ThreadPool;
}  // namespace Poco
namespace Poco::Net {
class HTTPServer;
}  // namespace Poco::Net

namespace huitong::http {

class TlsListener;
class SandboxApi;
class MonitorApi;
class HealthApi;
class FaultsApi;
class OpsArea;

// Everything a request handler needs; owned by the server, shared with handlers.
struct GatewayContext {
  const GatewayConfig& config;
  storage::ExchangeStore& store;
  exchange::MappingSet& mappings;
  exchange::IntakeService& intake;
  exchange::DeliveryWorker& delivery;
  exchange::MetricsRegistry& metrics;
  const auth::Verifier& verifier;
  const AdapterRuntime& adapters;
  const Clock& clock;
  std::atomic<bool>& ready;
  registry::RegistryStore& registry;           // the audit trail (queries, refusals)
  registry::RegistryService& filings;          // the filing registry
  registry::StaffAccess& staff;                // logins and their tokens
  registry::MappingVersions& mappingVersions;  // draft, test, publish, rollback
  MappingSync& mappingSync;                    // what runs here, switched without restart
  SandboxApi* sandbox = nullptr;               // /sandbox/v1 and evidence; null: none
  HealthApi* health = nullptr;                 // /ops/v1/health; null: none
  MonitorApi* monitor = nullptr;               // /ops/v1/monitor; null: none
  FaultsApi* faults = nullptr;                 // /ops/v1/tickets; null: none
  // The operations of gateway/ops (/ops/v1/inspections, ...): see addOpsArea.
  std::vector<OpsArea*> opsAreas = {};
};

class GatewayServer {
 public:
  explicit GatewayServer(GatewayContext context);
  ~GatewayServer();
  // Binds and starts serving: the plain listener and/or the TLS one, as configured. The
  // chosen ports are port() and tlsPort() (config port 0 = any free port; 0 = not serving).
  Result<void> start();
  unsigned short port() const;
  unsigned short tlsPort() const;
  // Stops accepting, lets in-flight requests finish (up to a few seconds).
  void stop();
  // An area of the operator API from gateway/ops (gateway/http/OpsArea.h), tried after the
  // built-in routes' own prefixes. REQUIRES: before start(); the area outlives the server.
  void addOpsArea(OpsArea* area) { ctx_.opsAreas.push_back(area); }

 private:
  GatewayContext ctx_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::unique_ptr<TlsListener> tls_;
};

// One structured log line (JSON) to standard error: {"ts", "level", "msg", ...fields}.
void logLine(const std::string& level, const std::string& msg,
             const std::vector<std::pair<std::string, std::string>>& fields = {});

}  // namespace huitong::http
