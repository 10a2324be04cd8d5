// /ops/v1/backups (docs/openapi.yaml): GET the backup records (auditors and operators read;
// ?from=&to= RFC 3339), POST a backup now (operators act; 201 with the record, its restore test
// run when backup.verify is true). A department never sees it (OpsArea access).
#pragma once

#include "gateway/http/OpsArea.h"
#include "gateway/ops/backup/ScheduledBackup.h"

namespace huitong::ops::backup {

class BackupsApi final : public http::OpsArea {
 public:
  explicit BackupsApi(ScheduledBackup& backups) : backups_(backups) {}
  bool handles(const std::vector<std::string>& parts) const override;
  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::vector<std::string>& parts, const std::string& body,
              const registry::Actor& actor, const Permitted& permitted) override;

 private:
  ScheduledBackup& backups_;
};

}  // namespace huitong::ops::backup
