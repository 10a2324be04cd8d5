// The registry store on the exchange store's SQLite file (its own connections; see the .cpp).
#pragma once

#include <memory>
#include <string>

#include "gateway/registry/RegistryStore.h"

namespace huitong::registry {

// REQUIRES: config.kind == "sqlite"; the file exists and is migrated (RegistryStore::open).
Result<std::unique_ptr<RegistryStore>> openSqliteRegistryStore(const storage::StoreConfig& config,
                                                               const std::string& algorithm);

}  // namespace huitong::registry
