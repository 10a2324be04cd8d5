// `huitong agent`: serves this host's figures (CPU, load, memory, swap, file systems) to a
// gateway that monitors it, token-protected; `huitong host` prints them once as JSON for ops.
// See docs/monitoring.md "Host metrics and the agent".
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

int runAgent(const std::vector<std::string>& args);
int runHost(const std::vector<std::string>& args);

}  // namespace huitong::app
