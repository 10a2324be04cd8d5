// The platform-outage drill (应急演练, docs/operations.md): against a running gateway and the
// mock platform it records the starting figures, takes the platform away (the mock's
// outage_seconds fault), sends department messages through the gateway's intake during the
// outage (each must be accepted: store and forward), brings the platform back, waits for the
// backlog to drain and proves nothing was lost by finding every accepted event at the platform.
// Every wait has a deadline; a stop request (Ctrl-C) ends the waits early and the platform is
// restored whenever its outage was set. Runs on the calling thread.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/ops/drill/DrillLedger.h"
#include "gateway/ops/drill/DrillMessages.h"

namespace huitong::ops::drill {

struct DrillPlan {
  std::string gatewayUrl = "http://127.0.0.1:8600";
  std::string platformUrl = "http://127.0.0.1:8601";  // the mock platform (/control/v1)
  std::string opsToken;       // optional: the states of missing events (/ops/v1/messages)
  double outageSeconds = 30;  // 1..3600
  int messages = 20;          // 1..1000, sent within the first 80 % of the outage
  double drainTimeoutSeconds = 300;
  long requestTimeoutMillis = 10000;
  long pollMillis = 250;
};

// Figures of the gateway's /metrics (-1: not read).
struct GatewayFigures {
  double pending = -1;    // huitong_outbox_pending
  double dead = -1;       // huitong_outbox_dead
  double delivered = -1;  // huitong_delivered_events_total
};

struct MissingEvent {
  std::string eventId;
  std::string messageId;
  std::string caseNo;
  std::string gatewayState;  // from /ops/v1/messages with an ops token ("" when unknown)
  std::string reason;        // the gateway's last delivery error, when it said one
};

struct DrillResult {
  DrillRecord record;  // the summary, as recorded
  std::vector<DrillSend> sends;
  std::vector<MissingEvent> missing;
  GatewayFigures before, atRestore, after;
  bool platformDownConfirmed = false;  // the platform's health answered 503 during the outage
  bool platformRestored = false;       // the faults in force before the drill were put back
  std::vector<std::string> notes;
};

using Progress = std::function<void(const std::string& line)>;

DrillResult runPlatformOutageDrill(const DrillPlan& plan, const DepartmentSender& sender,
                                   const Clock& clock, const std::atomic<bool>& stop,
                                   const Progress& progress);

// The value of one series ("name" or "name{labels}") in a Prometheus text exposition.
std::optional<double> metricValue(const std::string& exposition, const std::string& series);

// The events of accepted sends that are not in `received`, in send order.
std::vector<MissingEvent> findMissing(const std::vector<DrillSend>& sends,
                                      const std::set<std::string>& received);

// The outcome from what happened: failed (a step could not be done, `failure` says which),
// interrupted, missing (an accepted event did not arrive), refused (a message was not
// accepted), passed.
std::string outcomeOf(bool interrupted, const std::string& failure, std::size_t missing,
                      std::size_t refused);

// For people (several lines) and for records (one JSON object: the record's members plus
// "messages", "missing", "gateway_figures", "platform_down_confirmed", "notes").
std::string renderText(const DrillResult& result);
std::string renderJson(const DrillResult& result);

}  // namespace huitong::ops::drill
