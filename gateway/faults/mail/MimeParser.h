// Reads a raw mail (RFC 5322 + MIME) into an IncomingMail. Untrusted input: the parser never
// throws and never gives up; what it could not read as written (a missing closing boundary, bad
// base64, an unknown charset, no Content-Type) is listed in IncomingMail::problems, and an
// attachment over the size limit is kept as a dropped entry with its reason, never left out.
// Thread-safe: a MailParser is immutable after construction; parse() may run on many threads.
#pragma once

#include <cstddef>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/faults/mail/IncomingMail.h"

namespace huitong::faults::mail {

struct ParseOptions {
  std::size_t maxAttachmentBytes = 10 * 1024 * 1024;  // a larger attachment is dropped
  std::size_t maxParts = 500;                         // MIME parts read per mail
  unsigned maxDepth = 16;                             // multipart nesting read
  // A ticket number in the subject; the first capture group is the number.
  std::string ticketPattern = R"(\[(T-[0-9]{4}-[0-9]{6})\])";
};

class MailParser {
 public:
  // REQUIRES: options.ticketPattern is a valid ECMAScript regex (checkTicketPattern).
  explicit MailParser(ParseOptions options = {});

  IncomingMail parse(std::string_view raw) const;
  const ParseOptions& options() const { return options_; }

 private:
  ParseOptions options_;
  std::regex ticket_;
};

// Refuses a ticket pattern that is not a regex or has no capture group (code config.invalid).
Result<void> checkTicketPattern(const std::string& pattern);

// Header text with RFC 2047 encoded words (=?GB2312?B?...?=) decoded to UTF-8; raw 8-bit bytes
// read as UTF-8, else GB18030. What could not be decoded is kept literally and told in
// `problems` (prefixed with `what`, e.g. "Subject").
std::string decodeHeaderText(std::string_view value, const std::string& what,
                             std::vector<std::string>& problems);

// Bytes in `charset` to UTF-8, never failing: GB2312/GBK labels read as GB18030 when the text
// needs it (what mail programs send), an unknown charset or undecodable bytes are read as UTF-8,
// GB18030 or ISO-8859-1 (the first that fits) and told in `problems`.
std::string decodeCharset(std::string_view bytes, const std::string& charset,
                          const std::string& what, std::vector<std::string>& problems);

// Transfer decodings; `bad` counts characters that were skipped or kept as written.
std::string decodeBase64(std::string_view in, std::size_t& bad, bool& truncated);
std::string decodeQuotedPrintable(std::string_view in, bool header, std::size_t& bad);

// HTML reduced to the text a reader sees: scripts, styles and comments gone, block elements and
// <br> as line breaks, list items as "- ", entities decoded, white space collapsed.
std::string htmlToText(std::string_view html);

// An addr-spec list ("Zhang San" <z@a.cn>, =?UTF-8?B?...?= <l@b.cn>, x@c.cn (X)).
std::vector<MailAddress> parseAddressList(std::string_view value, const std::string& what,
                                          std::vector<std::string>& problems);

}  // namespace huitong::faults::mail
