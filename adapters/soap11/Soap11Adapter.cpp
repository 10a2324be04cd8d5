#include "adapters/soap11/Soap11Adapter.h"

namespace huitong::adapters {
namespace {

constexpr const char* kEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";

struct Soap11Config {
  std::string responseElement;  // "PushCaseStageResponse"
  std::string ns;               // the response element's namespace
  std::string soapAction;       // expected SOAPAction ("" = any)
  bool faultOnReject = false;   // rejected data: a Client fault instead of <Code>1</Code>
};

adapter::HttpAnswer envelope(int status, const std::string& bodyXml) {
  adapter::HttpAnswer a;
  a.status = status;
  a.contentType = "text/xml; charset=utf-8";
  a.body = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"") +
           kEnvelopeNs + "\"><soap:Body>" + bodyXml + "</soap:Body></soap:Envelope>";
  return a;
}

// SOAP 1.1 §4.4: a fault travels with HTTP 500; Client = do not send it again unchanged.
adapter::HttpAnswer fault(bool client, const std::string& message, const std::string& detail = "") {
  return envelope(500,
                  std::string("<soap:Fault><faultcode>soap:") + (client ? "Client" : "Server") +
                      "</faultcode><faultstring>" + adapter::xmlEscape(message) + "</faultstring>" +
                      (detail.empty() ? "" : "<detail>" + detail + "</detail>") + "</soap:Fault>");
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
    s = s.substr(1, s.size() - 2);
  return s;
}

class Soap11Adapter final : public adapter::Adapter {
 public:
  Soap11Adapter(std::string system, Soap11Config config, adapter::Host& host)
      : system_(std::move(system)), config_(std::move(config)), host_(host) {}

  adapter::HttpAnswer handle(const adapter::HttpRequest& request) override {
    // SOAP 1.1 is text/xml; SOAP 1.2 stacks configured for 1.1 still send application/soap+xml.
    if (request.mediaType != "text/xml" && request.mediaType != "application/soap+xml" &&
        request.mediaType != "application/xml") {
      adapter::HttpAnswer a =
          fault(true, "unsupported Content-Type '" + request.contentType.substr(0, 100) +
                          "': SOAP 1.1 is text/xml");
      a.status = 415;  // the fault body for the caller's SOAP stack, 415 for HTTP tooling
      return a;
    }
    if (!config_.soapAction.empty() && request.mediaType == "text/xml" &&
        unquote(request.header("soapaction")) != config_.soapAction) {
      return fault(true, "SOAPAction '" + unquote(request.header("soapaction")).substr(0, 100) +
                             "' is not an operation of this service (expected '" +
                             config_.soapAction + "')");
    }
    const adapter::Submission s = host_.intake().submit(
        adapter::rawMessageOf(request, system_, "soap11", host_.clock().now()));
    using Outcome = adapter::Submission::Outcome;
    switch (s.outcome) {
      case Outcome::kAccepted:
        return response(0, "OK " + s.messageId, s);
      case Outcome::kRejected: {
        std::string msg = "rejected " + s.messageId + ":";
        for (const auto& r : s.rejected) {
          msg += " " + r.field + " " + r.code +
                 (r.sourcePath.empty() ? "" : " (" + r.sourcePath + ")") + ";";
        }
        if (config_.faultOnReject)
          return fault(true, msg);
        // Bad data is not worth retrying: a non-zero Code, shown to the department's operator.
        return response(1, msg, s);
      }
      case Outcome::kNotOnline: {
        // Not the department's error to fix in the message: a fault its operator sees, with
        // 403 visible to HTTP-level tooling (as for refuse()).
        adapter::HttpAnswer a =
            fault(true, "not online " + s.messageId + ": " + adapter::notOnlineDetail(s),
                  "<code>filing.not_online</code>");
        a.status = 403;
        return a;
      }
      case Outcome::kUnreadable:
        return fault(true, s.error.describe());
      case Outcome::kUnknownSystem:
        return fault(true, s.error.message);
      case Outcome::kStoreFailed: {
        adapter::HttpAnswer a = fault(false, "temporarily unavailable; send again later");
        a.headers.emplace_back("Retry-After", "5");
        return a;
      }
    }
    return fault(false, "internal error");
  }

  adapter::HttpAnswer refuse(const adapter::HttpAnswer& gatewayAnswer) override {
    adapter::HttpAnswer a =
        fault(gatewayAnswer.status < 500,
              gatewayAnswer.status == 401   ? "the request is not authenticated"
              : gatewayAnswer.status == 403 ? "this key may not submit for this system"
                                            : "the request could not be completed");
    a.status = gatewayAnswer.status;  // 401/403 stay visible to HTTP-level tooling
    a.headers = gatewayAnswer.headers;
    return a;
  }

 private:
  adapter::HttpAnswer response(int code, const std::string& message, const adapter::Submission&) {
    const std::string& el = config_.responseElement;
    return envelope(
        200, "<" + el +
                 (config_.ns.empty() ? "" : " xmlns=\"" + adapter::xmlEscape(config_.ns) + "\"") +
                 "><Code>" + std::to_string(code) + "</Code><Message>" +
                 adapter::xmlEscape(message) + "</Message></" + el + ">");
  }

  std::string system_;
  Soap11Config config_;
  adapter::Host& host_;
};

bool isXmlName(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return false;
  }
  return true;
}

class Soap11Factory final : public adapter::AdapterFactory {
 public:
  std::string name() const override { return "soap11"; }
  adapter::AdapterKind kind() const override { return adapter::AdapterKind::kPush; }
  std::string summary() const override {
    return "department calls a SOAP 1.1 operation; answered with its response or a SOAP fault";
  }
  Result<std::unique_ptr<adapter::Adapter>> create(
      const adapter::AdapterSpec& spec) const override {
    const ConfigNode& c = spec.config;
    if (auto r = c.allowOnly(
            {"kind", "response_element", "namespace", "soap_action", "fault_on_reject"});
        !r.ok())
      return r.error();
    if (spec.inputFormat != "xml") {
      return c.fail("kind", "soap11 reads XML but the mapping of " + spec.system + " reads " +
                                spec.inputFormat);
    }
    Soap11Config cfg;
    auto el = c.requiredString("response_element");
    if (!el.ok())
      return el.error();
    if (!isXmlName(el.value()))
      return c.fail("response_element", "response_element must be an XML element name");
    cfg.responseElement = el.value();
    auto ns = c.string("namespace");
    auto action = c.string("soap_action");
    auto onReject = c.boolean("fault_on_reject", false);
    for (const Error* e : {ns.ok() ? nullptr : &ns.error(), action.ok() ? nullptr : &action.error(),
                           onReject.ok() ? nullptr : &onReject.error()}) {
      if (e)
        return *e;
    }
    cfg.ns = ns.value();
    cfg.soapAction = action.value();
    cfg.faultOnReject = onReject.value();
    return std::unique_ptr<adapter::Adapter>(
        std::make_unique<Soap11Adapter>(spec.system, std::move(cfg), *spec.host));
  }
};

}  // namespace

std::unique_ptr<adapter::AdapterFactory> makeSoap11Factory() {
  return std::make_unique<Soap11Factory>();
}

}  // namespace huitong::adapters
