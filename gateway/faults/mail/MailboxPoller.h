// Polls one fault mailbox over POP3 or IMAP and hands each mail, parsed, to a MailSink. A mail
// is deleted (POP3: DELE, committed by QUIT) or marked (IMAP: \Seen, or moved to the processed
// folder) only after the sink accepted it; a refusing sink leaves it for the next poll.
// A mail over max_message_bytes is not downloaded: its header alone is handed on, with the
// reason in problems. The password is sent to the server only, never logged.
// POP3 and IMAP are spoken here over Poco StreamSocket/SecureStreamSocket rather than through
// POP3ClientSession, which has no UIDL, reads RETR without a size bound and gives TOP parsed.
// Not thread-safe: one poller per mailbox, polled from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/faults/mail/AutoReply.h"
#include "gateway/faults/mail/MailSink.h"
#include "gateway/faults/mail/MailboxConfig.h"
#include "gateway/faults/mail/MimeParser.h"

namespace huitong::faults::mail {

// One log line: level ("info", "warning", "error"), message, fields. The serve wiring passes
// http::logLine; tests collect the lines.
using MailLog = std::function<void(const std::string& level, const std::string& message,
                                   const std::vector<std::pair<std::string, std::string>>& fields)>;

struct PollReport {
  std::size_t listed = 0;      // mails waiting on the server
  std::size_t accepted = 0;    // handed to the sink and accepted, then deleted/marked
  std::size_t refused = 0;     // the sink refused: left on the server
  std::size_t oversized = 0;   // over max_message_bytes: header only handed on
  std::size_t markFailed = 0;  // accepted but the server did not delete/mark them
  std::string error;           // connection, login or protocol failure ("" = none)
  bool ok() const { return error.empty(); }
};

class MailboxPoller {
 public:
  // `sink` must outlive the poller. `now` gives seconds for the sender-rate window (default:
  // the system clock).
  MailboxPoller(MailboxConfig config, MailSink& sink, MailLog log = {},
                std::function<std::int64_t()> now = {});
  ~MailboxPoller();

  // One connection: list, fetch, hand on, delete/mark, log out. Never throws.
  PollReport pollOnce();

  const MailboxConfig& config() const { return config_; }

 private:
  MailboxConfig config_;
  MailSink& sink_;
  MailLog log_;
  std::function<std::int64_t()> now_;
  MailParser parser_;
  SenderRateGuard rate_;
};

}  // namespace huitong::faults::mail
