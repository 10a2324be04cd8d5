// Text placed in HTML: the one escape every page Huitong renders uses (the sandbox's session
// page, the major-fault analysis report, reports to come).
#pragma once

#include <string>

namespace huitong {

// `text` with & < > " ' as entities: safe as element content and as a quoted attribute value.
std::string htmlEscape(const std::string& text);

// The character of a numeric character reference (&#NNN; &#xHH;) appended as UTF-8: U+0000,
// surrogates and anything above U+10FFFF become U+FFFD, as HTML reads them.
void appendCharacterReference(std::string& out, unsigned long codePoint);

}  // namespace huitong
