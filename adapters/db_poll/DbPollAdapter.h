// db_poll: polls a department's front-end table (前置机) through POCO Data and submits its new
// rows as one JSON array per batch; REC_FLAG = 1 only after the journal commit, or a durable
// watermark in tables without a flag (adapters/db_poll/README.md).
#pragma once

#include <memory>

#include "gateway/core/Adapter.h"

namespace huitong::adapters {

std::unique_ptr<adapter::AdapterFactory> makeDbPollFactory();

}  // namespace huitong::adapters
