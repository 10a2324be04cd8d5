// One area of the operator API that lives outside gateway/http (the operations of
// gateway/ops: /ops/v1/inspections, ...): the server authenticates the staff member, then hands
// the request to the first area whose handles() is true. Access is asked per request: kRead —
// admin, operator, auditor; kAct — admin, operator (a department never sees ops data). An area
// answers every request it takes (problem+json on errors). Thread-safe implementations only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gateway/registry/Filing.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace huitong::http {

class OpsArea {
 public:
  enum class Access { kRead, kAct };
  // The server's check: true when allowed; otherwise it has answered 403 and audited
  // "access.refused".
  using Permitted = std::function<bool(const registry::Actor& actor, Access access)>;

  virtual ~OpsArea() = default;
  // Whether `parts` (the path's segments) belong to this area.
  virtual bool handles(const std::vector<std::string>& parts) const = 0;
  virtual void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                      const std::vector<std::string>& parts, const std::string& body,
                      const registry::Actor& actor, const Permitted& permitted) = 0;
};

}  // namespace huitong::http
