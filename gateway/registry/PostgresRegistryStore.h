// The registry store on the exchange store's PostgreSQL database: a pool of libpq connections;
// audit appends serialized by a row lock on the anchor, so instances sharing the database
// never fork the chain.
#pragma once

#include <memory>
#include <string>

#include "gateway/registry/RegistryStore.h"

namespace huitong::registry {

// REQUIRES: config.kind == "postgresql"; the database is migrated (RegistryStore::open).
Result<std::unique_ptr<RegistryStore>> openPostgresRegistryStore(const storage::StoreConfig& config,
                                                                 const std::string& algorithm);

}  // namespace huitong::registry
