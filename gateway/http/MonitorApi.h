// Monitoring's HTTP side (docs/monitoring.md): checks with their last run and next slot, a
// check's results as a time series (raw runs or hourly rollups), its availability by day and
// month, alerts, and major events and silences declared at run time. Reads: admin, operator,
// auditor; declaring: admin, operator. Thread-safe; the service outlives it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/monitor/schedule/MonitorService.h"
#include "gateway/registry/Filing.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace huitong::http {

class MonitorApi {
 public:
  explicit MonitorApi(monitor::schedule::MonitorService& service) : service_(service) {}

  using StaffActor = std::function<std::optional<registry::Actor>()>;
  // The server's access check: true when `actor` may read (`write` false) or declare (`write`
  // true); otherwise it has answered 403 and audited "access.refused" (GatewayServer's
  // permitted()). Empty: this class answers 403 itself, without an audit entry.
  using Permitted = std::function<bool(const registry::Actor& actor, bool write)>;
  // Whether `parts` (the path's segments) are /ops/v1/monitor/...
  static bool handles(const std::vector<std::string>& parts);
  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::vector<std::string>& parts, const std::string& body,
              const StaffActor& staffActor, const Permitted& permitted = {});

 private:
  monitor::schedule::MonitorService& service_;
};

}  // namespace huitong::http
