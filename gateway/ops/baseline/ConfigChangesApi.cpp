#include "gateway/ops/baseline/ConfigChangesApi.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "gateway/core/Json.h"
#include "gateway/ops/OpsReplies.h"
#include "gateway/ops/baseline/ConfigBaseline.h"

namespace huitong::ops::baseline {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void storeProblem(HTTPServerResponse& res, const Error& e) {
  sendProblem(res, 503, "store-unavailable", "Store unavailable", e.code + ": " + e.describe());
}

// An RFC 3339 query parameter ("" = absent); false after answering 400.
}  // namespace

bool ConfigChangesApi::handles(const std::vector<std::string>& parts) const {
  return (parts.size() == 4 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "config" &&
          parts[3] == "check") ||
         (parts.size() == 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "changes");
}

void ConfigChangesApi::handle(HTTPServerRequest& req, HTTPServerResponse& res,
                              const std::vector<std::string>& parts, const std::string& body,
                              const registry::Actor& actor, const Permitted& permitted) {
  const bool check = parts.size() == 4;
  const std::string& method = req.getMethod();
  const bool write = !check && method == "POST";
  if (method != "GET" && !write) {
    res.set("Allow", check ? "GET" : "GET, POST");
    return sendProblem(res, 405, "method-not-allowed", "Method not allowed",
                       method + " is not allowed here");
  }
  if (!permitted(actor, write ? Access::kAct : Access::kRead))
    return;  // answered 403, audited
  const EpochMillis now = clock_.now();
  std::lock_guard<std::mutex> lock(mutex_);
  if (check) {
    auto report = runConfigChecks(config_, *db_, now);
    if (!report.ok())
      return storeProblem(res, report.error());
    return sendBody(res, 200, reportJson(report.value()), "application/json");
  }
  if (!write) {
    EpochMillis from = 0, to = 0;
    bool hasFrom = false, hasTo = false;
    if (!instantParam(req, res, "from", from, &hasFrom) ||
        !instantParam(req, res, "to", to, &hasTo))
      return;
    ChangeLedger ledger(*db_);
    auto records = hasFrom || hasTo ? ledger.between(hasFrom ? from : 0, hasTo ? to : now + 1)
                                    : ledger.latest(100);
    if (!records.ok())
      return storeProblem(res, records.error());
    std::string out = "{\"changes\":[";
    for (std::size_t i = 0; i < records.value().size(); ++i)
      out += (i == 0 ? "" : ",") + changeJson(records.value()[i]);
    return sendBody(res, 200, out + "]}", "application/json");
  }
  auto doc = json::parse(body);
  if (!doc.ok() || !doc.value().IsObject())
    return sendProblem(res, 400, "changes.invalid", "Invalid body",
                       "a JSON object {\"note\": WHY, \"kind\": \"change\"|\"optimisation\"}" +
                           (doc.ok() ? std::string() : ": " + doc.error().message));
  const auto& d = doc.value();
  if (!d.HasMember("note") || !d["note"].IsString() || d["note"].GetStringLength() == 0)
    return sendProblem(res, 400, "changes.invalid", "Invalid body",
                       "note: required, a non-empty string saying why the change was made");
  std::string kind = "change";
  if (d.HasMember("kind")) {
    if (!d["kind"].IsString() || (std::string(d["kind"].GetString()) != "change" &&
                                  std::string(d["kind"].GetString()) != "optimisation"))
      return sendProblem(res, 400, "changes.invalid", "Invalid body",
                         "kind: \"change\" or \"optimisation\"");
    kind = d["kind"].GetString();
  }
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    const std::string name = it->name.GetString();
    if (name != "note" && name != "kind")
      return sendProblem(res, 400, "changes.invalid", "Invalid body",
                         name + ": unknown member (expected note, kind)");
  }
  auto approval = approveDrift(config_, *db_, actor.name, kind, d["note"].GetString(), now);
  if (!approval.ok()) {
    if (approval.error().code == "config.no_baseline")
      return sendProblem(res, 409, "changes.no-baseline", "No baseline", approval.error().message);
    return storeProblem(res, approval.error());
  }
  if (!approval.value().approved)
    return sendProblem(res, 409, "changes.no-drift", "Nothing to approve",
                       "the configuration matches the latest baseline");
  const auto& c = approval.value().record;
  auto entryJson = json::parse(changeJson(c));
  if (entryJson.ok() && entryJson.value().IsObject())
    entryJson.value().RemoveMember("diff");
  registry::AuditEntry e;
  e.at = now;
  e.actor = actor.name;
  e.role = registry::toString(actor.role);
  e.action = "config.change.approve";
  e.target = "config change #" + std::to_string(c.id) + " (" + config_.file + ")";
  e.before = "null";
  e.after = entryJson.ok() ? json::write(entryJson.value()) : "{}";
  if (auto a = trail_.appendAudit(e); !a.ok())
    return storeProblem(res, a.error());
  return sendBody(res, 201, changeJson(c), "application/json");
}

}  // namespace huitong::ops::baseline
