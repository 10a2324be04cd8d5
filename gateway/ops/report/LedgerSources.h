// The ledgers of the other operations parts (backup, baseline changes, inspections) as the
// monthly report's optional sources, opened on the store's database. A ledger this build does
// not contain leaves its source empty: the report's section then reads "no records source in
// this build" (decided at configure time: CMake links the ledgers whose targets exist).
#pragma once

#include "gateway/core/Error.h"
#include "gateway/ops/report/MonthlyReportGatherer.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::ops::report {

// Each source owns its ledger (and connection); thread-safe to call from one thread at a time.
Result<LedgerSources> openLedgerSources(const storage::StoreConfig& config);

}  // namespace huitong::ops::report
