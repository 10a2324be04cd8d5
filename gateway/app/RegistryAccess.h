// What the registry verbs (`huitong audit`, `huitong filing`) share: opening the registry in
// the store a gateway config names, exactly as `huitong serve` would reach it.
#pragma once

#include <memory>
#include <string>

#include "gateway/core/Error.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::app {

struct OpenedRegistry {
  http::GatewayConfig config;
  std::unique_ptr<registry::RegistryStore> store;
};

// Loads the config and opens its store's registry. A SQLite file that does not exist is an
// error (a mistyped path must not look like an empty, intact trail) unless `createMissing`
// (`huitong user create` making the first admin before the gateway ever ran).
Result<OpenedRegistry> openRegistry(const std::string& configFile, bool createMissing = false);

}  // namespace huitong::app
