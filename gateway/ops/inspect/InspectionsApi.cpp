#include "gateway/ops/inspect/InspectionsApi.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "gateway/core/Json.h"
#include "gateway/ops/OpsReplies.h"

namespace huitong::ops::inspect {

namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void storeProblem(HTTPServerResponse& res, const Error& e) {
  if (e.code == "inspection.not_found")
    return sendProblem(res, 404, "not-found", "Not found", e.message);
  if (e.code == "inspection.running")
    return sendProblem(res, 409, "conflict", "An inspection is running", e.message);
  if (e.code == "inspection.signed_off" || e.code == "inspection.not_finished")
    return sendProblem(res, 409, "conflict", "Cannot sign off", e.message);
  sendProblem(res, 503, "unavailable", "Temporarily unavailable", e.describe());
}

bool runId(const std::string& text, std::int64_t& id) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  id = std::stoll(text);
  return id > 0;
}

StaffMember staff(const registry::Actor& a) {
  return {a.name, registry::toString(a.role)};
}

}  // namespace

bool InspectionsApi::handles(const std::vector<std::string>& parts) const {
  return parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "inspections";
}

void InspectionsApi::handle(HTTPServerRequest& req, HTTPServerResponse& res,
                            const std::vector<std::string>& parts, const std::string& body,
                            const registry::Actor& actor, const Permitted& permitted) {
  const std::string& method = req.getMethod();
  auto allow = [&](const std::string& methods) {
    res.set("Allow", methods);
    sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use " + methods);
  };
  if (parts.size() == 3) {
    if (method == "GET") {
      if (!permitted(actor, Access::kRead))
        return;
      EpochMillis from = 0, to = 0;
      if (!instantParam(req, res, "from", from) || !instantParam(req, res, "to", to))
        return;
      int limit = 100;
      const std::string l = queryParam(req, "limit");
      if (!l.empty()) {
        if (l.size() > 4 || l.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(l) < 1 || std::stoi(l) > 1000)
          return sendProblem(res, 400, "bad-parameter", "Bad parameter", "limit: 1..1000");
        limit = std::stoi(l);
      }
      auto runs = service_.list(from, to, limit);
      if (!runs)
        return storeProblem(res, runs.error());
      std::string out = "{\"runs\":[";
      for (std::size_t i = 0; i < runs.value().size(); ++i)
        out += (i ? "," : "") + runJson(runs.value()[i]);
      out += "]}";
      return sendBody(res, 200, out, "application/json");
    }
    if (method == "POST") {
      if (!permitted(actor, Access::kAct))
        return;
      auto run = service_.run(Trigger::kManual, staff(actor));
      if (!run)
        return storeProblem(res, run.error());
      auto report = service_.report(run.value().id);
      if (!report)
        return storeProblem(res, report.error());
      res.set("Location", "/ops/v1/inspections/" + std::to_string(run.value().id));
      return sendBody(res, 201, reportJson(report.value()), "application/json");
    }
    return allow("GET, POST");
  }
  std::int64_t id = 0;
  if (!runId(parts[3], id))
    return sendProblem(res, 404, "not-found", "Not found",
                       "no inspection run '" + parts[3].substr(0, 40) + "' (ids are 1, 2, ...)");
  if (parts.size() == 4) {
    if (method != "GET")
      return allow("GET");
    if (!permitted(actor, Access::kRead))
      return;
    std::string format = queryParam(req, "format");
    if (format.empty()) {
      const std::string accept = req.get("Accept", "");
      format = accept.find("text/html") != std::string::npos       ? "html"
               : accept.find("text/markdown") != std::string::npos ? "md"
                                                                   : "json";
    }
    if (format != "json" && format != "html" && format != "md")
      return sendProblem(res, 400, "bad-parameter", "Bad parameter", "format: json, html or md");
    auto report = service_.report(id);
    if (!report)
      return storeProblem(res, report.error());
    if (format == "html")
      return sendBody(res, 200, renderHtml(report.value()), "text/html; charset=utf-8");
    if (format == "md")
      return sendBody(res, 200, renderMarkdown(report.value()), "text/markdown; charset=utf-8");
    return sendBody(res, 200, reportJson(report.value()), "application/json");
  }
  if (parts.size() == 5 && parts[4] == "sign-off") {
    if (method != "POST")
      return allow("POST");
    if (!permitted(actor, Access::kAct))
      return;
    std::string note;
    if (!body.empty()) {
      auto doc = json::parse(body);
      if (!doc || !doc.value().IsObject())
        return sendProblem(res, 400, "bad-request", "Bad request",
                           "the body is a JSON object {\"note\": \"...\"}");
      for (const auto& m : doc.value().GetObject()) {
        if (std::string(m.name.GetString()) != "note")
          return sendProblem(
              res, 422, "invalid", "Invalid field",
              std::string(m.name.GetString()).substr(0, 40) + ": unknown field (only note)");
      }
      auto n = doc.value().FindMember("note");
      if (n != doc.value().MemberEnd()) {
        if (!n->value.IsString() || n->value.GetStringLength() > 2000)
          return sendProblem(res, 422, "invalid", "Invalid field", "note: text, 0..2000 bytes");
        note = n->value.GetString();
      }
    }
    auto signedRun = service_.signOff(id, staff(actor), note);
    if (!signedRun)
      return storeProblem(res, signedRun.error());
    return sendBody(res, 200, runJson(signedRun.value()), "application/json");
  }
  sendProblem(res, 404, "not-found", "Not found",
              "use /ops/v1/inspections, /ops/v1/inspections/{id} or "
              "/ops/v1/inspections/{id}/sign-off");
}

}  // namespace huitong::ops::inspect
