// The events the mock platform holds, in arrival order, with their receipts: the one place that
// judges new / duplicate / conflict by event_id (spec §4) and that bounds the memory they take.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Clock.h"

namespace huitong::sandbox {

// What the platform answers for an event it holds. receiptNo is "MP" + the 10-digit arrival
// index; indexes (and so receipt numbers) are never reused, not even after clear().
struct Receipt {
  std::string receiptNo;
  std::string eventId;
  EpochMillis receivedAt = 0;
};

// One held event. `json` is its canonical JSON text (see canonicalJson).
struct StoredEvent {
  std::uint64_t index = 0;  // 1-based arrival order
  Receipt receipt;
  std::string json;
};

// Compact JSON with every object's members sorted by name (byte order), recursively: two
// events with the same content, whatever their member order, have the same text.
// REQUIRES: no object with a member name twice (the Validator refuses those).
std::string canonicalJson(const rapidjson::Value& value);

// Thread-safe; every call is atomic with respect to the others.
class EventStore {
 public:
  enum class Outcome { kAccepted, kDuplicate, kConflict };

  // One valid event offered to the store.
  struct Candidate {
    std::string eventId;
    std::string json;  // canonical
  };
  // Its outcome; `receipt` is the new receipt (accepted) or the held event's (duplicate,
  // conflict).
  struct Submission {
    Outcome outcome = Outcome::kAccepted;
    Receipt receipt;
  };

  // At most maxEvents events and maxBytes of event text and ids are held.
  EventStore(std::size_t maxEvents, std::size_t maxBytes);

  // Judges `candidates` in order (a later one sees the earlier ones of the same call), all or
  // nothing with respect to capacity: nullopt, and nothing stored, when the new events among
  // them would not fit.
  std::optional<std::vector<Submission>> submit(const std::vector<Candidate>& candidates,
                                                EpochMillis now);

  std::optional<Receipt> find(const std::string& eventId) const;
  // Up to `limit` held events with index > after, in arrival order.
  std::vector<StoredEvent> list(std::uint64_t after, std::size_t limit) const;
  std::size_t size() const;
  std::size_t bytes() const;
  std::size_t maxEvents() const { return maxEvents_; }
  // Forgets every event (the arrival index keeps counting).
  void clear();

 private:
  const std::size_t maxEvents_;
  const std::size_t maxBytes_;
  mutable std::mutex mutex_;
  std::vector<StoredEvent> events_;                         // ascending index
  std::unordered_map<std::string, std::size_t> byEventId_;  // -> position in events_
  std::size_t bytes_ = 0;
  std::uint64_t lastIndex_ = 0;
};

}  // namespace huitong::sandbox
