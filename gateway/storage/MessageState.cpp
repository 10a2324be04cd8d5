#include "gateway/storage/MessageState.h"

namespace huitong::storage {

std::string deriveMessageState(const std::string& journalState,
                               const std::vector<EventStatus>& events) {
  if (journalState == "rejected") {
    return "rejected";
  }
  bool allDelivered = true;
  bool untouched = true;
  for (const EventStatus& e : events) {
    if (e.state == "dead") {
      return "dead";
    }
    if (e.state != "delivered") {
      allDelivered = false;
    }
    if (e.state != "pending" || e.attempts > 0) {
      untouched = false;
    }
  }
  if (allDelivered) {
    return "delivered";
  }
  return untouched ? "received" : "delivering";
}

std::string publicEventState(const std::string& outboxState) {
  return outboxState == "discarded" ? "dead" : outboxState;
}

std::optional<Error> refusedTransition(const char* operation, long long outboxId,
                                       const std::optional<std::string>& current,
                                       bool deliveredIsIdempotent) {
  const std::string what = std::string(operation) + ": outbox item " + std::to_string(outboxId);
  if (!current) {
    return Error{"store.not_found", what + " does not exist", ""};
  }
  if (deliveredIsIdempotent && *current == "delivered") {
    return std::nullopt;
  }
  return Error{"store.conflict", what + " is " + *current, ""};
}

}  // namespace huitong::storage
