// Inspections in `huitong serve` and `huitong inspect`: reads the config's "inspection" block
// (refused with file:line), opens the inspection and backup ledgers in the store, fills the
// checks' sources with what the process has (item health, monitoring results and major events,
// the configuration checks of gateway/ops/baseline, the gateway's own certificate) and builds
// the runner, the service and the /ops/v1/inspections area.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/WorkCalendar.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/ops/inspect/InspectionChecks.h"
#include "gateway/ops/inspect/InspectionService.h"
#include "gateway/ops/inspect/InspectionsApi.h"

namespace huitong::monitor::schedule {
class MonitorService;
}
namespace huitong::ops::backup {
class BackupLedger;
}

namespace huitong::app {

class InspectionWiring {
 public:
  struct Inputs {
    const http::GatewayConfig* config = nullptr;
    const Clock* clock = nullptr;
    const WorkCalendar* calendar = nullptr;
    storage::ExchangeStore* exchange = nullptr;
    registry::RegistryStore* audit = nullptr;
    std::function<Result<ops::inspect::GatewayStatus>()> gateway;
    std::function<Result<std::vector<health::ItemHealth>>()> items;
    // Results, configured checks and major events; nullptr: no monitoring here.
    monitor::schedule::MonitorService* monitor = nullptr;
  };
  // Errors: a bad inspection block (code config.*) or the store's (store.*).
  static Result<std::unique_ptr<InspectionWiring>> create(const Inputs& inputs);
  ~InspectionWiring();

  ops::inspect::InspectionService& service() { return *service_; }
  ops::inspect::InspectionsApi& api() { return *api_; }
  const ops::inspect::InspectionConfig& config() const { return config_; }
  ops::inspect::InspectionLedger& ledger() { return *ledger_; }

 private:
  InspectionWiring() = default;
  ops::inspect::InspectionConfig config_;
  std::unique_ptr<ops::inspect::InspectionLedger> ledger_;
  std::unique_ptr<ops::backup::BackupLedger> backups_;
  std::shared_ptr<ops::inspect::InspectionSources> sources_;
  std::unique_ptr<ops::inspect::InspectionRunner> runner_;
  std::unique_ptr<ops::inspect::InspectionService> service_;
  std::unique_ptr<ops::inspect::InspectionsApi> api_;
};

// The gateway's readiness as `huitong inspect` sees it from outside: GET /readyz on the plain
// listener (loopback when it listens on every address), within `timeoutMs`. An Error when it
// cannot be asked: no plain listener, or port 0 (any free port: not known from the config).
Result<ops::inspect::GatewayStatus> probeGateway(const http::GatewayConfig& config, int timeoutMs);

}  // namespace huitong::app
