#include "gateway/core/Json.h"
#include "gateway/formats/Decode.h"

namespace huitong::formats {

Result<rapidjson::Document> decodeJson(std::string_view bytes, const JsonOptions& options) {
  // Checked on the raw bytes too, so that an oversized body is refused before transcoding it.
  if (bytes.size() > options.maxBytes) {
    return Error{"json.too_large",
                 "JSON document of " + std::to_string(bytes.size()) +
                     " bytes exceeds the limit of " + std::to_string(options.maxBytes) + " bytes",
                 ""};
  }
  auto text = toUtf8(bytes, options.charset);
  if (!text) {
    return text.error();
  }
  // A NUL byte is never valid JSON text (control characters in strings must be escaped), but
  // RapidJSON's memory stream reads one as the end of the input and would accept "1\0junk".
  const std::string& utf8 = text.value();
  if (const std::size_t nul = utf8.find('\0'); nul != std::string::npos) {
    return Error{"json.syntax", "malformed JSON: NUL byte in the text",
                 json::describeOffset(utf8, nul)};
  }
  json::ParseLimits limits;
  // Transcoding may grow the text (GBK -> UTF-8 by half); the limit is on what was received.
  limits.maxBytes = text.value().size();
  limits.maxDepth = options.maxDepth;
  return json::parse(text.value(), limits);
}

}  // namespace huitong::formats
