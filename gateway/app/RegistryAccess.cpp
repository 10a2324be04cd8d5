#include "gateway/app/RegistryAccess.h"

#include <filesystem>

namespace huitong::app {

Result<OpenedRegistry> openRegistry(const std::string& configFile, bool createMissing) {
  auto config = http::loadConfig(configFile);
  if (!config.ok())
    return config.error();
  const storage::StoreConfig& store = config.value().store;
  std::error_code ec;
  if (store.kind == "sqlite" && !createMissing && !std::filesystem::exists(store.path, ec)) {
    return Error{"store.missing", "no database at " + store.path + " (storage.path)", configFile};
  }
  auto registry = registry::RegistryStore::open(store);
  if (!registry.ok())
    return registry.error();
  return OpenedRegistry{std::move(config).value(), std::move(registry).value()};
}

}  // namespace huitong::app
