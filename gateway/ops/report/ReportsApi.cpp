#include "gateway/ops/report/ReportsApi.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "gateway/core/Json.h"
#include "gateway/ops/OpsReplies.h"

namespace huitong::ops::report {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

}  // namespace

bool ReportsApi::handles(const std::vector<std::string>& parts) const {
  return parts.size() >= 4 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "reports" &&
         parts[3] == "monthly";
}

void ReportsApi::handle(HTTPServerRequest& req, HTTPServerResponse& res,
                        const std::vector<std::string>& parts, const std::string& /*body*/,
                        const registry::Actor& actor, const Permitted& permitted) {
  if (parts.size() > 5)
    return sendProblem(res, 404, "not-found", "Not found", "no such report resource");
  if (req.getMethod() != "GET") {
    res.set("Allow", "GET");
    return sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use GET");
  }
  if (!permitted(actor, Access::kRead))
    return;
  if (parts.size() == 4) {
    auto list = archive_.list();
    if (!list.ok())
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         list.error().describe());
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    rapidjson::Value reports(rapidjson::kArrayType);
    for (const auto& r : list.value()) {
      rapidjson::Value o(rapidjson::kObjectType);
      o.AddMember("month", json::string(r.month, a), a);
      rapidjson::Value formats(rapidjson::kArrayType);
      if (r.htmlBytes)
        formats.PushBack(json::string("html", a), a);
      if (r.markdownBytes)
        formats.PushBack(json::string("md", a), a);
      o.AddMember("formats", formats, a);
      o.AddMember("html_bytes",
                  r.htmlBytes ? rapidjson::Value(static_cast<std::uint64_t>(*r.htmlBytes))
                              : rapidjson::Value(),
                  a);
      o.AddMember("markdown_bytes",
                  r.markdownBytes ? rapidjson::Value(static_cast<std::uint64_t>(*r.markdownBytes))
                                  : rapidjson::Value(),
                  a);
      o.AddMember("written_at",
                  r.writtenAt ? json::string(formatRfc3339(r.writtenAt), a) : rapidjson::Value(),
                  a);
      o.AddMember("href", json::string("/ops/v1/reports/monthly/" + r.month, a), a);
      reports.PushBack(o, a);
    }
    d.AddMember("reports", reports, a);
    return sendBody(res, 200, json::write(d), "application/json");
  }
  const std::string& month = parts[4];
  if (!parseMonth(month))
    return sendProblem(res, 400, "bad-parameter", "Bad parameter",
                       "month: YYYY-MM such as 2026-11, not '" + month + "'");
  std::string format = queryParam(req, "format");
  if (format.empty())
    format = "html";
  if (format == "markdown")
    format = "md";
  if (format != "html" && format != "md")
    return sendProblem(res, 400, "bad-parameter", "Bad parameter",
                       "format: html or md, not '" + format + "'");
  auto text = archive_.read(month, format);
  if (!text.ok())
    return sendProblem(res, 503, "unavailable", "Temporarily unavailable", text.error().describe());
  if (!text.value())
    return sendProblem(res, 404, "not-found", "Not found",
                       "no monthly report for " + month +
                           " (generated on the 1st of the next "
                           "month, or by `huitong report monthly`)");
  sendBody(res, 200, *text.value(),
           format == "html" ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8");
}

}  // namespace huitong::ops::report
