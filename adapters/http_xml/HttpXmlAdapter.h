// http_xml: a department POSTs one XML document per request, in any declared encoding
// (adapters/http_xml/README.md).
#pragma once

#include <memory>

#include "gateway/core/Adapter.h"

namespace huitong::adapters {

std::unique_ptr<adapter::AdapterFactory> makeHttpXmlFactory();

}  // namespace huitong::adapters
