// A department's message exactly as it arrived: what the journal keeps and every adapter hands
// the core (DESIGN.md §3).
#pragma once

#include <string>

#include "gateway/core/Clock.h"

namespace huitong {

struct RawMessage {
  std::string system;       // department system id ("marriage")
  std::string adapter;      // "http_json", "soap11", "file_drop", "db_poll", ...
  std::string contentType;  // as received, e.g. "application/json;charset=UTF-8"
  std::string charset;      // declared charset, "" when none
  std::string bytes;        // the body / file / row, unchanged
  std::string sourceRef;    // where it came from: remote address, file name, table+id
  EpochMillis receivedAt = 0;
};

}  // namespace huitong
