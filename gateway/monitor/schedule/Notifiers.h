// Notification channels for alerts: a generic JSON webhook, the WeCom (企业微信) and DingTalk
// (钉钉) group robots in their markdown message formats (DingTalk's optional signature: HMAC-
// SHA256 of "timestamp\nsecret" keyed with the secret, base64, URL-encoded, as its robot
// documentation defines), and email over SMTP. Each send is one attempt with a bounded timeout;
// the alert engine retries. The message bodies are built by plain functions (tested alone).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/monitor/schedule/Alerts.h"

namespace huitong::monitor::schedule {

// {"alert_id","rule","key","source","event","summary","opened_at","at"} (RFC 3339 +08:00).
std::string webhookBody(const AlertNotice& n);
// {"msgtype":"markdown","markdown":{"content":...}} (at most 4096 bytes of content).
std::string wecomBody(const AlertNotice& n);
// {"msgtype":"markdown","markdown":{"title":...,"text":...}}.
std::string dingtalkBody(const AlertNotice& n);
// The robot URL with "&timestamp=T&sign=S" (or "?..." when the URL has no query).
std::string dingtalkSignedUrl(const std::string& url, const std::string& secret,
                              EpochMillis timestampMillis);
// The mail's subject and plain-text body.
std::string emailSubject(const AlertNotice& n);
std::string emailText(const AlertNotice& n);

struct EmailSettings {
  std::string host = "127.0.0.1";
  unsigned short port = 25;
  std::string from;
  std::vector<std::string> to;
  unsigned timeoutMs = 10000;
};

// type: "webhook" | "wecom" | "dingtalk"; `secret` only for dingtalk (may be empty).
std::unique_ptr<Notifier> makeHttpNotifier(const std::string& name, const std::string& type,
                                           const std::string& url, const std::string& secret,
                                           const Clock& clock, unsigned timeoutMs = 10000);
std::unique_ptr<Notifier> makeEmailNotifier(const std::string& name, EmailSettings settings);

}  // namespace huitong::monitor::schedule
