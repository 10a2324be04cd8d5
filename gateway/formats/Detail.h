// Internals shared by the decoders of gateway/formats; not part of the area's interface.
#pragma once

#include <string>
#include <string_view>

namespace huitong::formats::detail {

// Upper-cased charset name without surrounding blanks (" gb18030" -> "GB18030"), the form
// toUtf8 hands to iconv.
std::string normalizeCharset(std::string_view charset);
// True for "" and the names of UTF-8 (normalized).
bool isUtf8Charset(std::string_view normalized);
// Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no
// overlongs, surrogates or code points above U+10FFFF), or npos when all of s is UTF-8.
std::size_t findInvalidUtf8(std::string_view s);

}  // namespace huitong::formats::detail
