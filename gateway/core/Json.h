// JSON helpers shared by every area: the one way Huitong parses untrusted JSON (bounded,
// UTF-8 validated, iterative so deep nesting cannot overflow the stack) and writes it.
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "gateway/core/Error.h"

namespace huitong::json {

struct ParseLimits {
  std::size_t maxBytes = 16 * 1024 * 1024;
  unsigned maxDepth = 256;  // nesting of arrays and objects
};

// Parses untrusted JSON text. The error names the position as "line L, column C (offset O)";
// code is "json.syntax", "json.encoding", "json.too_large" or "json.too_deep".
Result<rapidjson::Document> parse(std::string_view text, const ParseLimits& limits = {});

// Compact JSON text of a value (UTF-8, non-ASCII kept as is).
std::string write(const rapidjson::Value& value);
// Pretty-printed JSON text (2-space indent), as the CLI prints it.
std::string writePretty(const rapidjson::Value& value);
// Canonical JSON: object members sorted by name (bytewise), no whitespace — one text per meaning
// whatever the order it was written in (what the audit chain hashes).
std::string writeCanonical(const rapidjson::Value& value);

// Line and column (1-based; columns count Unicode code points) of a byte offset in text.
std::string describeOffset(std::string_view text, std::size_t offset);

// A string value copied into the allocator.
inline rapidjson::Value string(std::string_view s, rapidjson::Document::AllocatorType& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

}  // namespace huitong::json
