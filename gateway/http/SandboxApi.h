// The joint-debug sandbox's HTTP side (docs/sandbox.md): POST /sandbox/v1/{system} takes a
// department's message signed with one of the system's sandbox keys, runs it through a second
// instance of the system's own push adapter whose Host hands it to the sandbox (never the
// production intake), and answers the session's trace as JSON or HTML; a pull system's second
// adapter instance reads its own sandbox folder or table the same way; staff read sessions
// (GET /sandbox/v1/sessions[/{id}]) and an item's evidence
// (GET /ops/v1/filings/{system}/{item}/evidence). Sandbox traffic is counted under its own metric
// names only. Thread-safe; everything given outlives it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/Adapter.h"
#include "gateway/exchange/MappingSet.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/http/AdapterRuntime.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/registry/Filing.h"
#include "sandbox/joint_debug/SandboxService.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace huitong::http {

class SandboxApi {
 public:
  SandboxApi(const GatewayConfig& config, const adapter::AdapterRegistry& registry,
             const AdapterRuntime& adapters, const exchange::MappingSet& mappings,
             sandbox::SandboxService& sandbox, exchange::MetricsRegistry& metrics,
             const Clock& clock);
  ~SandboxApi();

  // Builds a sandbox adapter for every push system with sandbox keys and every pull system with
  // a sandbox folder or table (systems.X.sandbox.adapter), after AdapterRuntime::create; a bad
  // key or block (one that shares production's folder or table) stops the start.
  Result<void> create();
  // Starts the pull systems' sandbox adapters; stop() stops and joins them.
  Result<void> start();
  void stop();

  // Who calls a staff endpoint; answers 401 itself and returns nullopt when nobody.
  using StaffActor = std::function<std::optional<registry::Actor>()>;

  // Whether `parts` (the path's segments) are the sandbox's.
  static bool handles(const std::vector<std::string>& parts);
  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::vector<std::string>& parts, std::string body,
              const StaffActor& staffActor);

 private:
  class SandboxHost;
  void intake(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::string& system, std::string body);
  void sessions(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                const registry::Actor& actor);
  void session(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
               const registry::Actor& actor, const std::string& id);
  void evidence(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                const registry::Actor& actor, const std::string& system, const std::string& item);

  const GatewayConfig& config_;
  const adapter::AdapterRegistry& registry_;
  const AdapterRuntime& adapters_;
  const exchange::MappingSet& mappings_;
  sandbox::SandboxService& sandbox_;
  exchange::MetricsRegistry& metrics_;
  const Clock& clock_;
  std::unique_ptr<auth::Verifier> verifier_;
  std::map<std::string, std::unique_ptr<SandboxHost>> hosts_;
  std::map<std::string, std::unique_ptr<adapter::Adapter>> adapterOf_;
  std::vector<std::string> started_;
};

}  // namespace huitong::http
