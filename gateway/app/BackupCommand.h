// `huitong backup create | verify | restore | list` (BackupCommand.cpp, docs/cli.md).
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

int runBackup(const std::vector<std::string>& args);

}  // namespace huitong::app
