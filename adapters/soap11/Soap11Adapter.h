// soap11: a department calls a SOAP 1.1 operation; the gateway answers with the operation's
// response element, or a SOAP fault (adapters/soap11/README.md).
#pragma once

#include <memory>

#include "gateway/core/Adapter.h"

namespace huitong::adapters {

std::unique_ptr<adapter::AdapterFactory> makeSoap11Factory();

}  // namespace huitong::adapters
