// Per-item health over HTTP (docs/monitoring.md "Item health"): GET /ops/v1/health lists every
// online item with its status and reasons (?system=S, ?status=red|yellow|green narrow it), and
// GET /ops/v1/health/{system}/{item} gives one item's figures and its source's report. Both
// read the HealthService's snapshot (refreshed every refresh_s), never the store per request.
// Every staff role reads; a department only its own system (the caller's role check).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gateway/health/HealthService.h"
#include "gateway/http/AdapterRuntime.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/registry/StaffAccess.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace huitong::http {

// The online filings of the registry, for HealthService.
health::OnlineItems onlineItemsOf(registry::RegistryStore& registry);
// What each system's adapter reports of its source, and a push system's last request.
health::SourceLookup sourceLookupOf(const AdapterRuntime& adapters);

class HealthApi {
 public:
  explicit HealthApi(health::HealthService& health) : health_(health) {}

  // Whether `parts` (the path's segments) are health's: ops/v1/health[/...].
  static bool handles(const std::vector<std::string>& parts);

  // May `actor` read `system`'s health ("*" = every system)? Answers 403 itself when not.
  using Permit = std::function<bool(const std::string& system)>;
  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::vector<std::string>& parts, const registry::Actor& actor,
              const Permit& permit);

 private:
  health::HealthService& health_;
};

}  // namespace huitong::http
