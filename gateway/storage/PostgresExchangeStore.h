// The shared store: PostgreSQL through libpq, a pool of connections (reconnected when the
// server went away), READ COMMITTED transactions, claims with FOR UPDATE SKIP LOCKED so that
// any number of gateway instances can deliver from one outbox.
#pragma once

#include <memory>

#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage {

// REQUIRES: config.kind == "postgresql", config.connection a libpq key/value string.
Result<std::unique_ptr<ExchangeStore>> openPostgresStore(const StoreConfig& config);

}  // namespace huitong::storage
