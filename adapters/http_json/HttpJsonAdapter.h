// http_json: a department POSTs one JSON message per request (adapters/http_json/README.md).
#pragma once

#include <memory>

#include "gateway/core/Adapter.h"

namespace huitong::adapters {

std::unique_ptr<adapter::AdapterFactory> makeHttpJsonFactory();

}  // namespace huitong::adapters
