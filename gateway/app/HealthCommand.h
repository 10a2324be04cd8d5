// `huitong health`: every online item's health (green / yellow / red with reasons) as a table
// or JSON, computed from the store a gateway config names (--config) or asked of a running
// gateway (--url, with a staff token). docs/cli.md "huitong health".
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

// Exit 0 when no item is red, 1 when one is, 2 on bad usage or an unreachable store/gateway.
int runHealth(const std::vector<std::string>& args);

}  // namespace huitong::app
