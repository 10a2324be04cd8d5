// The configuration checks over HTTP (an http::OpsArea): GET /ops/v1/config/check
// (the drift report with findings, as `huitong config check --json`), GET /ops/v1/changes
// (records, newest first, or from/to), POST /ops/v1/changes {"note", "kind"} (approve the
// current drift; audited config.change.approve). Thread-safe: one store connection behind a
// mutex. The config, trail and clock outlive it.
#pragma once

#include <memory>
#include <mutex>

#include "gateway/core/Clock.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/http/OpsArea.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::ops::baseline {

class ConfigChangesApi final : public http::OpsArea {
 public:
  ConfigChangesApi(const http::GatewayConfig& config,
                   std::unique_ptr<storage::StatementDatabase> db, registry::RegistryStore& trail,
                   const Clock& clock)
      : config_(config), db_(std::move(db)), trail_(trail), clock_(clock) {}

  // /ops/v1/config/check and /ops/v1/changes.
  bool handles(const std::vector<std::string>& parts) const override;
  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::vector<std::string>& parts, const std::string& body,
              const registry::Actor& actor, const Permitted& permitted) override;

 private:
  const http::GatewayConfig& config_;
  std::mutex mutex_;
  std::unique_ptr<storage::StatementDatabase> db_;
  registry::RegistryStore& trail_;
  const Clock& clock_;
};

}  // namespace huitong::ops::baseline
