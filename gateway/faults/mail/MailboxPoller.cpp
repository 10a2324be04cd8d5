#include "gateway/faults/mail/MailboxPoller.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

namespace huitong::faults::mail {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A protocol failure that ends the session; the message names the step and the server's words.
struct SessionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr std::size_t kMaxLine = 64 * 1024;

std::string firstWords(const std::string& s, std::size_t n = 200) {
  std::string out = s.substr(0, n);
  for (char& c : out)
    if (c == '\r' || c == '\n')
      c = ' ';
  return out;
}

// A buffered line connection over TCP or implicit TLS with send/receive timeouts.
class Connection {
 public:
  Connection(const MailboxConfig& c) {
    const Poco::Net::SocketAddress address(c.host, static_cast<Poco::UInt16>(c.port));
    const Poco::Timespan timeout(c.timeoutSeconds, 0);
    if (c.tls) {
      Poco::Net::Context::Params params;
      params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
      params.caLocation = c.caFile;
      params.loadDefaultCAs = c.caFile.empty();
      Poco::Net::Context::Ptr context =
          new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
      auto secure = std::make_unique<Poco::Net::SecureStreamSocket>(context);
      secure->setPeerHostName(c.host);
      secure->connect(address, timeout);
      socket_ = std::move(secure);
    } else {
      socket_ = std::make_unique<Poco::Net::StreamSocket>();
      socket_->connect(address, timeout);
    }
    socket_->setNoDelay(true);  // one short command per round trip: Nagle only adds delay
    socket_->setReceiveTimeout(timeout);
    socket_->setSendTimeout(timeout);
  }

  // One line without its CRLF. REQUIRES: lines shorter than kMaxLine.
  std::string readLine() {
    std::string line;
    for (;;) {
      const std::size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        line.assign(buf_, pos_, nl - pos_);
        pos_ = nl + 1;
        if (!line.empty() && line.back() == '\r')
          line.pop_back();
        return line;
      }
      if (buf_.size() - pos_ > kMaxLine)
        throw SessionError("the server sent a line longer than 64 KiB");
      fill();
    }
  }

  std::string readExact(std::size_t n) {
    while (buf_.size() - pos_ < n)
      fill();
    std::string out = buf_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  void writeLine(const std::string& line) {
    const std::string data = line + "\r\n";
    std::size_t sent = 0;
    while (sent < data.size()) {
      const int n = socket_->sendBytes(data.data() + sent, static_cast<int>(data.size() - sent));
      if (n <= 0)
        throw SessionError("the connection closed while sending");
      sent += static_cast<std::size_t>(n);
    }
  }

  void close() {
    try {
      socket_->close();
    } catch (const Poco::Exception&) {
    }
  }

 private:
  void fill() {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    } else if (pos_ > 65536) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    char tmp[16384];
    const int n = socket_->receiveBytes(tmp, sizeof tmp);
    if (n <= 0)
      throw SessionError("the server closed the connection");
    buf_.append(tmp, static_cast<std::size_t>(n));
  }

  std::unique_ptr<Poco::Net::StreamSocket> socket_;
  std::string buf_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------- POP3 (RFC 1939)

class Pop3 {
 public:
  explicit Pop3(Connection& c) : c_(c) {}

  std::string command(const std::string& cmd, const std::string& shown) {
    if (!cmd.empty())
      c_.writeLine(cmd);
    std::string answer = c_.readLine();
    if (answer.compare(0, 3, "+OK") != 0)
      throw SessionError("POP3 " + shown + " refused: " + firstWords(answer));
    return answer;
  }

  // A multi-line answer, dot-unstuffed, lines joined with CRLF; bounded by `limit` bytes.
  std::string multiLine(std::size_t limit) {
    std::string out;
    for (;;) {
      std::string line = c_.readLine();
      if (line == ".")
        return out;
      if (!line.empty() && line[0] == '.')
        line.erase(0, 1);
      out += line;
      out += "\r\n";
      if (out.size() > limit)
        throw SessionError("POP3 answer over " + std::to_string(limit) + " bytes");
    }
  }

