// `huitong sandbox <sub-verb>`: trying a department system's mapping against something other than
// the live platform before it goes live (issue 6). Each sub-verb is one function of
// SandboxCommand.cpp's table; `replay` runs journaled production messages through a mapping
// version and reports what would change (gateway/exchange/Replay.h).
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

// `huitong sandbox replay ...`; `huitong sandbox --help` lists the sub-verbs.
int runSandbox(const std::vector<std::string>& args);

}  // namespace huitong::app
