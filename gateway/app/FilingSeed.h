// Filings put on file at start from a file the config names ("registry": {"filings": FILE}):
// each filing not yet on file is created and moved step by step to its wanted state through
// RegistryService, so that every step is an audit entry by the seed's actor; a filing already
// on file is left as it is (a difference from the file is logged, never written over).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/registry/Filing.h"
#include "gateway/registry/RegistryService.h"

namespace huitong::app {

// Who the seed's audit entries name.
inline constexpr const char* kSeedActor = "huitong serve (registry seed)";

// One filing of the file, and where it is ("file:line:column").
struct SeedFiling {
  registry::NewFiling filing;
  registry::FilingState state = registry::FilingState::kOnline;
  std::string where;
};

// Reads the file: {"filings": [{"system", "item_code", "item_name", "contact_name",
// "contact_phone", "notes", "state"}]}; state is requested, configuring, joint_debugging or
// online (default online). Each system must be one of `systems`; an item twice is an error.
// Errors name file:line:column (code config.invalid).
Result<std::vector<SeedFiling>> readSeedFile(const std::string& path,
                                             const std::vector<std::string>& systems);

struct SeedContext {
  registry::RegistryService& filings;
  const registry::GoLiveChecks& checks;
  // The mapping version the gateway runs for a system ("" when none is loaded).
  std::function<std::string(const std::string& system)> mappingVersion;
  // One structured log line.
  std::function<void(const std::string& level, const std::string& message,
                     const std::vector<std::pair<std::string, std::string>>& fields)>
      log;
};

struct SeedReport {
  int created = 0;  // filings put on file now
  int kept = 0;     // already on file, left as they were
  int differing = 0;
};

// Applies the file. Every filing to be created is checked first (an online one needs the
// loaded mapping version to pass `checks`), so that an error leaves nothing half-seeded;
// errors name the filing's file:line.
Result<SeedReport> applySeed(const std::vector<SeedFiling>& seed, const SeedContext& context);

}  // namespace huitong::app

namespace huitong::exchange {
class MappingSet;
}  // namespace huitong::exchange
namespace huitong::http {
struct GatewayConfig;
}  // namespace huitong::http

namespace huitong::app {

// `huitong serve`'s seeding: the config's registry.filings file (none: nothing to do) applied
// with the mapping versions `mappings` holds, logged. Errors name file:line.
Result<void> seedFilings(const http::GatewayConfig& config, const exchange::MappingSet& mappings,
                         registry::RegistryService& filings, const registry::GoLiveChecks& checks);

}  // namespace huitong::app
