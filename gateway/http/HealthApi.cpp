#include "gateway/http/HealthApi.h"

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

void sendText(HTTPServerResponse& res, int status, const std::string& body,
              const std::string& type) {
  res.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
  res.setContentType(type);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

void sendProblem(HTTPServerResponse& res, int status, const std::string& type,
                 const std::string& title, const std::string& detail) {
  const auto a = adapter::problem(status, type, title, detail);
  sendText(res, a.status, a.body, a.contentType);
}

constexpr const char* kJson = "application/json; charset=utf-8";

}  // namespace

health::OnlineItems onlineItemsOf(registry::RegistryStore& registry) {
  return [&registry]() -> Result<std::vector<health::OnlineItem>> {
    registry::FilingFilter filter;
    filter.state = registry::FilingState::kOnline;
    auto filings = registry.filings(filter);
    if (!filings.ok())
      return filings.error();
    std::vector<health::OnlineItem> items;
    for (const auto& f : filings.value())
      items.push_back(health::OnlineItem{f.system, f.itemCode, f.itemName});
    return items;
  };
}

health::SourceLookup sourceLookupOf(const AdapterRuntime& adapters) {
  return [&adapters](const std::string& system) -> std::optional<health::SourceFigures> {
    const AdapterRuntime::System* rt = adapters.find(system);
    if (rt == nullptr)
      return std::nullopt;
    health::SourceFigures f;
    f.adapter = rt->adapterName;
    f.push = rt->kind == adapter::AdapterKind::kPush;
    if (const auto st = adapters.sourceStatus(system)) {
      f.reported = true;
      f.reachable = st->reachable;
      f.detail = st->detail;
      f.facts = st->facts;
      f.reportedAt = st->at;
    }
    f.lastRequestAt = adapters.lastRequestAt(system);
    return f;
  };
}

bool HealthApi::handles(const std::vector<std::string>& parts) {
  return parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "health";
}

void HealthApi::handle(HTTPServerRequest& req, HTTPServerResponse& res,
                       const std::vector<std::string>& parts, const registry::Actor& actor,
                       const Permit& permit) {
  if (parts.size() != 3 && parts.size() != 5) {
    return sendProblem(res, 404, "not-found", "Not found",
                       "use /ops/v1/health or /ops/v1/health/SYSTEM/ITEM");
  }
  if (req.getMethod() != "GET") {
    res.set("Allow", "GET");
    return sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use GET");
  }
  if (parts.size() == 5) {
    const std::string& system = parts[3];
    const std::string& item = parts[4];
    if (!permit(system))
      return;
    auto snapshot = health_.latest();
    if (!snapshot) {
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         "item health could not be computed: the store did not answer");
    }
    for (const auto& h : snapshot->items) {
      if (h.system == system && h.item == item)
        return sendText(res, 200, health::toJson(h, true), kJson);
    }
    return sendProblem(res, 404, "not-found", "Not found",
                       "item " + item.substr(0, 128) + " of system " + system.substr(0, 128) +
                           " is not online: health is kept for online items only");
  }
  std::string system = queryParam(req, "system");
  // A department sees its own system whether or not it names it.
  if (actor.role == registry::Role::kDepartment && system.empty())
    system = actor.system;
  const std::string status = queryParam(req, "status");
  if (!status.empty() && status != "green" && status != "yellow" && status != "red") {
    return sendProblem(res, 400, "invalid-parameter", "Invalid parameter",
                       "status must be green, yellow or red (query parameter status)");
  }
  if (!permit(system.empty() ? "*" : system))
    return;
  auto snapshot = health_.latest();
  if (!snapshot) {
    return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                       "item health could not be computed: the store did not answer");
  }
  std::vector<health::ItemHealth> chosen;
  for (const auto& h : snapshot->items) {
    if ((system.empty() || h.system == system) &&
        (status.empty() || health::toString(h.status) == status))
      chosen.push_back(h);
  }
  auto doc = json::parse(health::toJson(chosen, snapshot->computedAt));
  if (!doc.ok())
    return sendText(res, 200, health::toJson(chosen, snapshot->computedAt), kJson);
  auto& a = doc.value().GetAllocator();
  doc.value().AddMember("refresh_s", health_.rules().refreshMillis() / 1000, a);
  if (!snapshot->lastError.empty())
    doc.value().AddMember("last_error", json::string(snapshot->lastError, a), a);
  sendText(res, 200, json::write(doc.value()), kJson);
}

}  // namespace huitong::http
