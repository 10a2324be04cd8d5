// The department systems' adapters at run time: each system's adapter built from its config
// block by the registry's factory, with a Host that hands its messages to the intake, logs with
// the system's name and keeps the source's latest status for health views and metrics.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gateway/core/Adapter.h"
#include "gateway/exchange/DeliveryWorker.h"
#include "gateway/exchange/IntakeService.h"
#include "gateway/exchange/MappingSet.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/http/GatewayConfig.h"

namespace huitong::http {

// Turns the intake's answer into the adapter SDK's Submission.
adapter::Submission toSubmission(const exchange::IntakeAnswer& answer);

class AdapterRuntime {
 public:
  AdapterRuntime(const GatewayConfig& config, const adapter::AdapterRegistry& registry,
                 const exchange::MappingSet& mappings, exchange::IntakeService& intake,
                 exchange::DeliveryWorker& delivery, exchange::MetricsRegistry& metrics,
                 const Clock& clock);
  ~AdapterRuntime();

  // Builds every system's adapter; the first bad config block stops with its file:line.
  Result<void> create();
  // Starts the pull adapters (folder watchers, pollers).
  Result<void> start();
  // Stops and joins them.
  void stop();

  struct System {
    std::string id;
    std::string adapterName;
    adapter::AdapterKind kind = adapter::AdapterKind::kPush;
    adapter::Adapter* adapter = nullptr;
    std::string format;  // the input format it was built for (json, xml, csv, rows)
  };
  const System* find(const std::string& system) const;
  std::optional<adapter::SourceStatus> sourceStatus(const std::string& system) const;
  // A push system's authenticated request arrived now (item health: time since last request).
  void noteRequest(const std::string& system) const;
  // When the last one arrived (0: none since start, or not a push system).
  EpochMillis lastRequestAt(const std::string& system) const;

 private:
  class SystemHost;
  const GatewayConfig& config_;
  const adapter::AdapterRegistry& registry_;
  const exchange::MappingSet& mappings_;
  exchange::IntakeService& intake_;
  exchange::DeliveryWorker& delivery_;
  exchange::MetricsRegistry& metrics_;
  const Clock& clock_;
  std::map<std::string, System> systems_;
  std::map<std::string, std::unique_ptr<SystemHost>> hosts_;
  std::map<std::string, std::unique_ptr<adapter::Adapter>> adapters_;
  std::vector<std::string> started_;
  // Filled in create(), then only the atomics change.
  std::map<std::string, std::unique_ptr<std::atomic<EpochMillis>>> lastRequest_;
};

}  // namespace huitong::http
