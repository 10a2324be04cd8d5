// libFuzzer target: the bounded JSON parser (core) and the department JSON decoder (formats),
// with and without a declared charset. Any input must yield a document or an Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/core/Json.h"
#include "gateway/formats/Decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = huitong::json::parse(text);
  if (doc.ok()) {
    // Writing back must give text that parses to an equal document.
    const std::string written = huitong::json::write(doc.value());
    auto again = huitong::json::parse(written);
    if (!again.ok() || again.value() != doc.value()) {
      __builtin_trap();
    }
    (void)huitong::json::writePretty(doc.value());
  } else {
    (void)huitong::json::describeOffset(text, size / 2);
  }
  huitong::formats::JsonOptions options;
  options.maxDepth = 32;
  (void)huitong::formats::decodeJson(text, options);
  options.charset = "GB18030";
  (void)huitong::formats::decodeJson(text, options);
  return 0;
}
