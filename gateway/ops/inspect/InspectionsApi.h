// /ops/v1/inspections (docs/openapi.yaml, docs/operations.md "Inspections"):
//   GET  /ops/v1/inspections[?from=&to=&limit=]  runs, newest last (admin, operator, auditor)
//   GET  /ops/v1/inspections/{id}[?format=html|md] the report: JSON, or HTML/Markdown by
//        ?format= or Accept (admin, operator, auditor)
//   POST /ops/v1/inspections                      run now (admin, operator; audited)
//   POST /ops/v1/inspections/{id}/sign-off        {"note": "..."} (admin, operator; audited)
// A run takes as long as its checks (each bounded by check_timeout_seconds).
#pragma once

#include "gateway/http/OpsArea.h"
#include "gateway/ops/inspect/InspectionService.h"

namespace huitong::ops::inspect {

class InspectionsApi final : public http::OpsArea {
 public:
  explicit InspectionsApi(InspectionService& service) : service_(service) {}
  bool handles(const std::vector<std::string>& parts) const override;
  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::vector<std::string>& parts, const std::string& body,
              const registry::Actor& actor, const Permitted& permitted) override;

 private:
  InspectionService& service_;
};

}  // namespace huitong::ops::inspect
