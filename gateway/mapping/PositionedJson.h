// A JSON document read together with where each member and element starts in the text, so
// that a mapping file's errors can name file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include <rapidjson/document.h>

#include "gateway/core/Error.h"

namespace huitong::mapping {

class PositionedJson {
 public:
  // Parses `text` (a file named `fileName` in messages). Errors name file:line:column.
  static Result<PositionedJson> parse(std::string_view text, const std::string& fileName);

  const rapidjson::Value& root() const { return doc_; }
  // "file:line:column" of the node at JSON Pointer `pointer` ("/fields/stage"); the nearest
  // ancestor that is known when the node itself is not.
  std::string where(const std::string& pointer) const;
  std::string whereOffset(std::size_t offset) const;
  const std::string& fileName() const { return fileName_; }

  PositionedJson(PositionedJson&&) = default;
  PositionedJson& operator=(PositionedJson&&) = default;

 private:
  PositionedJson() = default;
  rapidjson::Document doc_;
  std::string fileName_;
  std::string text_;
  std::unordered_map<std::string, std::size_t> offsets_;
};

// Escapes a member name for use in a JSON Pointer (RFC 6901).
std::string pointerToken(std::string_view name);

}  // namespace huitong::mapping
