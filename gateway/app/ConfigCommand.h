// `huitong config baseline record | check | approve | changes` (ConfigCommand.cpp,
// docs/cli.md): the configuration baseline, drift and safe-settings checks, change records.
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

int runConfig(const std::vector<std::string>& args);

}  // namespace huitong::app
