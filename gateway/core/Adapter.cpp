#include "gateway/core/Adapter.h"

#include <algorithm>

#include "gateway/core/Json.h"

namespace huitong::adapter {

std::string HttpRequest::header(const std::string& lowerName) const {
  for (const auto& [name, value] : headers) {
    if (name == lowerName)
      return value;
  }
  return "";
}

HttpAnswer Adapter::handle(const HttpRequest&) {
  return problem(405, "method-not-allowed", "Not a push system",
                 "this system's messages are fetched by the gateway, not sent to it");
}

Result<void> AdapterRegistry::add(std::unique_ptr<AdapterFactory> factory, std::string origin) {
  const std::string name = factory->name();
  if (name.empty())
    return Error{"adapter.name", "an adapter factory from " + origin + " has an empty name", ""};
  if (find(name)) {
    return Error{
        "adapter.duplicate",
        "adapter '" + name + "' from " + origin + " is already registered by " + this->origin(name),
        ""};
  }
  factories_.emplace_back(std::move(factory), std::move(origin));
  return {};
}

const AdapterFactory* AdapterRegistry::find(const std::string& name) const {
  for (const auto& [f, origin] : factories_) {
    if (f->name() == name)
      return f.get();
  }
  return nullptr;
}

std::vector<std::string> AdapterRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& entry : factories_)
    out.push_back(entry.first->name());
  return out;
}

std::string AdapterRegistry::origin(const std::string& name) const {
  for (const auto& [f, origin] : factories_) {
    if (f->name() == name)
      return origin;
  }
  return "";
}

std::string jsonQuote(const std::string& text) {
  rapidjson::Document d;
  return json::write(json::string(text, d.GetAllocator()));
}

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

HttpAnswer problem(int status, const std::string& type, const std::string& title,
                   const std::string& detail, const std::string& extraMembers) {
  HttpAnswer a;
  a.status = status;
  a.contentType = "application/problem+json; charset=utf-8";
  a.body = "{\"type\":" + jsonQuote("https://huitong.zs.gov.cn/problems/" + type) +
           ",\"title\":" + jsonQuote(title) + ",\"status\":" + std::to_string(status) +
           ",\"detail\":" + jsonQuote(detail);
  if (!extraMembers.empty())
    a.body += "," + extraMembers;
  a.body += "}";
  return a;
}

HttpAnswer jsonAnswer(const Submission& s) {
  using Outcome = Submission::Outcome;
  switch (s.outcome) {
    case Outcome::kAccepted: {
      HttpAnswer a;
      a.status = 202;
      a.body = s.answerJson;
      return a;
    }
    case Outcome::kRejected: {
      std::string errors = "[]";
      auto doc = json::parse(s.answerJson);
      if (doc.ok() && doc.value().IsObject() && doc.value().HasMember("rejected"))
        errors = json::write(doc.value()["rejected"]);
      return problem(422, "rejected", "Message rejected",
                     "no case event of the message is valid; every broken rule is listed in errors",
                     "\"message_id\":" + jsonQuote(s.messageId) + ",\"errors\":" + errors);
    }
    case Outcome::kNotOnline: {
      std::string errors = "[]";
      auto doc = json::parse(s.answerJson);
      if (doc.ok() && doc.value().IsObject() && doc.value().HasMember("rejected"))
        errors = json::write(doc.value()["rejected"]);
      return problem(403, "filing-not-online", "Item not online", notOnlineDetail(s),
                     "\"code\":\"filing.not_online\",\"message_id\":" + jsonQuote(s.messageId) +
                         ",\"errors\":" + errors);
    }
    case Outcome::kUnreadable:
      return problem(
          400, "unreadable", "Message unreadable", s.error.message,
          "\"code\":" + jsonQuote(s.error.code) + ",\"position\":" + jsonQuote(s.error.path));
    case Outcome::kUnknownSystem:
      // A configured system whose first mapping version is still a draft (IntakeService.h
      // kNotPublishedCode): known, but not taking production messages yet.
      if (s.error.code == "intake.not_published") {
        return problem(403, "not-published", "No published mapping", s.error.message,
                       "\"code\":\"intake.not_published\"");
      }
      return problem(404, "unknown-system", "Unknown system", s.error.message);
    case Outcome::kStoreFailed: {
      HttpAnswer a = problem(503, "unavailable", "Temporarily unavailable",
                             "the message was not accepted; send it again later");
      a.headers.emplace_back("Retry-After", "5");
      return a;
    }
  }
  return problem(500, "internal", "Internal error", "unknown submission outcome");
}

std::string notOnlineDetail(const Submission& s) {
  std::string detail;
  std::vector<std::string> seen;
  for (const auto& r : s.rejected) {
    // The sentence up to ':' names the item and its state; the rest is the same advice.
    const std::string item = r.message.substr(0, r.message.find(':'));
    if (r.code != "filing.not_online" || std::find(seen.begin(), seen.end(), item) != seen.end())
      continue;
    seen.push_back(item);
    detail += (detail.empty() ? "" : "; ") + item;
  }
  if (detail.empty())
    detail = "the message's items are not online";
  return detail + " (send the message again once it is online)";
}

RawMessage rawMessageOf(const HttpRequest& request, const std::string& system,
                        const std::string& adapterName, EpochMillis receivedAt) {
  RawMessage m;
  m.system = system;
  m.adapter = adapterName;
  m.contentType = request.contentType;
  m.charset = request.charset;
  m.bytes = request.body;
  m.sourceRef = request.peer;
  m.receivedAt = receivedAt;
  return m;
}

}  // namespace huitong::adapter
