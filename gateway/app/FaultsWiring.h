// The fault module inside `huitong serve` (docs/faults.md): reads the `faults` block (rules,
// faults.sla), opens the ticket store on the gateway's store, builds the TicketService (audited
// on the registry's trail), turns monitoring alerts into tickets (AlertTickets on the alert
// engine's FaultTicketHook) and sends ticket notices through the monitor block's notify
// channels (logged when there are none). Without groups (no `faults` block, or one without
// `groups`) every ticket goes to one group "operators": the admin and operator accounts that
// exist when the gateway starts, 7x24, in round robin.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "gateway/app/MonitorWiring.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/AlertTickets.h"
#include "gateway/faults/FaultRules.h"
#include "gateway/faults/MailIntake.h"
#include "gateway/faults/MailTickets.h"
#include "gateway/faults/MajorReports.h"
#include "gateway/faults/NotificationQueue.h"
#include "gateway/faults/SlaWatcher.h"
#include "gateway/faults/TicketService.h"
#include "gateway/faults/TicketStore.h"
#include "gateway/health/HealthService.h"
#include "gateway/http/FaultsApi.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::app {

class FaultsWiring {
 public:
  // REQUIRES: `monitoring` (may be null) not started yet; everything passed outlives the result.
  // Config errors name file:line (exit 2 at start); a store that cannot open is "store.*".
  static Result<std::unique_ptr<FaultsWiring>> create(const std::optional<ConfigNode>& block,
                                                      const storage::StoreConfig& store,
                                                      registry::RegistryStore& trail,
                                                      MonitorWiring* monitoring,
                                                      const WorkCalendar& calendar,
                                                      const Clock& clock);
  ~FaultsWiring();

  http::FaultsApi& api() { return *api_; }
  faults::TicketService& service() { return *service_; }
  // Warnings and breaches of the SLA clocks once a minute: serve starts it after the server
  // and stops it before the store closes (docs/faults.md "SLA watcher").
  faults::SlaWatcher& slaWatcher() { return *watcher_; }
  // The fault mailboxes' polling (faults.mailboxes; nothing when none): started and stopped
  // with the SLA watcher.
  faults::MailIntake& mailIntake() { return *mailIntake_; }
  // Item health for the major-fault reports' evidence (the latest snapshot of the ticket's
  // system and the exchange store's figures over the incident window). REQUIRES: before the
  // server starts; both outlive the wiring.
  void useItemHealth(health::HealthService& health, storage::ExchangeStore& exchange);
  // Ticket notices go through a bounded queue with its own sender thread (started here):
  // requests never wait on a channel. serve stops it after the server, draining until
  // `deadline`; its counters are on /metrics (renderMetrics).
  void stopNotifications(std::chrono::milliseconds deadline = std::chrono::seconds(5));
  std::string renderMetrics() const;
  // Groups and their sizes, for the start log line ("operators(2)").
  std::string summary() const;

 private:
  FaultsWiring() = default;

  faults::FaultRules rules_;
  std::unique_ptr<faults::TicketStore> store_;
  std::unique_ptr<faults::TicketNotifier> notifier_;
  std::unique_ptr<faults::NotificationQueue> notices_;
  std::unique_ptr<faults::IncidentEvidenceSource> evidence_;
  std::unique_ptr<faults::TicketService> service_;
  std::unique_ptr<faults::AlertTickets> alertTickets_;
  std::unique_ptr<http::FaultsApi> api_;
  std::unique_ptr<faults::SlaWatcher> watcher_;
  std::unique_ptr<faults::MailTickets> mailTickets_;
  std::unique_ptr<faults::MailIntake> mailIntake_;
  MonitorWiring* monitoring_ = nullptr;
};

}  // namespace huitong::app