 private:
  Connection& c_;
};

// ---------------------------------------------------------------- IMAP (RFC 3501)

struct ImapResponse {
  std::string status;                 // OK, NO, BAD
  std::string text;                   // the tagged line
  std::vector<std::string> untagged;  // each untagged response, literals inline as "{n}" markers
  std::vector<std::string> literals;  // literal bytes in order
};

class Imap {
 public:
  Imap(Connection& c, std::size_t maxLiteral) : c_(c), maxLiteral_(maxLiteral) {}

  ImapResponse command(const std::string& cmd, const std::string& shown, bool requireOk = true) {
    const std::string tag = "h" + std::to_string(++tag_);
    c_.writeLine(tag + " " + cmd);
    ImapResponse r;
    for (;;) {
      std::string line = readLogical(r);
      if (line.compare(0, tag.size() + 1, tag + " ") == 0) {
        const std::string rest = line.substr(tag.size() + 1);
        r.status = rest.substr(0, rest.find(' '));
        r.text = rest;
        break;
      }
      if (line.compare(0, 2, "* ") == 0)
        r.untagged.push_back(line.substr(2));
      else if (line.compare(0, 2, "+ ") == 0 || line == "+")
        throw SessionError("IMAP " + shown + ": unexpected continuation request");
    }
    if (requireOk && r.status != "OK")
      throw SessionError("IMAP " + shown + " refused: " + firstWords(r.text));
    return r;
  }

  // The greeting: "* OK ..." (or PREAUTH); "* BYE" ends the session.
  void greeting() {
    ImapResponse r;
    const std::string line = readLogical(r);
    if (line.compare(0, 4, "* OK") != 0 && line.compare(0, 9, "* PREAUTH") != 0)
      throw SessionError("IMAP greeting refused: " + firstWords(line));
  }

 private:
  // One response line with its literals read ({n} at the end of a line: n bytes follow).
  std::string readLogical(ImapResponse& r) {
    std::string line = c_.readLine();
    for (;;) {
      if (line.empty() || line.back() != '}')
        return line;
      const std::size_t open = line.rfind('{');
      if (open == std::string::npos)
        return line;
      std::string digits = line.substr(open + 1, line.size() - open - 2);
      if (!digits.empty() && digits.back() == '+')
        digits.pop_back();
      if (digits.empty() || digits.size() > 12 ||
          digits.find_first_not_of("0123456789") != std::string::npos)
        return line;
      const std::size_t n = std::stoull(digits);
      if (n > maxLiteral_)
        throw SessionError("IMAP literal of " + digits + " bytes over the limit of " +
                           std::to_string(maxLiteral_));
      r.literals.push_back(c_.readExact(n));
      line += c_.readLine();
    }
  }

  Connection& c_;
  std::size_t maxLiteral_;
  unsigned tag_ = 0;
};

std::string imapQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::optional<std::size_t> numberAfter(const std::string& text, const std::string& key) {
  const std::size_t p = text.find(key + " ");
  if (p == std::string::npos)
    return std::nullopt;
  std::size_t i = p + key.size() + 1;
  std::size_t v = 0;
  bool any = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && v < (std::size_t(1) << 50)) {
    v = v * 10 + static_cast<std::size_t>(text[i++] - '0');
    any = true;
  }
  return any ? std::optional<std::size_t>(v) : std::nullopt;
}

}  // namespace

MailboxPoller::MailboxPoller(MailboxConfig config, MailSink& sink, MailLog log,
                             std::function<std::int64_t()> now)
    : config_(std::move(config)),
      sink_(sink),
      log_(std::move(log)),
      now_(std::move(now)),
      parser_(config_.parse),
      rate_(config_.loopMaxMails, config_.loopWindowSeconds) {
  if (!log_)
    log_ = [](const std::string&, const std::string&, const Fields&) {};
  if (!now_)
    now_ = [] {
      return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
    };
}

