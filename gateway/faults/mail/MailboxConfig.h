// The fault mailboxes polled for incoming mail: faults.mailboxes[] in the gateway config, read
// with errors at file:line. The password comes only from a password_file (the config audit
// records the file's SHA-256, never its text); it is never logged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/faults/mail/MimeParser.h"

namespace huitong::faults::mail {

struct MailboxConfig {
  std::string name;      // unique among the mailboxes; names the mailbox in logs and mails
  std::string protocol;  // "pop3" or "imap"
  std::string host;
  int port = 0;      // default 110/143, or 995/993 with tls
  bool tls = false;  // implicit TLS (POP3S/IMAPS), certificate verified against ca_file or the
                     // system store
  std::string caFile;
  std::string username;
  std::string password;        // secret: never logged or printed
  std::string passwordSource;  // "password_file /etc/huitong/faults-mail.pw"
  std::string folder = "INBOX";
  std::string processedFolder;  // IMAP: accepted mail moved here instead of flagged \Seen
  int pollSeconds = 60;
  int timeoutSeconds = 30;
  std::size_t maxMessageBytes = 25 * 1024 * 1024;  // larger: headers only, body not fetched
  ParseOptions parse;                              // max_attachment_bytes, ticket_pattern
  std::size_t loopMaxMails = 10;                   // more from one sender in the window: loop
  std::int64_t loopWindowSeconds = 600;
};

// Reads faultsBlock.mailboxes (absent = none). Errors name the file, line and key.
Result<std::vector<MailboxConfig>> readMailboxes(const ConfigNode& faultsBlock);

}  // namespace huitong::faults::mail
