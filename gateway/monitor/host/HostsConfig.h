// The "hosts" list of the gateway config's "monitor" block, read into scheduled checks:
//   {"id": "app-server", "local": true, "disk_used_percent": 85, "intensified": {...}, ...}
//   {"id": "db-server", "url": "http://10.0.0.12:9700", "token_file": "secrets/agent.token"}
// Keys are documented in docs/configuration.md (monitor.hosts); every refusal names file:line.
#pragma once

#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/monitor/Check.h"
#include "gateway/monitor/host/HostCheck.h"

namespace huitong::monitor::host {

// The threshold keys of an entry and of its "intensified" object.
Result<HostRules> readHostRules(const ConfigNode& entry);

// Every entry of monitorBlock's "hosts" (absent: none). Token files are read now, so a missing
// one stops startup. `clock` must outlive the checks.
Result<std::vector<ScheduledCheck>> readHosts(const ConfigNode& monitorBlock, const Clock& clock);

}  // namespace huitong::monitor::host
