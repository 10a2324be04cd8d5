// `huitong drill platform-outage`: the emergency drill of the gateway's store and forward
// (docs/operations.md "Emergency drill", docs/cli.md). Exit 0 when every accepted message
// arrived at the platform, 1 when one did not (or was refused, or the drill could not run or
// was interrupted), 2 for bad usage or an unreadable config.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace huitong::ops::drill {

int runDrill(const std::vector<std::string>& args);
int runDrill(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace huitong::ops::drill
