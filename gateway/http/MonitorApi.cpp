#include "gateway/http/MonitorApi.h"

#include <cstdio>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "gateway/core/Adapter.h"
#include "gateway/core/Json.h"
#include "gateway/http/RequestParts.h"

namespace huitong::http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using namespace monitor::schedule;

constexpr std::int64_t kMaxRawSpanMillis = 8LL * 86400000;
constexpr std::int64_t kMaxHourSpanMillis = 400LL * 86400000;

void send(HTTPServerResponse& res, int status, const std::string& body, const std::string& type) {
  res.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
  res.setContentType(type);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

void sendProblem(HTTPServerResponse& res, int status, const std::string& type,
                 const std::string& title, const std::string& detail) {
  const auto a = adapter::problem(status, type, title, detail);
  send(res, a.status, a.body, a.contentType);
}

void sendJson(HTTPServerResponse& res, int status, const rapidjson::Value& v) {
  send(res, status, json::write(v), "application/json");
}

rapidjson::Value str(const std::string& s, rapidjson::Document::AllocatorType& a) {
  return json::string(s, a);
}

rapidjson::Value when(EpochMillis t, rapidjson::Document::AllocatorType& a) {
  return t == 0 ? rapidjson::Value() : json::string(formatRfc3339(t), a);
}

rapidjson::Value figureJson(const AvailabilityFigure& f, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("period", str(f.period, a), a);
  o.AddMember("scheduled", f.scheduled, a);
  o.AddMember("runs", f.runs, a);
  o.AddMember("ok_runs", f.okRuns, a);
  o.AddMember("availability", f.ratio ? rapidjson::Value(*f.ratio) : rapidjson::Value(), a);
  return o;
}

// "from"/"to" query parameters as RFC 3339 (absent: the fallback); false after answering 400.
bool instantParam(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& name,
                  EpochMillis fallback, EpochMillis& out) {
  const std::string text = queryParam(req, name);
  if (text.empty()) {
    out = fallback;
    return true;
  }
  if (parseRfc3339(text, out))
    return true;
  sendProblem(res, 400, "bad-parameter", "Bad parameter",
              name + " must be an RFC 3339 date-time such as 2026-03-02T10:00:00+08:00");
  return false;
}

}  // namespace

bool MonitorApi::handles(const std::vector<std::string>& parts) {
  return parts.size() >= 4 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "monitor";
}

