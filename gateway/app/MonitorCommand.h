// `huitong monitor`: the monitoring store read from the operator's shell — the configured checks
// with their last run, a check's results as a time series, its availability by day and month,
// alerts, and a major event declared (the running gateway takes it within its window refresh).
// Reads the store a gateway config names, like the registry verbs. docs/cli.md "huitong monitor".
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

// Exit 0 ok, 1 a check's last run not ok (`checks`) or an alert firing (`alerts --open`),
// 2 bad usage, a config that cannot be read or a store that cannot be opened.
int runMonitor(const std::vector<std::string>& args);

}  // namespace huitong::app
