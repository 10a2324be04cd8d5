// json_code_msg: an adapter plugin (README.md beside). A department POSTs JSON, like http_json,
// but its client only understands the "code/msg/data" answers common in older government
// systems: HTTP 200 with {"code": 0, "msg": "...", "data": ...}, anything but the success code
// meaning "not taken". Built out of tree against the installed SDK; loaded by path from the
// gateway's "plugins".
#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "gateway/core/AdapterPlugin.h"
#include "gateway/core/Json.h"

namespace {

using namespace huitong;
using Outcome = adapter::Submission::Outcome;

constexpr const char* kName = "json_code_msg";

struct CodeMsgConfig {
  long long successCode = 0;
  bool alwaysHttp200 = true;  // false: 202/422/400/404 as http_json answers
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

adapter::HttpAnswer codeMsg(int httpStatus, long long code, const std::string& msg,
                            const std::string& dataJson = "null") {
  adapter::HttpAnswer a;
  a.status = httpStatus;
  a.contentType = "application/json; charset=utf-8";
  a.body = "{\"code\":" + std::to_string(code) + ",\"msg\":" + adapter::jsonQuote(msg) +
           ",\"data\":" + dataJson + "}";
  return a;
}

class CodeMsgAdapter final : public adapter::Adapter {
 public:
  CodeMsgAdapter(std::string system, CodeMsgConfig config, adapter::Host& host)
      : system_(std::move(system)), config_(config), host_(host) {}

  adapter::HttpAnswer handle(const adapter::HttpRequest& request) override {
    // Such clients often label their JSON text/plain.
    const std::string& media = request.mediaType;
    if (media != "application/json" && media != "text/json" && media != "text/plain")
      return answer(415, 415, "send JSON (application/json); got " + request.contentType);
    const std::string charset = lower(request.charset);
    if (!charset.empty() && charset != "utf-8" && charset != "utf8")
      return answer(415, 415, "JSON is read as UTF-8; got charset=" + request.charset);
    const adapter::Submission s =
        host_.intake().submit(adapter::rawMessageOf(request, system_, kName, host_.clock().now()));
    switch (s.outcome) {
      case Outcome::kAccepted:
        return answer(202, config_.successCode, s.repeated ? "accepted before" : "accepted",
                      s.answerJson);
      case Outcome::kRejected: {
        std::string errors;
        for (const auto& r : s.rejected) {
          errors += std::string(errors.empty() ? "" : ",") +
                    "{\"field\":" + adapter::jsonQuote(r.field) +
                    ",\"code\":" + adapter::jsonQuote(r.code) +
                    ",\"source_path\":" + adapter::jsonQuote(r.sourcePath) +
                    ",\"message\":" + adapter::jsonQuote(r.message) + "}";
        }
        return answer(
            422, 422, "rejected: no case event of the message is valid",
            "{\"message_id\":" + adapter::jsonQuote(s.messageId) + ",\"errors\":[" + errors + "]}");
      }
      case Outcome::kNotOnline:
        return answer(403, 403, adapter::notOnlineDetail(s),
                      "{\"message_id\":" + adapter::jsonQuote(s.messageId) + "}");
      case Outcome::kUnreadable:
        return answer(400, 400, s.error.message,
                      "{\"error\":" + adapter::jsonQuote(s.error.code) +
                          ",\"position\":" + adapter::jsonQuote(s.error.path) + "}");
      case Outcome::kUnknownSystem:
        return answer(404, 404, s.error.message);
      case Outcome::kStoreFailed:
        break;
    }
    // Never 200: a client that retries only on 5xx must send this message again.
    adapter::HttpAnswer a = codeMsg(503, 503, "not accepted; send it again later");
    a.headers.emplace_back("Retry-After", "5");
    return a;
  }

  // The gateway refused the request (authentication, an internal error): same shape, the
  // gateway's status kept (a refusal is never a 200).
  adapter::HttpAnswer refuse(const adapter::HttpAnswer& gatewayAnswer) override {
    std::string msg = "refused";
    auto doc = json::parse(gatewayAnswer.body);
    if (doc.ok() && doc.value().IsObject()) {
      for (const char* key : {"detail", "title"}) {
        auto it = doc.value().FindMember(key);
        if (it != doc.value().MemberEnd() && it->value.IsString()) {
          msg = it->value.GetString();
          break;
        }
      }
    }
    adapter::HttpAnswer a = codeMsg(gatewayAnswer.status, gatewayAnswer.status, msg);
    a.headers = gatewayAnswer.headers;
    return a;
  }

 private:
  adapter::HttpAnswer answer(int outcomeStatus, long long code, const std::string& msg,
                             const std::string& dataJson = "null") const {
    return codeMsg(config_.alwaysHttp200 ? 200 : outcomeStatus, code, msg, dataJson);
  }

  const std::string system_;
  const CodeMsgConfig config_;
  adapter::Host& host_;
};

class CodeMsgFactory final : public adapter::AdapterFactory {
 public:
  std::string name() const override { return kName; }
  adapter::AdapterKind kind() const override { return adapter::AdapterKind::kPush; }
  std::string summary() const override {
    return "department POSTs JSON and reads {code, msg, data} answers (example plugin)";
  }

  Result<std::unique_ptr<adapter::Adapter>> create(
      const adapter::AdapterSpec& spec) const override {
    const ConfigNode& c = spec.config;
    if (auto r = c.allowOnly({"kind", "success_code", "always_http_200"}); !r.ok())
      return r.error();
    if (spec.inputFormat != "json") {
      return c.fail("kind", std::string(kName) + " reads JSON but the mapping of " + spec.system +
                                " reads " + spec.inputFormat);
    }
    CodeMsgConfig cfg;
    auto code = c.integer("success_code", cfg.successCode, -999999, 999999);
    if (!code.ok())
      return code.error();
    cfg.successCode = code.value();
    auto always = c.boolean("always_http_200", cfg.alwaysHttp200);
    if (!always.ok())
      return always.error();
    cfg.alwaysHttp200 = always.value();
    if (cfg.successCode == 400 || cfg.successCode == 404 || cfg.successCode == 415 ||
        cfg.successCode == 422 || cfg.successCode == 503) {
      return c.fail("success_code",
                    "success_code must differ from the failure codes 400, 404, "
                    "415, 422 and 503");
    }
    return std::unique_ptr<adapter::Adapter>(
        std::make_unique<CodeMsgAdapter>(spec.system, cfg, *spec.host));
  }
};

}  // namespace

HUITONG_ADAPTER_PLUGIN(CodeMsgFactory)
