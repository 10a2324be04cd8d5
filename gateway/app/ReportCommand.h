// `huitong report monthly --month YYYY-MM [--config FILE] [--format html|md] [--out FILE]`
// (docs/cli.md "huitong report"): the monthly operation report from the store the config
// names, written to FILE (or stdout) and kept in report.dir like the gateway's monthly job.
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

int runReport(const std::vector<std::string>& args);

}  // namespace huitong::app
