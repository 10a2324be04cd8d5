// file_drop: a pull adapter that takes the files a department drops into a folder, one file =
// one RawMessage, and moves each to done/ or error/ only after the journal has answered
// (adapters/file_drop/README.md: format, config block, quirks).
#pragma once

#include <memory>

#include "gateway/core/Adapter.h"

namespace huitong::adapters {

std::unique_ptr<adapter::AdapterFactory> makeFileDropFactory();

}  // namespace huitong::adapters
