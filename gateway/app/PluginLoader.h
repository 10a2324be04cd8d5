// Adapter plugins at start: each shared library named in the config's "plugins" is opened,
// its ABI checked against this gateway's, and its factories added to the registry with the
// library's path as their origin (gateway/core/AdapterPlugin.h is the plugin's side).
// Libraries stay loaded until the process ends, also when a later one is refused.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/Adapter.h"
#include "gateway/core/Error.h"

namespace huitong::app {

struct LoadedPlugin {
  std::string path;                   // absolute, normalised: the factories' origin
  std::vector<std::string> adapters;  // the factories' names
  std::string builtWith;              // the plugin's compiler ("gcc 12.2.0"), "" when unsaid
};

// Loads `paths` in order into `registry`. The first library that is missing, not a shared
// library, not a Huitong adapter plugin, built for another ABI, or that names an adapter
// already registered stops the loading with an Error naming its path (and both ABI versions).
// Not thread-safe: call at start, before the registry is read.
Result<std::vector<LoadedPlugin>> loadAdapterPlugins(const std::vector<std::string>& paths,
                                                     adapter::AdapterRegistry& registry);

}  // namespace huitong::app
