#include "gateway/monitor/schedule/Notifiers.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <exception>
#include <sstream>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include "gateway/core/Json.h"

namespace huitong::monitor::schedule {
namespace {

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr std::size_t kWeComMaxContent = 4096;

std::string heading(const AlertNotice& n) {
  return std::string(n.event == "resolved" ? "[恢复] " : "[告警] ") + n.rule + " · " + n.key;
}

// Lines of a markdown message: the same facts in each robot's format.
std::string markdownLines(const AlertNotice& n, const std::string& prefix) {
  std::string s;
  s += prefix + "对象 (key): " + n.key + "\n";
  s += prefix + "规则 (rule): " + n.rule + "\n";
  s += prefix + "摘要 (summary): " + n.summary + "\n";
  s += prefix + "开始 (opened): " + formatRfc3339(n.openedAt) + "\n";
  if (n.event == "resolved")
    s += prefix + "恢复 (resolved): " + formatRfc3339(n.at) + "\n";
  s += prefix + "告警编号 (alert): " + std::to_string(n.alertId) + "\n";
  return s;
}

// Cuts UTF-8 text at a byte limit without splitting a character.
std::string cut(const std::string& s, std::size_t limit) {
  if (s.size() <= limit)
    return s;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
    --end;
  return s.substr(0, end);
}

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string urlEncode(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "+/=&?#", out);
  return out;
}

class HttpNotifier final : public Notifier {
 public:
  HttpNotifier(std::string name, std::string type, std::string url, std::string secret,
               const Clock& clock, unsigned timeoutMs)
      : name_(std::move(name)),
        type_(std::move(type)),
        url_(std::move(url)),
        secret_(std::move(secret)),
        clock_(clock),
        timeoutMs_(timeoutMs) {}
  const std::string& name() const override { return name_; }

  Result<std::string> send(const AlertNotice& n) override {
    const std::string body = type_ == "wecom"      ? wecomBody(n)
                             : type_ == "dingtalk" ? dingtalkBody(n)
                                                   : webhookBody(n);
    const std::string target = type_ == "dingtalk" && !secret_.empty()
                                   ? dingtalkSignedUrl(url_, secret_, clock_.now())
                                   : url_;
    try {
      Poco::URI uri(target);
      std::unique_ptr<Poco::Net::HTTPClientSession> session;
      if (uri.getScheme() == "https") {
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        params.loadDefaultCAs = true;
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        session =
            std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
      } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
      }
      session->setTimeout(Poco::Timespan(static_cast<long>(timeoutMs_) * 1000));
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.setContentType("application/json; charset=utf-8");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
      session->sendRequest(req) << body;
      Poco::Net::HTTPResponse res;
      std::istream& in = session->receiveResponse(res);
      std::string answer;
      char buf[4096];
      while (in && answer.size() < kMaxAnswerBytes) {
        in.read(buf, sizeof buf);
        answer.append(buf, static_cast<std::size_t>(in.gcount()));
      }
      const int status = static_cast<int>(res.getStatus());
      std::string detail = "HTTP " + std::to_string(status);
      if (status < 200 || status > 299)
        return Error{"notify.http", detail + ": " + cut(answer, 300), ""};
      if (type_ == "wecom" || type_ == "dingtalk") {
        // The robots answer 200 with {"errcode": 0} on success and a non-zero code otherwise.
        auto d = json::parse(answer);
        if (!d.ok() || !d.value().IsObject() || !d.value().HasMember("errcode") ||
            !d.value()["errcode"].IsInt())
          return Error{"notify.answer", detail + ": not a robot answer: " + cut(answer, 300), ""};
        const int code = d.value()["errcode"].GetInt();
        std::string msg = d.value().HasMember("errmsg") && d.value()["errmsg"].IsString()
                              ? d.value()["errmsg"].GetString()
                              : "";
        if (code != 0)
          return Error{"notify.robot", detail + " errcode " + std::to_string(code) + " " + msg, ""};
        detail += " errcode 0";
      }
      return detail;
    } catch (const Poco::Exception& e) {
      return Error{"notify.io", e.displayText(), ""};
    } catch (const std::exception& e) {
      return Error{"notify.io", e.what(), ""};
    }
  }

