// libFuzzer target: the fault mailbox's MIME parser on any bytes, with a small attachment
// limit so the dropped-attachment path is reached. It must never crash, and every attachment
// it reports is either kept whole or dropped with a reason.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/faults/mail/MimeParser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const huitong::faults::mail::MailParser parser([] {
    huitong::faults::mail::ParseOptions o;
    o.maxAttachmentBytes = 256;
    return o;
  }());
  const auto mail = parser.parse(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& a : mail.attachments) {
    if (a.dropped ? (a.dropReason.empty() || !a.content.empty()) : a.content.size() != a.size)
      __builtin_trap();
  }
  return 0;
}
