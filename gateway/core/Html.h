// Text placed in HTML: the one escape every page Huitong renders uses (the sandbox's session
// page, the major-fault analysis report, reports to come).
#pragma once

#include <string>

namespace huitong {

// `text` with & < > " ' as entities: safe as element content and as a quoted attribute value.
std::string htmlEscape(const std::string& text);

}  // namespace huitong
