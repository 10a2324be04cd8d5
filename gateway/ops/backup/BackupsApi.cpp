#include "gateway/ops/backup/BackupsApi.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "gateway/ops/OpsReplies.h"

namespace huitong::ops::backup {

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
    EpochMillis from = 0, to = 0;
    if (!instantParam(req, res, "from", from) || !instantParam(req, res, "to", to))
      return;
    auto records = backups_.ledger().list(from, to);
    if (!records.ok())
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         records.error().describe());
    std::string out = "{\"records\":[";
    for (std::size_t i = 0; i < records.value().size(); ++i)
      out += (i ? "," : "") + backupRecordJson(records.value()[i]);
    out += "]}";
    return sendBody(res, 200, out, "application/json");
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
    return sendBody(res, 201, backupRecordJson(created.value()), "application/json");
  }
  res.set("Allow", "GET, POST");
  sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use GET, POST");
}

}  // namespace huitong::ops::backup
