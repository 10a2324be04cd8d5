// One mail read from a fault mailbox, as the tickets part consumes it: who wrote, the text (plain
// preferred, HTML reduced to text), attachments kept or dropped with the reason, the data that
// matches it to a thread or ticket, and whether it is an automatic reply. Parsing never fails:
// what could not be read is listed in `problems`, in words, beside a best-effort value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace huitong::faults::mail {

struct MailAddress {
  std::string name;     // display name in UTF-8 ("" when none)
  std::string address;  // addr-spec as written ("zhang@example.cn"), lower-cased domain untouched
};

struct MailAttachment {
  std::string filename;     // UTF-8 (RFC 2231 and encoded words decoded); "" when none given
  std::string contentType;  // lower-case "type/subtype"
  std::size_t size = 0;     // decoded size in bytes (also when dropped)
  std::string content;      // decoded bytes; empty when dropped
  bool dropped = false;
  std::string dropReason;  // why the content was not kept (size over the limit, ...)
};

struct IncomingMail {
  // Envelope and headers, decoded to UTF-8.
  std::string subject;
  std::optional<MailAddress> from;
  std::vector<MailAddress> to;
  std::vector<MailAddress> cc;
  std::optional<MailAddress> replyTo;
  std::string date;                      // as written
  std::optional<std::int64_t> dateUnix;  // seconds since the epoch when `date` could be read
  std::vector<std::pair<std::string, std::string>> headers;  // unfolded, raw values, in order

  // Thread matching: ids without angle brackets.
  std::string messageId;
  std::string inReplyTo;
  std::vector<std::string> references;
  std::string ticketNumber;  // from the subject ("T-2026-000123"), "" when none

  // The text a person wrote: text/plain when present, else HTML reduced to text.
  std::string text;
  std::string textSource;  // "text/plain", "text/html" or "" (no text part)
  std::vector<MailAttachment> attachments;

  // Automatic mail (out-of-office, bounces, lists, a sender over the rate): never answered.
  bool autoReply = false;
  std::string autoReplyReason;

  std::size_t rawSize = 0;
  std::vector<std::string> problems;  // what could not be read as written, in words

  // The mailbox it came from and its id there (POP3 UIDL or IMAP UID), set by the poller.
  std::string mailbox;
  std::string uid;
};

}  // namespace huitong::faults::mail
