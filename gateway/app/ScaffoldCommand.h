// `huitong mapping scaffold`: a first-draft mapping from one sample message (ScaffoldCommand.cpp).
#pragma once

#include <string>
#include <vector>

namespace huitong::app {

// Arguments after `mapping scaffold`. Exit 0 draft written, 1 the draft does not compile,
// 2 bad usage or an unreadable sample.
int runMappingScaffold(const std::vector<std::string>& args);

}  // namespace huitong::app
