// The simplest check: can a TCP connection to host:port be opened within the timeout. For
// services the page probes and host reads do not cover (a database port, an SMTP relay) and
// for the scheduler's own tests and load test. Config: monitor.tcp entries
// {"id", "host", "port", cadence keys}.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/core/ConfigNode.h"
#include "gateway/monitor/Check.h"

namespace huitong::monitor::schedule {

std::shared_ptr<Check> makeTcpCheck(std::string id, std::string host, unsigned short port);

// The `tcp` list of the monitor block, refused with file:line.
Result<std::vector<ScheduledCheck>> readTcpChecks(const ConfigNode& monitorBlock);

}  // namespace huitong::monitor::schedule

namespace huitong::monitor::schedule {

// The objects of list `key` of `block` (absent: none), each a node whose errors name the list's
// key with the entry's index. (ConfigNode::objects, once on main, points at each entry itself.)
Result<std::vector<ConfigNode>> configEntries(const ConfigNode& block, const std::string& key);

}  // namespace huitong::monitor::schedule
