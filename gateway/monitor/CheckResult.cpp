#include "gateway/monitor/CheckResult.h"

#include "gateway/core/Json.h"

namespace huitong::monitor {

const char* toString(CheckStatus s) {
  switch (s) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kError:
      return "error";
  }
  return "error";
}

namespace {

void addTiming(rapidjson::Value& o, const char* name, double ms,
               rapidjson::Document::AllocatorType& a) {
  if (ms >= 0)
    o.AddMember(rapidjson::StringRef(name), ms, a);
}

}  // namespace

rapidjson::Value toJson(const CheckResult& r, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("check", json::string(r.checkId, a), a);
  o.AddMember("kind", json::string(r.kind, a), a);
  o.AddMember("target", json::string(r.target, a), a);
  o.AddMember("started_at", json::string(formatRfc3339(r.startedAt), a), a);
  o.AddMember("duration_ms", r.durationMs, a);
  o.AddMember("status", rapidjson::StringRef(toString(r.status)), a);
  if (!r.message.empty())
    o.AddMember("message", json::string(r.message, a), a);
  rapidjson::Value steps(rapidjson::kArrayType);
  for (const StepResult& s : r.steps) {
    rapidjson::Value step(rapidjson::kObjectType);
    step.AddMember("name", json::string(s.name, a), a);
    if (!s.url.empty())
      step.AddMember("url", json::string(s.url, a), a);
    if (s.httpStatus != 0)
      step.AddMember("http_status", s.httpStatus, a);
    rapidjson::Value t(rapidjson::kObjectType);
    addTiming(t, "dns_ms", s.timings.dnsMs, a);
    addTiming(t, "connect_ms", s.timings.connectMs, a);
    addTiming(t, "tls_ms", s.timings.tlsMs, a);
    addTiming(t, "first_byte_ms", s.timings.firstByteMs, a);
    addTiming(t, "total_ms", s.timings.totalMs, a);
    if (t.MemberCount() > 0)
      step.AddMember("timings", t, a);
    step.AddMember("status", rapidjson::StringRef(toString(s.status)), a);
    if (!s.failure.empty())
      step.AddMember("failure", json::string(s.failure, a), a);
    steps.PushBack(step, a);
  }
  o.AddMember("steps", steps, a);
  rapidjson::Value values(rapidjson::kObjectType);
  for (const auto& [name, v] : r.values) {
    values.AddMember(json::string(name, a), rapidjson::Value(v), a);
  }
  o.AddMember("values", values, a);
  return o;
}

}  // namespace huitong::monitor