void MonitorApi::handle(HTTPServerRequest& req, HTTPServerResponse& res,
                        const std::vector<std::string>& parts, const std::string& body,
                        const StaffActor& staffActor, const Permitted& permitted) {
  const std::string& method = req.getMethod();
  const bool declaring = (parts.size() == 4 && (parts[3] == "events" || parts[3] == "silences"));
  const std::string allow = declaring ? "GET, POST" : "GET";
  if (method != "GET" && !(declaring && method == "POST")) {
    res.set("Allow", allow);
    return sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use " + allow);
  }
  auto actor = staffActor();
  if (!actor)
    return;
  using registry::Role;
  if (permitted) {
    if (!permitted(*actor, method == "POST"))
      return;
  } else if (actor->role == Role::kDepartment ||
             (method == "POST" && actor->role == Role::kAuditor)) {
    return sendProblem(res, 403, "forbidden", "Forbidden",
                       std::string("the ") + registry::toString(actor->role) + " role may not " +
                           method + " " + req.getURI().substr(0, req.getURI().find('?')));
  }
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  const EpochMillis now = service_.clock().now();

  if (parts.size() == 4 && parts[3] == "checks") {
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& s : service_.scheduler().snapshot()) {
      rapidjson::Value o(rapidjson::kObjectType);
      o.AddMember("id", str(s.id, a), a);
      o.AddMember("kind", str(s.kind, a), a);
      o.AddMember("schedule", str(s.cadence.schedule, a), a);
      o.AddMember("interval_s", s.cadence.intervalSeconds, a);
      o.AddMember("intensified_interval_s", s.cadence.intensifiedIntervalSeconds, a);
      o.AddMember("timeout_ms", s.cadence.timeoutMs, a);
      o.AddMember("next_run", when(s.nextDue, a), a);
      o.AddMember("next_intensified", s.nextIntensified, a);
      o.AddMember("running", s.running, a);
      o.AddMember("runs", static_cast<std::uint64_t>(s.runs), a);
      o.AddMember("skipped_slots", static_cast<std::uint64_t>(s.skippedSlots), a);
      o.AddMember("last_lateness_ms", s.lastLatenessMs, a);
      o.AddMember("last", s.last ? monitor::toJson(*s.last, a) : rapidjson::Value(), a);
      list.PushBack(o, a);
    }
    d.AddMember("checks", list, a);
    rapidjson::Value events(rapidjson::kArrayType);
    bool intensified = false;
    for (const auto& e : service_.events()) {
      rapidjson::Value o(rapidjson::kObjectType);
      o.AddMember("name", str(e.name, a), a);
      o.AddMember("from", when(e.from, a), a);
      o.AddMember("to", when(e.to, a), a);
      events.PushBack(o, a);
      intensified = intensified || (now >= e.from && now < e.to);
    }
    d.AddMember("intensified", intensified, a);
    d.AddMember("major_events", events, a);
    return sendJson(res, 200, d);
  }

  if (parts.size() == 6 && parts[3] == "checks" &&
      (parts[5] == "results" || parts[5] == "availability")) {
    const std::string& id = parts[4];
    const monitor::Cadence* cadence = service_.cadenceOf(id);
    if (cadence == nullptr)
      return sendProblem(res, 404, "unknown-check", "Unknown check",
                         "no check " + id.substr(0, 100));
    if (parts[5] == "availability") {
      const std::string month = queryParam(req, "month", formatDate(chinaDay(now)).substr(0, 7));
      int y = 0;
      unsigned m = 0;
      if (month.size() != 7 || std::sscanf(month.c_str(), "%4d-%2u", &y, &m) != 2 || m < 1 ||
          m > 12)
        return sendProblem(res, 400, "bad-parameter", "Bad parameter",
                           "month must be YYYY-MM such as 2026-03");
      auto f = monthAvailability(service_.store(), id, *cadence, service_.calendar(), y, m, now);
      if (!f.ok())
        return sendProblem(res, 503, "unavailable", "Temporarily unavailable", f.error().message);
      d.AddMember("check", str(id, a), a);
      d.AddMember("month", figureJson(f.value().month, a), a);
      rapidjson::Value days(rapidjson::kArrayType);
      for (const auto& day : f.value().days)
        days.PushBack(figureJson(day, a), a);
      d.AddMember("days", days, a);
      return sendJson(res, 200, d);
    }
    const std::string step = queryParam(req, "step", "raw");
    if (step != "raw" && step != "hour")
      return sendProblem(res, 400, "bad-parameter", "Bad parameter", "step must be raw or hour");
    EpochMillis to = 0, from = 0;
    if (!instantParam(req, res, "to", now, to) ||
        !instantParam(req, res, "from", to - (step == "raw" ? 3600000 : 86400000), from))
      return;
    if (to <= from)
      return sendProblem(res, 400, "bad-parameter", "Bad parameter", "from must be before to");
    if (to - from > (step == "raw" ? kMaxRawSpanMillis : kMaxHourSpanMillis))
      return sendProblem(res, 400, "bad-parameter", "Bad parameter",
                         step == "raw" ? "a raw query spans at most 8 days (use step=hour)"
                                       : "an hourly query spans at most 400 days");
    d.AddMember("check", str(id, a), a);
    d.AddMember("step", str(step, a), a);
    d.AddMember("from", when(from, a), a);
    d.AddMember("to", when(to, a), a);
    rapidjson::Value points(rapidjson::kArrayType);
    if (step == "raw") {
      auto rows = service_.store().results(id, from, to, kMaxResultPage);
      if (!rows.ok())
        return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                           rows.error().message);
      for (const auto& r : rows.value()) {
        rapidjson::Value o(rapidjson::kObjectType);
        o.AddMember("at", when(r.startedAt, a), a);
        o.AddMember("status", str(r.status, a), a);
        o.AddMember("duration_ms", r.durationMs, a);
        o.AddMember("lateness_ms", r.latenessMs, a);
        o.AddMember("intensified", r.intensified, a);
        o.AddMember("message", str(r.message, a), a);
        rapidjson::Value values(rapidjson::kObjectType);
        for (const auto& [k, v] : r.values)
          values.AddMember(str(k, a), rapidjson::Value(v), a);
        o.AddMember("values", values, a);
        points.PushBack(o, a);
      }
      d.AddMember("truncated", rows.value().size() >= static_cast<std::size_t>(kMaxResultPage), a);
    } else {
      auto rows = service_.store().rollups(id, from, to);
      if (!rows.ok())
        return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                           rows.error().message);
      for (const auto& r : rows.value()) {
        rapidjson::Value o(rapidjson::kObjectType);
        o.AddMember("at", when(r.hour, a), a);
        o.AddMember("runs", r.runs, a);
        o.AddMember("ok_runs", r.okRuns, a);
        o.AddMember("min_ms", r.minMs, a);
        o.AddMember("avg_ms", r.avgMs, a);
        o.AddMember("max_ms", r.maxMs, a);
        o.AddMember("p95_ms", r.p95Ms, a);
        rapidjson::Value values(rapidjson::kObjectType);
        for (const auto& [k, v] : r.values) {
          rapidjson::Value s(rapidjson::kObjectType);
          s.AddMember("avg", v.avg, a);
          s.AddMember("max", v.max, a);
          values.AddMember(str(k, a), s, a);
        }
        o.AddMember("values", values, a);
        points.PushBack(o, a);
      }
    }
    d.AddMember("points", points, a);
    return sendJson(res, 200, d);
  }

  if (parts.size() == 4 && parts[3] == "alerts") {
    const std::string state = queryParam(req, "state");
    if (!state.empty() && state != "firing" && state != "resolved")
      return sendProblem(res, 400, "bad-parameter", "Bad parameter",
                         "state must be firing or resolved");
    auto rows = service_.store().alerts(state, 200);
    if (!rows.ok())
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable", rows.error().message);
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& al : rows.value()) {
      rapidjson::Value o(rapidjson::kObjectType);
      o.AddMember("id", al.id, a);
      o.AddMember("rule", str(al.rule, a), a);
      o.AddMember("key", str(al.key, a), a);
      o.AddMember("source", str(al.source, a), a);
      o.AddMember("state", str(al.state, a), a);
      o.AddMember("opened_at", when(al.openedAt, a), a);
      o.AddMember("resolved_at", when(al.resolvedAt, a), a);
      o.AddMember("summary", str(al.summary, a), a);
      o.AddMember("silenced", al.silenced, a);
      rapidjson::Value deliveries(rapidjson::kArrayType);
      auto ds = service_.store().deliveries(al.id);
      if (ds.ok()) {
        for (const auto& x : ds.value()) {
          rapidjson::Value dv(rapidjson::kObjectType);
          dv.AddMember("channel", str(x.channel, a), a);
          dv.AddMember("event", str(x.event, a), a);
          dv.AddMember("at", when(x.at, a), a);
          dv.AddMember("attempts", x.attempts, a);
          dv.AddMember("outcome", str(x.outcome, a), a);
          dv.AddMember("detail", str(x.detail, a), a);
          deliveries.PushBack(dv, a);
        }
      }
      o.AddMember("deliveries", deliveries, a);
      list.PushBack(o, a);
    }
    d.AddMember("alerts", list, a);
    return sendJson(res, 200, d);
  }

  if (declaring) {
    const std::string kind = parts[3] == "events" ? "event" : "silence";
    if (method == "GET") {
      auto rows = service_.store().windows(now);
      if (!rows.ok())
        return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                           rows.error().message);
      rapidjson::Value list(rapidjson::kArrayType);
      for (const auto& w : rows.value()) {
        if (w.kind != kind)
          continue;
        rapidjson::Value o(rapidjson::kObjectType);
        o.AddMember("id", w.id, a);
        o.AddMember("name", str(w.name, a), a);
        o.AddMember("matcher", str(w.matcher, a), a);
        o.AddMember("from", when(w.from, a), a);
        o.AddMember("to", when(w.to, a), a);
        o.AddMember("created_by", str(w.createdBy, a), a);
        list.PushBack(o, a);
      }
      d.AddMember(rapidjson::StringRef(parts[3] == "events" ? "events" : "silences"), list, a);
      return sendJson(res, 200, d);
    }
    auto in = json::parse(body);
    if (!in.ok() || !in.value().IsObject())
      return sendProblem(res, 400, "bad-request", "Bad request",
                         "the body must be a JSON object {\"name\", \"from\", \"to\"" +
                             std::string(kind == "silence" ? ", \"check\" or \"rule\"}" : "}"));
    const auto& v = in.value();
    auto field = [&](const char* name) -> std::string {
      return v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
    };
    DeclaredWindow w;
    w.kind = kind;
    w.name = field("name");
    if (w.name.empty() || w.name.size() > 200)
      return sendProblem(res, 422, "invalid", "Invalid field", "name: 1..200 characters");
    if (!parseRfc3339(field("from"), w.from))
      return sendProblem(res, 422, "invalid", "Invalid field",
                         "from: an RFC 3339 date-time such as 2026-06-05T20:00:00+08:00");
    if (!parseRfc3339(field("to"), w.to))
      return sendProblem(res, 422, "invalid", "Invalid field",
                         "to: an RFC 3339 date-time such as 2026-06-05T22:00:00+08:00");
    if (w.to <= w.from)
      return sendProblem(res, 422, "invalid", "Invalid field", "to: must be after from");
    if (w.to <= now)
      return sendProblem(res, 422, "invalid", "Invalid field", "to: the window has already ended");
    if (kind == "silence") {
      if (!field("check").empty() && !field("rule").empty())
        return sendProblem(res, 422, "invalid", "Invalid field",
                           "check, rule: name either a check or a rule, not both");
      if (!field("check").empty())
        w.matcher = "check=" + field("check");
      else if (!field("rule").empty())
        w.matcher = "rule=" + field("rule");
    }
    w.createdBy = actor->name;
    w.createdAt = now;
    auto id = service_.declare(w);
    if (!id.ok())
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable", id.error().message);
    d.AddMember("id", id.value(), a);
    d.AddMember("kind", str(kind, a), a);
    d.AddMember("name", str(w.name, a), a);
    d.AddMember("matcher", str(w.matcher, a), a);
    d.AddMember("from", when(w.from, a), a);
    d.AddMember("to", when(w.to, a), a);
    d.AddMember("created_by", str(w.createdBy, a), a);
    return sendJson(res, 201, d);
  }
  sendProblem(res, 404, "not-found", "Not found",
              "use /ops/v1/monitor/checks[/{id}/results|/{id}/availability], /alerts, /events, "
              "/silences");
}

}  // namespace huitong::http
