// `huitong inspect run | list | show | sign-off`: the daily inspection from the operator's shell,
// on the store a gateway config names (docs/cli.md "huitong inspect", docs/operations.md
// "Inspections").
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

// run: exit 1 when a major or critical finding is open after the run. 2: bad usage or input.
int runInspect(const std::vector<std::string>& args);

}  // namespace huitong::app
