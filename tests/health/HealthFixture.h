// Per-item health tests: a real exchange store (SQLite here, PostgreSQL in
// HealthPostgresTest.cpp) filled through its own API — intake records, claims, deliveries,
// dead letters — and the health computed on it with a fixed clock and the shipped calendar.
#pragma once

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/health/HealthService.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::health {
inline std::ostream& operator<<(std::ostream& o, Status s) {
  return o << toString(s);
}
}  // namespace huitong::health

namespace huitong::health::testing {

template <typename T>
std::string errorOf(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().code + ": " + r.error().message;
}

inline EpochMillis at(const std::string& rfc3339) {
  EpochMillis t = 0;
  BOOST_TEST_REQUIRE(parseRfc3339(rfc3339, t), rfc3339);
  return t;
}

// Sends events into a store the way the intake does, and settles them the way delivery does.
class StoreFiller {
 public:
  explicit StoreFiller(storage::ExchangeStore& store) : store_(store) {}

  // One accepted message of `system` at `t` with one event per item in `items`.
  std::vector<std::string> send(const std::string& system, const std::vector<std::string>& items,
                                EpochMillis t) {
    storage::IntakeRecord r;
    r.raw.system = system;
    r.raw.adapter = "http_json";
    r.raw.contentType = "application/json";
    const int n = ++n_;
    r.raw.bytes = "{\"n\":" + std::to_string(n) + "}";
    r.raw.receivedAt = t;
    r.messageId = "m-" + std::to_string(n);
    r.digest = "d-" + std::to_string(n);
    r.state = "accepted";
    std::vector<std::string> ids;
    for (const auto& item : items) {
      storage::OutboxEvent e;
      const int c = ++cases_;
      e.eventId = system + ":case-" + std::to_string(c) + ":1:1:v1";
      e.caseKey = system + ":case-" + std::to_string(c);
      e.payload = "{\"event_id\":\"" + e.eventId + "\",\"item\":{\"code\":\"" + item +
                  "\",\"name\":\"x\"},\"stage\":\"1\"}";
      ids.push_back(e.eventId);
      r.events.push_back(e);
    }
    r.answerJson = "{\"message_id\":\"" + r.messageId + "\",\"events\":[],\"rejected\":[]}";
    // No Boost.Test assertion here: send() runs on several threads in the cost case.
    auto stored = store_.recordIntake(r);
    if (!stored.ok())
      throw std::runtime_error("recordIntake: " + stored.error().message);
    return ids;
  }

  // A message of `system` whose `records` records were all refused (one rule each).
  void reject(const std::string& system, int records, EpochMillis t, bool gateOnly = false) {
    storage::IntakeRecord r;
    r.raw.system = system;
    r.raw.adapter = "http_json";
    r.raw.contentType = "application/json";
    const int n = ++n_;
    r.raw.bytes = "{\"bad\":" + std::to_string(n) + "}";
    r.raw.receivedAt = t;
    r.messageId = "m-" + std::to_string(n);
    r.digest = "d-" + std::to_string(n);
    r.state = "rejected";
    std::string rejected;
    for (int i = 0; i < records; ++i) {
      rejected += std::string(i ? "," : "") + "{\"field\":\"applicant.id_no\",\"code\":\"" +
                  (gateOnly ? "filing.not_online" : "checksum") + "\",\"record\":\"$[" +
                  std::to_string(i) + "]\"}";
    }
    r.answerJson =
        "{\"message_id\":\"" + r.messageId + "\",\"events\":[],\"rejected\":[" + rejected + "]}";
    BOOST_TEST_REQUIRE(store_.recordIntake(r).ok());
  }

  // Claims every due event and delivers it at `t` (or kills it: a dead letter).
  int settleAll(EpochMillis t, bool dead = false) {
    auto claimed = store_.claimDeliverable(1000, t, 60'000);
    BOOST_TEST_REQUIRE(claimed.ok());
    for (const auto& item : claimed.value()) {
      auto r = dead ? store_.markDead(item.id, "platform said 400", t)
                    : store_.markDelivered(item.id, "{\"result\":\"accepted\"}", t);
      BOOST_TEST_REQUIRE(r.ok());
    }
    return static_cast<int>(claimed.value().size());
  }

  // Delivers every due event at `t`, a round of 1000 per transaction (large fills).
  int deliverAllInRounds(EpochMillis t) {
    int total = 0;
    for (;;) {
      auto claimed = store_.claimDeliverable(1000, t, 60'000);
      BOOST_TEST_REQUIRE(claimed.ok());
      if (claimed.value().empty())
        return total;
      std::vector<storage::Settlement> round;
      for (const auto& item : claimed.value())
        round.push_back({item.id, storage::Settlement::Outcome::kDelivered, "{}", t});
      BOOST_TEST_REQUIRE(store_.settle(round).ok());
      total += static_cast<int>(round.size());
    }
  }

 private:
  storage::ExchangeStore& store_;
  std::atomic<int> n_{0};  // send() may be called from several threads (group commit)
  std::atomic<int> cases_{0};
};

// The health of one item out of a computed list.
inline const ItemHealth& find(const std::vector<ItemHealth>& all, const std::string& system,
                              const std::string& item) {
  for (const auto& h : all) {
    if (h.system == system && h.item == item)
      return h;
  }
  BOOST_FAIL("no health for " + system + "/" + item);
  throw std::logic_error("unreachable");
}

inline bool hasReason(const ItemHealth& h, const std::string& code, Status level) {
  for (const auto& r : h.reasons) {
    if (r.code == code && r.level == level)
      return true;
  }
  return false;
}

// The conformance cases of the store queries health relies on, for any backend.
void runStoreQueryCases(storage::ExchangeStore& store);

}  // namespace huitong::health::testing
