#include "gateway/ops/backup/BackupsApi.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "gateway/core/Adapter.h"

namespace huitong::ops::backup {

namespace {

using Poco::Net::HTTPResponse;

void send(Poco::Net::HTTPServerResponse& res, int status, const std::string& body,
          const std::string& type) {
  res.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
  res.setContentType(type);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

void sendProblem(Poco::Net::HTTPServerResponse& res, int status, const std::string& type,
                 const std::string& title, const std::string& detail) {
  const auto a = adapter::problem(status, type, title, detail);
  send(res, a.status, a.body, a.contentType);
}

std::string param(const Poco::Net::HTTPServerRequest& req, const std::string& name) {
  try {
    for (const auto& [k, v] : Poco::URI(req.getURI()).getQueryParameters()) {
      if (k == name)
        return v;
    }
  } catch (const Poco::Exception&) {
  }
  return "";
}

}  // namespace

bool BackupsApi::handles(const std::vector<std::string>& parts) const {
  return parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "backups";
}

void BackupsApi::handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                        const std::vector<std::string>& parts, const std::string&,
                        const registry::Actor& actor, const Permitted& permitted) {
  if (parts.size() != 3)
    return sendProblem(res, 404, "not-found", "Not found", "no such resource");
  const std::string& method = req.getMethod();
  if (method == "GET") {
    if (!permitted(actor, Access::kRead))
      return;
    EpochMillis bounds[2] = {0, 0};
    const char* names[2] = {"from", "to"};
    for (int i = 0; i < 2; ++i) {
      const std::string v = param(req, names[i]);
      if (!v.empty() && !parseRfc3339(v, bounds[i])) {
        return sendProblem(
            res, 400, "bad-parameter", "Bad parameter",
            std::string(names[i]) + ": an RFC 3339 date-time such as 2026-11-30T09:00:00+08:00");
      }
    }
    auto records = backups_.ledger().list(bounds[0], bounds[1]);
    if (!records.ok())
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         records.error().describe());
    std::string out = "{\"records\":[";
    for (std::size_t i = 0; i < records.value().size(); ++i)
      out += (i ? "," : "") + backupRecordJson(records.value()[i]);
    out += "]}";
    return send(res, 200, out, "application/json");
  }
  if (method == "POST") {
    if (!permitted(actor, Access::kAct))
      return;
    auto created = backups_.createNow({actor.name, registry::toString(actor.role)});
    if (!created.ok())
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         created.error().describe());
    if (!created.value().ok) {
      return sendProblem(res, 500, "backup-failed", "The backup failed",
                         created.value().id + ": " + created.value().message);
    }
    res.set("Location", "/ops/v1/backups");
    return send(res, 201, backupRecordJson(created.value()), "application/json");
  }
  res.set("Allow", "GET, POST");
  sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use GET, POST");
}

}  // namespace huitong::ops::backup
