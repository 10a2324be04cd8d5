#include "gateway/faults/mail/MailboxConfig.h"

#include <fstream>
#include <set>
#include <sstream>

namespace huitong::faults::mail {
namespace {

Result<MailboxConfig> readMailbox(const ConfigNode& n) {
  if (n.has("password"))
    return n.fail("password", "give the password in password_file, not in the config");
  if (auto a = n.allowOnly({"name", "protocol", "host", "port", "tls", "ca_file", "username",
                            "password_file", "folder", "processed_folder", "poll_s", "timeout_s",
                            "max_message_bytes", "max_attachment_bytes", "ticket_pattern",
                            "loop_max_mails", "loop_window_s"});
      !a.ok())
    return a.error();
  MailboxConfig c;
  auto name = n.requiredString("name");
  if (!name.ok())
    return name.error();
  if (name.value().empty())
    return n.fail("name", "name must not be empty");
  c.name = name.value();
  if (!n.has("protocol"))
    return n.fail("protocol", "protocol is required: pop3 or imap");
  auto protocol = n.oneOf("protocol", {"pop3", "imap"}, "imap");
  if (!protocol.ok())
    return protocol.error();
  c.protocol = protocol.value();
  auto host = n.requiredString("host");
  if (!host.ok())
    return host.error();
  c.host = host.value();
  auto tls = n.boolean("tls", false);
  if (!tls.ok())
    return tls.error();
  c.tls = tls.value();
  const int defPort = c.protocol == "pop3" ? (c.tls ? 995 : 110) : (c.tls ? 993 : 143);
  auto port = n.integer("port", defPort, 1, 65535);
  if (!port.ok())
    return port.error();
  c.port = static_cast<int>(port.value());
  if (n.has("ca_file")) {
    auto ca = n.requiredString("ca_file");
    if (!ca.ok())
      return ca.error();
    if (!c.tls)
      return n.fail("ca_file", "ca_file needs tls: true");
    c.caFile = n.resolvePath(ca.value());
    if (!std::ifstream(c.caFile))
      return n.fail("ca_file", "cannot read ca_file " + c.caFile);
  }
  auto user = n.requiredString("username");
  if (!user.ok())
    return user.error();
  c.username = user.value();
  auto pwPath = n.requiredString("password_file");
  if (!pwPath.ok())
    return pwPath.error();
  const std::string file = n.resolvePath(pwPath.value());
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return n.fail("password_file", "cannot read password_file " + file);
  std::ostringstream os;
  os << in.rdbuf();
  c.password = os.str();
  while (!c.password.empty() && (c.password.back() == '\n' || c.password.back() == '\r'))
    c.password.pop_back();
  if (c.password.empty())
    return n.fail("password_file", "password_file " + file + " is empty");
  if (c.password.find_first_of("\r\n") != std::string::npos)
    return n.fail("password_file", "password_file " + file + " holds more than one line");
  c.passwordSource = "password_file " + file;
  auto folder = n.string("folder", "INBOX");
  if (!folder.ok())
    return folder.error();
  c.folder = folder.value();
  auto processed = n.string("processed_folder", "");
  if (!processed.ok())
    return processed.error();
  if (!processed.value().empty() && c.protocol != "imap")
    return n.fail("processed_folder", "processed_folder is for imap (POP3 deletes accepted mail)");
  c.processedFolder = processed.value();
  for (const std::string* f : {&c.folder, &c.processedFolder})
    if (f->find_first_of("\"\\\r\n") != std::string::npos)
      return n.fail(f == &c.folder ? "folder" : "processed_folder",
                    "folder names must not hold quotes, backslashes or line breaks");
  auto poll = n.integer("poll_s", 60, 5, 86400);
  if (!poll.ok())
    return poll.error();
  c.pollSeconds = static_cast<int>(poll.value());
  auto timeout = n.integer("timeout_s", 30, 1, 600);
  if (!timeout.ok())
    return timeout.error();
  c.timeoutSeconds = static_cast<int>(timeout.value());
  auto maxMsg = n.integer("max_message_bytes", 25LL * 1024 * 1024, 1024, 1LL << 30);
  if (!maxMsg.ok())
    return maxMsg.error();
  c.maxMessageBytes = static_cast<std::size_t>(maxMsg.value());
  auto maxAtt = n.integer("max_attachment_bytes", 10LL * 1024 * 1024, 0, 1LL << 30);
  if (!maxAtt.ok())
    return maxAtt.error();
  c.parse.maxAttachmentBytes = static_cast<std::size_t>(maxAtt.value());
  auto pattern = n.string("ticket_pattern", c.parse.ticketPattern);
  if (!pattern.ok())
    return pattern.error();
  if (auto p = checkTicketPattern(pattern.value()); !p.ok())
    return n.fail("ticket_pattern", p.error().message);
  c.parse.ticketPattern = pattern.value();
  auto loopMails = n.integer("loop_max_mails", 10, 0, 100000);
  if (!loopMails.ok())
    return loopMails.error();
  c.loopMaxMails = static_cast<std::size_t>(loopMails.value());
  auto loopWindow = n.integer("loop_window_s", 600, 1, 7 * 86400);
  if (!loopWindow.ok())
    return loopWindow.error();
  c.loopWindowSeconds = loopWindow.value();
  return c;
}

}  // namespace

Result<std::vector<MailboxConfig>> readMailboxes(const ConfigNode& faultsBlock) {
  auto list = faultsBlock.objects("mailboxes");
  if (!list.ok())
    return list.error();
  std::vector<MailboxConfig> out;
  std::set<std::string> names;
  for (const ConfigNode& n : list.value()) {
    auto m = readMailbox(n);
    if (!m.ok())
      return m.error();
    if (!names.insert(m.value().name).second)
      return n.fail("name", "mailbox name \"" + m.value().name + "\" is used twice");
    out.push_back(std::move(m).value());
  }
  return out;
}

}  // namespace huitong::faults::mail