 private:
  std::string name_, type_, url_, secret_;
  const Clock& clock_;
  unsigned timeoutMs_;
};

class EmailNotifier final : public Notifier {
 public:
  EmailNotifier(std::string name, EmailSettings s) : name_(std::move(name)), s_(std::move(s)) {}
  const std::string& name() const override { return name_; }

  Result<std::string> send(const AlertNotice& n) override {
    try {
      Poco::Net::MailMessage message;
      message.setSender(s_.from);
      for (const auto& to : s_.to)
        message.addRecipient(
            Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, to));
      message.setSubject(Poco::Net::MailMessage::encodeWord(emailSubject(n), "UTF-8"));
      message.setContentType("text/plain; charset=UTF-8");
      message.setContent(emailText(n), Poco::Net::MailMessage::ENCODING_8BIT);
      Poco::Net::SMTPClientSession session(s_.host, s_.port);
      session.setTimeout(Poco::Timespan(static_cast<long>(s_.timeoutMs) * 1000));
      session.login();
      session.sendMessage(message);
      session.close();
      return std::string("accepted by ") + s_.host + ":" + std::to_string(s_.port);
    } catch (const Poco::Exception& e) {
      return Error{"notify.smtp", e.displayText(), ""};
    } catch (const std::exception& e) {
      return Error{"notify.smtp", e.what(), ""};
    }
  }

 private:
  std::string name_;
  EmailSettings s_;
};

}  // namespace

std::string webhookBody(const AlertNotice& n) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("alert_id", n.alertId, a);
  d.AddMember("rule", json::string(n.rule, a), a);
  d.AddMember("key", json::string(n.key, a), a);
  d.AddMember("source", json::string(n.source, a), a);
  d.AddMember("event", json::string(n.event, a), a);
  d.AddMember("summary", json::string(n.summary, a), a);
  d.AddMember("opened_at", json::string(formatRfc3339(n.openedAt), a), a);
  d.AddMember("at", json::string(formatRfc3339(n.at), a), a);
  return json::write(d);
}

std::string wecomBody(const AlertNotice& n) {
  // WeCom markdown: <font color="warning|info"> for colour, "> " for quoted lines.
  const std::string colour = n.event == "resolved" ? "info" : "warning";
  std::string content =
      "**<font color=\"" + colour + "\">" + heading(n) + "</font>**\n" + markdownLines(n, "> ");
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("msgtype", "markdown", a);
  rapidjson::Value md(rapidjson::kObjectType);
  md.AddMember("content", json::string(cut(content, kWeComMaxContent), a), a);
  d.AddMember("markdown", md, a);
  return json::write(d);
}

std::string dingtalkBody(const AlertNotice& n) {
  const std::string title = heading(n);
  const std::string text = "#### " + title + "\n\n" + markdownLines(n, "- ");
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("msgtype", "markdown", a);
  rapidjson::Value md(rapidjson::kObjectType);
  md.AddMember("title", json::string(title, a), a);
  md.AddMember("text", json::string(text, a), a);
  d.AddMember("markdown", md, a);
  return json::write(d);
}

std::string dingtalkSignedUrl(const std::string& url, const std::string& secret,
                              EpochMillis timestampMillis) {
  const std::string ts = std::to_string(timestampMillis);
  const std::string toSign = ts + "\n" + secret;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(toSign.data()), toSign.size(), mac, &len);
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "timestamp=" + ts +
         "&sign=" + urlEncode(base64(mac, len));
}

std::string emailSubject(const AlertNotice& n) {
  return "Huitong " + heading(n);
}

std::string emailText(const AlertNotice& n) {
  return heading(n) + "\n\n" + markdownLines(n, "") +
         "\nSent by the Huitong gateway's monitoring (docs/monitoring.md).\n";
}

std::unique_ptr<Notifier> makeHttpNotifier(const std::string& name, const std::string& type,
                                           const std::string& url, const std::string& secret,
                                           const Clock& clock, unsigned timeoutMs) {
  return std::make_unique<HttpNotifier>(name, type, url, secret, clock, timeoutMs);
}

std::unique_ptr<Notifier> makeEmailNotifier(const std::string& name, EmailSettings settings) {
  return std::make_unique<EmailNotifier>(name, std::move(settings));
}

}  // namespace huitong::monitor::schedule
