// Internal: the little UTF-8 handling JSONPath and I-Regexp need (validation, decoding,
// encoding). Validation follows RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/core/Utf8.h"

namespace huitong::jsonpath::detail {

// Decodes the code point at s[i]; returns its byte length, or 0 when the sequence is invalid.
inline std::size_t decodeUtf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size())
    return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

// Byte offset of the first invalid sequence, or npos when s is valid UTF-8.
inline std::size_t findInvalidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp = 0;
    const std::size_t n = decodeUtf8(s, i, cp);
    if (n == 0)
      return i;
    i += n;
  }
  return std::string_view::npos;
}

using huitong::appendUtf8;  // gateway/core/Utf8.h

// Number of code points in valid UTF-8 (counts lead bytes).
inline std::size_t countCodePoints(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
      ++n;
  }
  return n;
}

}  // namespace huitong::jsonpath::detail
