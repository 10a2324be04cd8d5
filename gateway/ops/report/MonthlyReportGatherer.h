// Fills MonthlyReportData for one month from the gateway's stores: fault tickets and their SLA
// compliance (gateway/faults), availability and host readings from the monitoring results store,
// per-item volumes, reject rates and delivery lag from the exchange store, and the ledgers of
// backups, changes and inspections through optional sources. A source that is absent marks its
// section "no records source in this build"; one that fails marks it with the error — the rest
// of the report is still gathered. Reads only; safe to call while the gateway runs (the stores
// are thread-safe). Everything given must outlive the call.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/TicketStore.h"
#include "gateway/faults/sla/SlaPolicy.h"
#include "gateway/monitor/Check.h"
#include "gateway/monitor/schedule/ResultsStore.h"
#include "gateway/ops/report/MonthlyReportData.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::ops::report {

// Ledgers written by other parts of the operations (backup, baseline, inspect), read between
// two instants [from, to). An empty function: this build has no such ledger.
struct LedgerSources {
  std::function<Result<std::vector<BackupLine>>(EpochMillis from, EpochMillis to)> backups;
  std::function<Result<std::vector<ChangeLine>>(EpochMillis from, EpochMillis to)> changes;
  // runs started in [from, to) and the findings found in them or still open during them
  std::function<Result<InspectionSection>(EpochMillis from, EpochMillis to)> inspections;
  // emergency drills finished in [from, to)
  std::function<Result<std::vector<DrillLine>>(EpochMillis from, EpochMillis to)> drills;
};

// A configured monitoring check (the scheduler's snapshot: id, kind, cadence).
struct ReportCheck {
  std::string id, kind;
  monitor::Cadence cadence;
};

struct ReportInputs {
  const WorkCalendar* calendar = nullptr;  // REQUIRES: set
  faults::TicketStore* tickets = nullptr;  // nullptr: the faults section has no source
  sla::SlaPolicy policy;
  monitor::schedule::ResultsStore* results = nullptr;  // nullptr: no monitoring source
  std::vector<ReportCheck> checks;
  storage::ExchangeStore* exchange = nullptr;  // nullptr: no exchange source
  std::vector<std::string> systems;            // department systems to count traffic for
  LedgerSources ledgers;
  std::string gateway;      // the deployment's name for the title ("" = none)
  std::string generatedBy;  // "scheduled" | "cli" | "operator:li"
};

// The report of `year`-`month` as of `now` (a month in progress counts up to now).
// A month that has not begun at `now`: Error{"report.month_not_begun", …, "month"}.
Result<MonthlyReportData> gatherMonthlyReport(const ReportInputs& inputs, int year, int month,
                                              EpochMillis now);

}  // namespace huitong::ops::report
