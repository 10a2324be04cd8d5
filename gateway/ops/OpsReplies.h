// How the operator-API areas of gateway/ops (http::OpsArea: /ops/v1/inspections, backups,
// changes, reports/monthly) answer: a body with its type, application/problem+json, and the
// query parameters they read. One copy for every area.
#pragma once

#include <string>

#include "gateway/core/Clock.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace huitong::ops {

void sendBody(Poco::Net::HTTPServerResponse& res, int status, const std::string& body,
              const std::string& contentType);
// application/problem+json with the type, title and detail (adapter::problem).
void sendProblem(Poco::Net::HTTPServerResponse& res, int status, const std::string& type,
                 const std::string& title, const std::string& detail);
// The query parameter's decoded value; "" when absent (or the target cannot be parsed).
std::string queryParam(const Poco::Net::HTTPServerRequest& req, const std::string& name);
// An RFC 3339 query parameter into `out` (left alone when absent; `given` says which). False
// after answering 400 "bad-parameter" naming the parameter and the expected form.
bool instantParam(const Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                  const std::string& name, EpochMillis& out, bool* given = nullptr);

}  // namespace huitong::ops
