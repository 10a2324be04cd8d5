// The fault tickets' cases, run on a real store of each backend (TicketTest.cpp on SQLite,
// TicketPostgresTest.cpp on PostgreSQL): store conformance, classification, dispatch, the
// roster (nobody on duty, the work calendar), dedup of alert tickets, the audit trail.
#pragma once

#include "gateway/storage/ExchangeStore.h"

namespace huitong::faults::testing {

void runTicketCases(const storage::StoreConfig& config);

}  // namespace huitong::faults::testing
