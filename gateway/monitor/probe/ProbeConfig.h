// The "probes" list of the gateway config's "monitor" block read into probes, each with its
// cadence; every refusal names file:line:column and the rule. docs/configuration.md
// (monitor.probes) lists the keys; docs/monitoring.md explains them.
#pragma once

#include <memory>
#include <vector>

#include "gateway/core/ConfigNode.h"
#include "gateway/monitor/Check.h"
#include "gateway/monitor/probe/Probe.h"

namespace huitong::monitor::probe {

// One configured probe, as `huitong probe run` and the scheduler need it.
struct ConfiguredProbe {
  std::shared_ptr<Probe> probe;
  Cadence cadence;
};

// Reads monitor.probes (absent = none). Ids must be unique. Credential files and CA files are
// read here (a missing file is a config error, not a failed run).
Result<std::vector<ConfiguredProbe>> readProbeList(const ConfigNode& monitorBlock);

// The same as ScheduledChecks, for gateway/app/MonitorWiring.
Result<std::vector<ScheduledCheck>> readProbes(const ConfigNode& monitorBlock);

// One probe entry (an element of monitor.probes).
Result<ConfiguredProbe> readProbe(const ConfigNode& entry);

}  // namespace huitong::monitor::probe
