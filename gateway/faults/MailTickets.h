// Mail into tickets (docs/faults.md "Email intake"): the MailSink the mailbox pollers hand each
// mail to. A mail that belongs to a ticket — its number in the subject ("[T-2026-000123]"), or
// In-Reply-To / References naming a mail already taken — becomes a comment on it (with its
// attachments); any other mail opens a ticket on the email channel. The same mail again (its
// Message-ID already taken: a poller whose marking failed) is accepted and changes nothing.
// An automatic mail (out-of-office, bounce, list, a sender over the rate) never opens a ticket:
// on a thread it is a comment saying so, otherwise it is logged and dropped with its reason —
// answering it would start a loop. Thread-safe as the TicketService is.
#pragma once

#include <functional>
#include <string>

#include "gateway/faults/TicketService.h"
#include "gateway/faults/TicketStore.h"
#include "gateway/faults/mail/MailSink.h"

namespace huitong::faults {

class MailTickets final : public mail::MailSink {
 public:
  // `log(level, message, fields)` tells what happened to each mail.
  using Log = std::function<void(const std::string& level, const std::string& message,
                                 const std::vector<std::pair<std::string, std::string>>& fields)>;
  MailTickets(TicketService& service, TicketStore& store, Log log);

  Result<void> accept(const mail::IncomingMail& mail) override;

 private:
  // The ticket the mail continues ("" when none).
  Result<std::string> threadOf(const mail::IncomingMail& mail);

  TicketService& service_;
  TicketStore& store_;
  Log log_;
};

}  // namespace huitong::faults
