// Monitoring alerts become fault tickets: the FaultTicketHook the alert engine calls. An alert
// on a check opens the ticket of "check:ID" (channel alert), a red-health signal the ticket of
// "health:SYSTEM/ITEM" (channel health); while that ticket is open, further alerts on the same
// key (another rule, the problem firing again) are kAlert events on it, and a resolution is a
// kAlertResolved event (the ticket stays open for the maintainer to resolve). Thread-safe as
// the service is; failures are kept for inspection (never thrown into the alert engine).
#pragma once

#include <mutex>
#include <string>

#include "gateway/faults/TicketService.h"
#include "gateway/monitor/schedule/Alerts.h"

namespace huitong::faults {

// The dedup key of an alert's problem ("check:db-port", "health:minzheng/1244").
std::string problemKey(const monitor::schedule::AlertNotice& notice);

class AlertTickets final : public monitor::schedule::FaultTicketHook {
 public:
  explicit AlertTickets(TicketService& service) : service_(service) {}
  void alertOpened(const monitor::schedule::AlertNotice& notice) override;
  void alertResolved(const monitor::schedule::AlertNotice& notice) override;
  // The last failure ("" when none): a store that was away when an alert fired.
  std::string lastError() const;

 private:
  TicketService& service_;
  mutable std::mutex mu_;
  std::string lastError_;
};

}  // namespace huitong::faults
