// The template adapter (adapters/_template/README.md): a pull adapter that takes one JSON
// message per line from a file a department appends to, and remembers how far it has read
// only after the core has journaled each line. Copy this folder to start a new adapter; it is
// compiled and tested with the gateway but not registered, so no config can name it.
#pragma once

#include <memory>

#include "gateway/core/Adapter.h"

namespace huitong::adapters {

std::unique_ptr<adapter::AdapterFactory> makeJsonLinesFactory();

}  // namespace huitong::adapters
