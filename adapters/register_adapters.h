// The built-in adapters, registered explicitly (CONVENTIONS.md: no self-registering statics).
#pragma once

#include "gateway/core/Adapter.h"

namespace huitong::adapters {

// Adds every built-in adapter to `registry`. One line per adapter in register_adapters.cpp.
Result<void> registerBuiltinAdapters(adapter::AdapterRegistry& registry);

}  // namespace huitong::adapters
