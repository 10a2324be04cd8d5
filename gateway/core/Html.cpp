#include "gateway/core/Html.h"

#include "gateway/core/Utf8.h"

namespace huitong {

std::string htmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void appendCharacterReference(std::string& out, unsigned long codePoint) {
  appendUtf8(out, codePoint == 0 || codePoint > 0x10FFFF ? char32_t{0xFFFD}
                                                         : static_cast<char32_t>(codePoint));
}

}  // namespace huitong
