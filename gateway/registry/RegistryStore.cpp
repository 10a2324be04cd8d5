#include "gateway/registry/RegistryStore.h"

#include <exception>

#include "gateway/registry/PostgresRegistryStore.h"
#include "gateway/registry/SqliteRegistryStore.h"

namespace huitong::registry {

Result<std::unique_ptr<RegistryStore>> RegistryStore::open(const storage::StoreConfig& config,
                                                           const std::string& hashAlgorithm) {
  if (hashAlgorithm != "sha256" && hashAlgorithm != "sm3") {
    return Error{"audit.algorithm",
                 "unknown audit hash algorithm '" + hashAlgorithm + "' (sha256 or sm3)", ""};
  }
  try {
    // The exchange store owns the schema (one numbered migration list for the database).
    if (auto migrated = storage::ExchangeStore::migrate(config); !migrated.ok())
      return migrated.error();
    if (config.kind == "sqlite")
      return openSqliteRegistryStore(config, hashAlgorithm);
    return openPostgresRegistryStore(config, hashAlgorithm);
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string("opening the registry failed: ") + e.what(), ""};
  }
}

}  // namespace huitong::registry
