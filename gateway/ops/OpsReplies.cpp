#include "gateway/ops/OpsReplies.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "gateway/core/Adapter.h"

namespace huitong::ops {

void sendBody(Poco::Net::HTTPServerResponse& res, int status, const std::string& body,
              const std::string& contentType) {
  res.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  res.setContentType(contentType);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

void sendProblem(Poco::Net::HTTPServerResponse& res, int status, const std::string& type,
                 const std::string& title, const std::string& detail) {
  const auto a = adapter::problem(status, type, title, detail);
  sendBody(res, a.status, a.body, a.contentType);
}

std::string queryParam(const Poco::Net::HTTPServerRequest& req, const std::string& name) {
  try {
    for (const auto& [k, v] : Poco::URI(req.getURI()).getQueryParameters()) {
      if (k == name)
        return v;
    }
  } catch (const Poco::Exception&) {  // a target that is not a URI has no parameters
  }
  return "";
}

bool instantParam(const Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                  const std::string& name, EpochMillis& out, bool* given) {
  const std::string v = queryParam(req, name);
  if (given != nullptr)
    *given = !v.empty();
  if (v.empty())
    return true;
  if (!parseRfc3339(v, out)) {
    sendProblem(res, 400, "bad-parameter", "Bad parameter",
                name + ": an RFC 3339 date-time such as 2026-11-30T09:00:00+08:00");
    return false;
  }
  return true;
}

}  // namespace huitong::ops
