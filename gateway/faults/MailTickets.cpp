#include "gateway/faults/MailTickets.h"

namespace huitong::faults {
namespace {

std::string sender(const mail::IncomingMail& m) {
  if (!m.from)
    return "(no sender)";
  return m.from->name.empty() ? m.from->address : m.from->name + " <" + m.from->address + ">";
}

// The text a ticket or comment keeps: who wrote, the subject, what could not be read as
// written, what was written, and the attachments that were dropped.
std::string body(const mail::IncomingMail& m) {
  std::string text = "From: " + sender(m) + "\nSubject: " + m.subject + "\n";
  for (const auto& p : m.problems)
    text += "(mail problem: " + p + ")\n";
  for (const auto& a : m.attachments) {
    if (a.dropped)
      text += "(attachment " + (a.filename.empty() ? std::string("without a name") : a.filename) +
              ", " + std::to_string(a.size) + " bytes, not kept: " + a.dropReason + ")\n";
  }
  return text + "\n" + m.text;
}

}  // namespace

MailTickets::MailTickets(TicketService& service, TicketStore& store, Log log)
    : service_(service), store_(store), log_(std::move(log)) {}

Result<std::string> MailTickets::threadOf(const mail::IncomingMail& m) {
  if (!m.ticketNumber.empty()) {
    auto t = store_.get(m.ticketNumber);
    if (!t.ok())
      return t.error();
    if (t.value())
      return m.ticketNumber;
  }
  std::vector<std::string> refs;
  if (!m.inReplyTo.empty())
    refs.push_back(m.inReplyTo);
  refs.insert(refs.end(), m.references.rbegin(), m.references.rend());
  for (const auto& ref : refs) {
    auto t = store_.ticketByMailRef(ref);
    if (!t.ok())
      return t.error();
    if (t.value())
      return *t.value();
  }
  return std::string();
}

Result<void> MailTickets::accept(const mail::IncomingMail& m) {
  const Caller caller = Caller::gateway("mail:" + (m.mailbox.empty() ? "mailbox" : m.mailbox));
  std::vector<std::pair<std::string, std::string>> fields{
      {"mailbox", m.mailbox}, {"uid", m.uid}, {"from", sender(m)}, {"subject", m.subject}};
  if (!m.messageId.empty()) {
    auto taken = store_.ticketByMailRef(m.messageId);
    if (!taken.ok())
      return taken.error();
    if (taken.value()) {
      fields.emplace_back("ticket", *taken.value());
      log_("info", "mail already taken; nothing changed", fields);
      return {};
    }
  }
  auto thread = threadOf(m);
  if (!thread.ok())
    return thread.error();
  std::string ticketId = thread.value();
  if (!ticketId.empty()) {
    const std::string note =
        m.autoReply ? "(automatic reply: " + m.autoReplyReason + ")\n" + body(m) : body(m);
    auto commented = service_.comment(ticketId, note, caller);
    if (!commented.ok())
      return commented.error();
    for (const auto& a : m.attachments) {
      if (a.dropped)
        continue;
      auto kept =
          service_.attach(ticketId, NewAttachment{a.filename, a.contentType, a.content}, caller);
      if (!kept.ok())
        log_("warning", "mail attachment not kept",
             {{"ticket", ticketId}, {"name", a.filename}, {"error", kept.error().describe()}});
    }
    fields.emplace_back("ticket", ticketId);
    log_("info", m.autoReply ? "automatic mail noted on its ticket" : "mail added to its ticket",
         fields);
  } else if (m.autoReply) {
    fields.emplace_back("reason", m.autoReplyReason);
    log_("notice", "automatic mail not turned into a ticket", fields);
    return {};
  } else {
    NewTicket t;
    t.channel = Channel::kEmail;
    t.reporter = m.from ? (m.from->name.empty() ? m.from->address : m.from->name) : "";
    t.contact = m.from ? m.from->address : "";
    t.title = m.subject.empty() ? "(mail without a subject)" : m.subject;
    t.description = body(m);
    for (const auto& a : m.attachments) {
      if (!a.dropped)
        t.attachments.push_back(NewAttachment{a.filename, a.contentType, a.content});
    }
    auto created = service_.create(t, caller);
    if (!created.ok())
      return created.error();
    ticketId = created.value().ticket.id;
    fields.emplace_back("ticket", ticketId);
    log_("info", "mail opened a ticket", fields);
  }
  if (!m.messageId.empty()) {
    if (auto r = store_.addMailRef(m.messageId, ticketId); !r.ok())
      return r.error();
  }
  return {};
}

}  // namespace huitong::faults
