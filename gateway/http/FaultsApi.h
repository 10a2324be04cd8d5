// Fault tickets over HTTP (docs/faults.md): /ops/v1/tickets — open a ticket (staff on any
// channel an operator enters: phone, fax with caller, number and time of the call, email, api;
// a department through the api channel for its own system), list and filter, one ticket with
// its history and its SLA clocks (faults.sla, evaluated now), and the actions :assign, :status,
// :comment, :escalate, PATCH for fields and the operator's classification override. Every error
// is problem+json naming the rule ("ticket.invalid") and the field. Thread-safe; the service,
// policy, calendar and clock outlive it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/TicketService.h"
#include "gateway/faults/sla/SlaPolicy.h"
#include "gateway/registry/Filing.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace huitong::http {

class FaultsApi {
 public:
  FaultsApi(faults::TicketService& tickets, sla::SlaPolicy policy, const WorkCalendar& calendar,
            const Clock& clock)
      : tickets_(tickets), policy_(std::move(policy)), calendar_(calendar), clock_(clock) {}

  // What a request needs: reading tickets (every role; a department its own system), reporting
  // (opening through the api channel, commenting: admin, operator; a department its own
  // system), managing (other channels, assign, status, escalate, edit: admin, operator).
  // kOpsRead: operations data (major-fault reports, follow-up tasks): admin, operator, auditor.
  enum class Access { kRead, kReport, kManage, kOpsRead };
  // The server's access check (GatewayServer's permitted()): true when `actor` may; otherwise
  // it has answered 403 and audited "access.refused".
  using Permitted =
      std::function<bool(const registry::Actor& actor, Access access, const std::string& system)>;

  // The largest request body an attachment upload may need (faults.attachments.max_bytes): the
  // server reads bodies of /ops/v1/tickets/ID/attachments up to this.
  std::size_t maxUploadBytes() const;
  // Whether `parts` (the path's segments) are /ops/v1/tickets[/...], /ops/v1/major-reports or
  // /ops/v1/follow-ups[/...].
  static bool handles(const std::vector<std::string>& parts);
  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::vector<std::string>& parts, const std::string& body,
              const registry::Actor& actor, const Permitted& permitted);

 private:
  void create(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::string& body, const registry::Actor& actor, const Permitted& permitted);
  void list(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
            const registry::Actor& actor, const Permitted& permitted);
  void show(Poco::Net::HTTPServerResponse& res, const faults::Ticket& ticket,
            const registry::Actor& actor, int status);
  void act(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
           const std::string& id, const std::string& action, const std::string& body,
           const registry::Actor& actor, const Permitted& permitted);

  void attachments(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                   const std::vector<std::string>& parts, const std::string& body,
                   const registry::Actor& actor, const Permitted& permitted);
  void report(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
              const std::string& id, const std::string& body, const registry::Actor& actor,
              const Permitted& permitted);
  void majorReports(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                    const registry::Actor& actor, const Permitted& permitted);
  void followUps(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                 const std::vector<std::string>& parts, const std::string& body,
                 const registry::Actor& actor, const Permitted& permitted);

  faults::TicketService& tickets_;
  const sla::SlaPolicy policy_;
  const WorkCalendar& calendar_;
  const Clock& clock_;
};

}  // namespace huitong::http
