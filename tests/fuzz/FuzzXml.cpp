// libFuzzer target: the XML decoder with the namespaces and arrays of a SOAP department
// mapping, and again with a forced GB18030 charset.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/core/Json.h"
#include "gateway/formats/Decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  huitong::formats::XmlOptions options;
  options.namespaces = {{"", "http://ylbt.zs.gov.cn/exchange"},
                        {"soap", "http://schemas.xmlsoap.org/soap/envelope/"},
                        {"a", "urn:a"}};
  options.arrays = {"CaseStage", "a:item", "{urn:b}x"};
  options.maxDepth = 32;
  auto doc = huitong::formats::decodeXml(bytes, options);
  if (doc.ok()) {
    (void)huitong::json::write(doc.value());
  }
  options.charset = "GB18030";
  options.namespaces.clear();
  (void)huitong::formats::decodeXml(bytes, options);
  return 0;
}
