// Where a polled mail goes (the tickets part turns it into a ticket or a comment on its thread).
// The poller marks a mail seen or deleted only after accept() returned ok, so a failing sink
// leaves the mail in the mailbox for the next poll: no mail is lost, and a mail whose marking
// failed after acceptance may arrive twice (the sink can match it by messageId).
#pragma once

#include "gateway/core/Error.h"
#include "gateway/faults/mail/IncomingMail.h"

namespace huitong::faults::mail {

class MailSink {
 public:
  virtual ~MailSink() = default;
  // Called from the poller's thread, one mail at a time per mailbox.
  virtual Result<void> accept(const IncomingMail& mail) = 0;
};

}  // namespace huitong::faults::mail
