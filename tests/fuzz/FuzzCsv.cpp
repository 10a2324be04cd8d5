// libFuzzer target: the CSV decoder as the social-assistance mapping uses it (GB18030, a
// header and a required 合计 trailer), and plain UTF-8 without header or trailer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/formats/Decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  huitong::formats::CsvOptions options;
  options.charset = "GB18030";
  options.trailer.required = true;
  options.trailer.label = "合计";  // compared after conversion to UTF-8
  options.trailer.countColumn = 2;
  options.maxRows = 10000;
  auto doc = huitong::formats::decodeCsv(bytes, options);
  if (doc.ok() && doc.value().rows.Size() != doc.value().lines.size()) {
    __builtin_trap();
  }
  huitong::formats::CsvOptions plain;
  plain.header = false;
  plain.delimiter = ';';
  plain.maxRows = 10000;
  (void)huitong::formats::decodeCsv(bytes, plain);
  return 0;
}