MailboxPoller::~MailboxPoller() = default;

PollReport MailboxPoller::pollOnce() {
  PollReport report;
  const auto started = std::chrono::steady_clock::now();
  const Fields where = {{"mailbox", config_.name},
                        {"protocol", config_.protocol},
                        {"server", config_.host + ":" + std::to_string(config_.port)}};
  auto fields = [&](Fields extra) {
    Fields f = where;
    f.insert(f.end(), extra.begin(), extra.end());
    return f;
  };
  // Parse, add the sender-rate verdict and the mailbox's identity, hand to the sink.
  auto deliver = [&](const std::string& raw, const std::string& uid, bool headerOnly,
                     std::size_t serverSize) {
    IncomingMail mail = parser_.parse(raw);
    mail.mailbox = config_.name;
    mail.uid = uid;
    if (headerOnly) {
      mail.rawSize = serverSize;
      mail.problems.push_back("the mail is " + std::to_string(serverSize) +
                              " bytes, over max_message_bytes " +
                              std::to_string(config_.maxMessageBytes) +
                              ": only its header was fetched; the body and attachments were not");
    }
    if (mail.from) {
      auto loop = rate_.note(mail.from->address, now_());
      if (loop && !mail.autoReply) {
        mail.autoReply = true;
        mail.autoReplyReason = *loop;
      }
    }
    Result<void> r = sink_.accept(mail);
    if (!r.ok()) {
      ++report.refused;
      log_(
          "warning", "mail not accepted; left on the server for the next poll",
          fields({{"uid", uid}, {"message_id", mail.messageId}, {"reason", r.error().describe()}}));
      return false;
    }
    log_("info", "mail accepted",
         fields({{"uid", uid},
                 {"message_id", mail.messageId},
                 {"auto_reply", mail.autoReply ? mail.autoReplyReason : "no"},
                 {"problems", std::to_string(mail.problems.size())}}));
    return true;
  };

  std::optional<Connection> conn;
  try {
    conn.emplace(config_);
    if (config_.protocol == "pop3") {
      Pop3 pop(*conn);
      pop.command("", "greeting");
      pop.command("USER " + config_.username, "USER");
      pop.command("PASS " + config_.password, "PASS (login of " + config_.username + ")");
      pop.command("UIDL", "UIDL");
      std::vector<std::pair<std::string, std::string>> uids;  // number, uid
      {
        const std::string list = pop.multiLine(16 * 1024 * 1024);
        std::size_t p = 0;
        while (p < list.size()) {
          const std::size_t e = list.find("\r\n", p);
          const std::string line = list.substr(p, e - p);
          p = e + 2;
          const std::size_t sp = line.find(' ');
          if (sp != std::string::npos)
            uids.emplace_back(line.substr(0, sp), line.substr(sp + 1));
        }
      }
      report.listed = uids.size();
      for (const auto& [num, uid] : uids) {
        const std::string sizeAnswer = pop.command("LIST " + num, "LIST " + num);
        std::size_t size = 0;
        {
          const std::size_t sp1 = sizeAnswer.find(' ');
          const std::size_t sp2 = sizeAnswer.find(' ', sp1 + 1);
          if (sp2 != std::string::npos)
            size =
                static_cast<std::size_t>(std::strtoull(sizeAnswer.c_str() + sp2 + 1, nullptr, 10));
        }
        const bool tooBig = size > config_.maxMessageBytes;
        std::string raw;
        if (tooBig) {
          ++report.oversized;
          pop.command("TOP " + num + " 0", "TOP " + num);
          raw = pop.multiLine(1024 * 1024);
        } else {
          pop.command("RETR " + num, "RETR " + num);
          raw = pop.multiLine(config_.maxMessageBytes + 64 * 1024);
        }
        if (!deliver(raw, uid, tooBig, size))
          continue;
        try {
          pop.command("DELE " + num, "DELE " + num);
          ++report.accepted;
        } catch (const SessionError& e) {
          ++report.markFailed;
          log_("error", "accepted mail not deleted", fields({{"uid", uid}, {"error", e.what()}}));
        }
      }
      pop.command("QUIT", "QUIT (deletes the accepted mails)");
    } else {
      Imap imap(*conn, config_.maxMessageBytes + 64 * 1024);
      imap.greeting();
      imap.command("LOGIN " + imapQuote(config_.username) + " " + imapQuote(config_.password),
                   "LOGIN of " + config_.username);
      imap.command("SELECT " + imapQuote(config_.folder), "SELECT " + config_.folder);
      const ImapResponse search = imap.command("UID SEARCH UNSEEN", "UID SEARCH UNSEEN");
      std::vector<std::string> uids;
      for (const std::string& u : search.untagged) {
        if (u.compare(0, 7, "SEARCH ") != 0 && u != "SEARCH")
          continue;
        std::size_t p = 6;
        while (p < u.size()) {
          while (p < u.size() && u[p] == ' ')
            ++p;
          const std::size_t s = p;
          while (p < u.size() && u[p] >= '0' && u[p] <= '9')
            ++p;
          if (p > s)
            uids.push_back(u.substr(s, p - s));
          else
            ++p;
        }
      }
      report.listed = uids.size();
      for (const std::string& uid : uids) {
        const ImapResponse sizeR =
            imap.command("UID FETCH " + uid + " (RFC822.SIZE)", "UID FETCH " + uid);
        std::size_t size = 0;
        bool seen = false;
        for (const std::string& u : sizeR.untagged) {
          if (u.find("FETCH") == std::string::npos)
            continue;
          if (auto s = numberAfter(u, "RFC822.SIZE")) {
            size = *s;
            seen = true;
          }
        }
        if (!seen)
          continue;  // expunged meanwhile
        const bool tooBig = size > config_.maxMessageBytes;
        if (tooBig)
          ++report.oversized;
        const ImapResponse body =
            imap.command("UID FETCH " + uid + (tooBig ? " BODY.PEEK[HEADER]" : " BODY.PEEK[]"),
                         "UID FETCH " + uid);
        if (body.literals.empty()) {
          log_("warning", "mail has no body in the FETCH answer; skipped", fields({{"uid", uid}}));
          continue;
        }
        if (!deliver(body.literals.back(), uid, tooBig, size))
          continue;
        const ImapResponse mark =
            config_.processedFolder.empty()
                ? imap.command("UID STORE " + uid + " +FLAGS.SILENT (\\Seen)", "UID STORE " + uid,
                               false)
                : imap.command("UID MOVE " + uid + " " + imapQuote(config_.processedFolder),
                               "UID MOVE " + uid, false);
        if (mark.status == "OK") {
          ++report.accepted;
        } else {
          ++report.markFailed;
          log_("error", "accepted mail not marked on the server",
               fields({{"uid", uid}, {"error", firstWords(mark.text)}}));
        }
      }
      imap.command("LOGOUT", "LOGOUT", false);
    }
  } catch (const SessionError& e) {
    report.error = e.what();
  } catch (const Poco::TimeoutException& e) {
    report.error = "no answer within timeout_s " + std::to_string(config_.timeoutSeconds) + " (" +
                   e.displayText() + ")";
  } catch (const Poco::Exception& e) {
    report.error = "connection failed: " + e.displayText();
  } catch (const std::exception& e) {
    report.error = std::string("connection failed: ") + e.what();
  }
  if (conn)
    conn->close();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  if (!report.ok())
    log_("error", "mailbox poll failed",
         fields({{"error", report.error},
                 {"accepted", std::to_string(report.accepted)},
                 {"duration_ms", std::to_string(ms)}}));
  else
    log_("info", "mailbox polled",
         fields({{"listed", std::to_string(report.listed)},
                 {"accepted", std::to_string(report.accepted)},
                 {"refused", std::to_string(report.refused)},
                 {"oversized", std::to_string(report.oversized)},
                 {"duration_ms", std::to_string(ms)}}));
  return report;
}

}  // namespace huitong::faults::mail
