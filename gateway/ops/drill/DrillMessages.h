// The department messages a drill sends: a department of the simulator's config
// (sandbox/demo/simulator.json, `via: http`) plays itself — its key, content type, SOAPAction
// and the first stage of its script (sandbox/simulator/scripts/<system>/) — each message a new
// case whose number carries the drill's run tag, signed (RFC 9421) as the department signs and
// sent to the gateway's real intake. Thread-safety: a sender is immutable after creation.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"

namespace huitong::ops::drill {

// What one message got from the intake.
struct DrillSend {
  int index = 0;
  std::string caseNo;
  EpochMillis sentAt = 0;
  int status = 0;                     // HTTP status, 0 when no answer
  std::string messageId;              // the receipt: the gateway's message id
  std::vector<std::string> eventIds;  // the events the receipt names
  std::string error;                  // why it does not count as accepted
  bool accepted() const { return error.empty() && !messageId.empty() && !eventIds.empty(); }
};

// The receipt in an intake answer: JSON {"message_id", "events": [...]} (http_json, http_xml's
// JSON problem bodies excluded) or a SOAP/XML answer saying "OK <message id>" (soap11; its
// events are asked for separately). Empty messageId when the body holds no receipt.
struct IntakeReceipt {
  std::string messageId;
  std::vector<std::string> eventIds;
};
IntakeReceipt parseIntakeReceipt(const std::string& body);

class DepartmentSender {
 public:
  // `file`: the simulator's config; `system`: one of its departments, sent via http;
  // `gatewayUrl` ("http://127.0.0.1:8600") replaces scheme, host and port of its url;
  // `runTag` ([A-Za-z0-9]{1,16}) makes this run's case numbers unique.
  // Errors name the file:line of the offending config or script member.
  static Result<DepartmentSender> fromSimulatorConfig(const std::string& file,
                                                      const std::string& system,
                                                      const std::string& gatewayUrl,
                                                      const std::string& runTag);

  const std::string& system() const;
  const std::string& url() const;

  // Message `index` (0-based): the body of the script's first stage for a new case.
  Result<std::string> body(int index, EpochMillis now, std::string* caseNo = nullptr) const;
  // Signs and sends message `index`; an accepted answer is 2xx with a receipt naming events.
  // When the answer names only the message (SOAP), its events are read from the intake's
  // status resource (GET /intake/v1/{system}/messages/{id}, signed the same way).
  DrillSend send(int index, const Clock& clock, long timeoutMillis) const;

 private:
  struct Impl;
  explicit DepartmentSender(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// A run tag from the time: HHmmss (Beijing) and two digits of the milliseconds: "0945121".
std::string makeRunTag(EpochMillis now);

}  // namespace huitong::ops::drill
