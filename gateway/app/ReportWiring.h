// The monthly operation report in `huitong serve` and `huitong report monthly`: reads the
// config's "report" block (dir, schedule; refused with file:line) and the fault SLA policy,
// opens what the report reads (fault tickets, monitoring results, the ledgers of backups,
// changes and inspections) on the store's database, and builds the service that gathers,
// renders and keeps a month's report, the /ops/v1/reports/monthly area and the monthly job.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/core/WorkCalendar.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/ops/OpsJobs.h"
#include "gateway/ops/report/MonthlyReportService.h"
#include "gateway/ops/report/ReportsApi.h"

namespace huitong::app {

class ReportWiring {
 public:
  struct Inputs {
    const http::GatewayConfig* config = nullptr;   // REQUIRES: set
    const WorkCalendar* calendar = nullptr;        // REQUIRES: set
    storage::ExchangeStore* exchange = nullptr;    // nullptr: opened here
    std::vector<ops::report::ReportCheck> checks;  // the configured monitoring checks
  };
  // Errors: a bad report or faults.sla block (config.*) or a store that does not open (store.*).
  static Result<std::unique_ptr<ReportWiring>> create(const Inputs& inputs);
  ~ReportWiring();

  ops::report::MonthlyReportService& service() { return *service_; }
  ops::report::ReportsApi& api() { return *api_; }
  const ops::report::ReportSettings& settings() const { return settings_; }
  ops::Job job() const;

 private:
  ReportWiring() = default;
  ops::report::ReportSettings settings_;
  ops::JobWhen when_;
  std::unique_ptr<storage::ExchangeStore> ownExchange_;
  std::unique_ptr<faults::TicketStore> tickets_;
  std::unique_ptr<monitor::schedule::ResultsStore> results_;
  ops::report::ReportInputs base_;
  std::unique_ptr<ops::report::MonthlyReportService> service_;
  std::unique_ptr<ops::report::ReportsApi> api_;
};

}  // namespace huitong::app
