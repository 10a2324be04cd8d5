#include "tests/storage/StoreConformance.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace huitong::storage::testing {
namespace {

// Stands in for SHA-256 here: only equality matters to the store.
std::string digestOf(const std::string& system, const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char ch : system + '\0' + bytes) {
    h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string(hex) + std::to_string(bytes.size());
}

IntakeOutcome intakeOk(ExchangeStore& store, const IntakeRecord& record) {
  auto r = store.recordIntake(record);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().code + ": " + r.error().message));
  return r.value();
}

std::vector<OutboxItem> claimOk(ExchangeStore& store, int limit, EpochMillis now,
                                EpochMillis lease = 60000) {
  auto r = store.claimDeliverable(limit, now, lease);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().code + ": " + r.error().message));
  return r.value();
}

std::vector<std::string> eventIds(const std::vector<OutboxItem>& items) {
  std::vector<std::string> ids;
  for (const OutboxItem& item : items) {
    ids.push_back(item.eventId);
  }
  return ids;
}

void requireOk(const Result<void>& r) {
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().code + ": " + r.error().message));
}

MessageStatus statusOk(ExchangeStore& store, const std::string& system, const std::string& id) {
  auto r = store.messageStatus(system, id);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST_REQUIRE(r.value().has_value());
  return *r.value();
}

ExchangeStore::Depths depthsOk(ExchangeStore& store) {
  auto r = store.depths();
  BOOST_TEST_REQUIRE(r.ok());
  return r.value();
}

}  // namespace

IntakeRecord makeIntake(const std::string& system, const std::string& messageId,
                        const std::vector<std::pair<std::string, std::string>>& events,
                        EpochMillis receivedAt, std::string bytes) {
  IntakeRecord r;
  r.raw.system = system;
  r.raw.adapter = "http_json";
  r.raw.contentType = "application/json;charset=UTF-8";
  r.raw.charset = "UTF-8";
  r.raw.bytes = bytes.empty() ? "{\"msg\":\"" + messageId + "\"}" : std::move(bytes);
  r.raw.sourceRef = "127.0.0.1:40000";
  r.raw.receivedAt = receivedAt;
  r.messageId = messageId;
  r.digest = digestOf(system, r.raw.bytes);
  r.state = events.empty() ? "rejected" : "accepted";
  for (const auto& [eventId, caseKey] : events) {
    r.events.push_back(OutboxEvent{eventId, caseKey, "{\"event_id\":\"" + eventId + "\"}"});
  }
  r.answerJson =
      "{\"messageId\":\"" + messageId + "\",\"events\":" + std::to_string(events.size()) + "}";
  return r;
}

std::unique_ptr<ExchangeStore> openOrFail(const StoreConfig& config) {
  auto r = ExchangeStore::open(config);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().code + ": " + r.error().message));
  return std::move(r).value();
}

void checkIntakeAndDedupe(ExchangeStore& store) {
  // Bytes as a department may send them: GBK, a NUL, not UTF-8.
  const std::string gbk("\xc0\xee\xcb\xc4\x00\xff{\"a\":1}", 12);
  IntakeRecord first = makeIntake("marriage", "m-1", {{"e-1", "marriage:C1"}}, 1000, gbk);
  first.raw.charset = "GBK";
  const IntakeOutcome a = intakeOk(store, first);
  BOOST_TEST(a.messageId == "m-1");
  BOOST_TEST(!a.repeated);
  BOOST_TEST(a.answerJson == first.answerJson);

  // The same bytes again under a new message id: nothing written, the first answer returns.
  IntakeRecord again = first;
  again.messageId = "m-2";
  again.answerJson = "{\"other\":true}";
  again.events[0].eventId = "e-other";
  const IntakeOutcome b = intakeOk(store, again);
  BOOST_TEST(b.repeated);
  BOOST_TEST(b.messageId == "m-1");
  BOOST_TEST(b.answerJson == first.answerJson);

  // The same bytes from another system are another message.
  IntakeRecord otherSystem = first;
  otherSystem.raw.system = "disability";
  otherSystem.digest = "other-digest";
  otherSystem.messageId = "m-3";
  otherSystem.events[0].eventId = "e-3";
  BOOST_TEST(!intakeOk(store, otherSystem).repeated);

  const auto d = depthsOk(store);
  BOOST_TEST(d.journal == 2);
  BOOST_TEST(d.pending == 2);
  BOOST_TEST(d.dead == 0);

  auto raw = store.journaledMessage("m-1");
  BOOST_TEST_REQUIRE(raw.ok());
  BOOST_TEST_REQUIRE(raw.value().has_value());
  BOOST_TEST(raw.value()->bytes == gbk);
  BOOST_TEST(raw.value()->system == "marriage");
  BOOST_TEST(raw.value()->adapter == "http_json");
  BOOST_TEST(raw.value()->contentType == first.raw.contentType);
  BOOST_TEST(raw.value()->charset == "GBK");
  BOOST_TEST(raw.value()->sourceRef == first.raw.sourceRef);
  BOOST_TEST(raw.value()->receivedAt == 1000);
  auto missing = store.journaledMessage("m-2");
  BOOST_TEST_REQUIRE(missing.ok());
  BOOST_TEST(!missing.value().has_value());

  // A reused message id is the caller's bug: an error, and nothing of it is kept.
  IntakeRecord reused = makeIntake("marriage", "m-1", {{"e-9", "marriage:C9"}}, 1000, "new");
  auto r = store.recordIntake(reused);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "store.constraint");
  BOOST_TEST(depthsOk(store).pending == 2);

  // A rejected message is journaled with its answer and no events.
  IntakeRecord rejected = makeIntake("marriage", "m-4", {}, 1000, "bad");
  BOOST_TEST(!intakeOk(store, rejected).repeated);
  BOOST_TEST(intakeOk(store, rejected).repeated);
  BOOST_TEST(depthsOk(store).journal == 3);
}

void checkEventIdDedupe(ExchangeStore& store) {
  intakeOk(store, makeIntake("marriage", "m-1", {{"e-1", "marriage:C1"}, {"e-2", "marriage:C1"}}));
  // A retried push with a new pushTime: other bytes, partly the same events.
  intakeOk(store, makeIntake("marriage", "m-2", {{"e-2", "marriage:C1"}, {"e-3", "marriage:C1"}}));
  BOOST_TEST(depthsOk(store).pending == 3);

  std::vector<std::string> delivered;
  for (int round = 0; round < 5; ++round) {
    for (const OutboxItem& item : claimOk(store, 10, 1000)) {
      delivered.push_back(item.eventId);
      requireOk(store.markDelivered(item.id, "{\"ok\":true}", 1000));
    }
  }
  BOOST_TEST(delivered == (std::vector<std::string>{"e-1", "e-2", "e-3"}));

  const MessageStatus s2 = statusOk(store, "marriage", "m-2");
  BOOST_TEST_REQUIRE(s2.events.size() == 2u);
  BOOST_TEST(s2.events[0].eventId == "e-2");
  BOOST_TEST(s2.events[0].state == "delivered");
  BOOST_TEST(s2.events[1].eventId == "e-3");
  BOOST_TEST(s2.state == "delivered");
}

void checkPerCaseFifoClaiming(ExchangeStore& store) {
  intakeOk(store, makeIntake("marriage", "m-1", {{"a1", "marriage:A"}, {"b1", "marriage:B"}}));
  intakeOk(store, makeIntake("marriage", "m-2", {{"a2", "marriage:A"}, {"c1", "marriage:C"}}));
  intakeOk(store, makeIntake("marriage", "m-3", {{"b2", "marriage:B"}, {"a3", "marriage:A"}}));

  std::vector<OutboxItem> first = claimOk(store, 10, 1000);
  BOOST_TEST(eventIds(first) == (std::vector<std::string>{"a1", "b1", "c1"}));
  for (std::size_t i = 1; i < first.size(); ++i) {
    BOOST_TEST(first[i - 1].id < first[i].id);
  }
  BOOST_TEST(first[0].caseKey == "marriage:A");
  BOOST_TEST(first[0].messageId == "m-1");
  BOOST_TEST(first[0].payload == "{\"event_id\":\"a1\"}");
  BOOST_TEST(first[0].attempts == 0);
  // Claimed heads block their cases: nothing else is eligible.
  BOOST_TEST(claimOk(store, 10, 1000).empty());

  requireOk(store.markDelivered(first[0].id, "{}", 1000));  // a1
  BOOST_TEST(eventIds(claimOk(store, 10, 1000)) == (std::vector<std::string>{"a2"}));

  // The limit takes the oldest heads first.
  requireOk(store.markDelivered(first[1].id, "{}", 1000));  // b1
  requireOk(store.markDelivered(first[2].id, "{}", 1000));  // c1
  BOOST_TEST(eventIds(claimOk(store, 1, 1000)) == (std::vector<std::string>{"b2"}));
  BOOST_TEST(claimOk(store, 0, 1000).empty());

  // Not due yet: an event is due at its message's receivedAt.
  intakeOk(store, makeIntake("marriage", "m-4", {{"d1", "marriage:D"}}, 5000));
  BOOST_TEST(claimOk(store, 10, 4999).empty());
  BOOST_TEST(eventIds(claimOk(store, 10, 5000)) == (std::vector<std::string>{"d1"}));
}

void checkLeaseExpiry(ExchangeStore& store) {
  intakeOk(store, makeIntake("marriage", "m-1", {{"a1", "marriage:A"}, {"a2", "marriage:A"}}));
  const auto claimed = claimOk(store, 10, 100, 50);  // held until 150
  BOOST_TEST(eventIds(claimed) == (std::vector<std::string>{"a1"}));
  BOOST_TEST(claimOk(store, 10, 120, 50).empty());
  BOOST_TEST(claimOk(store, 10, 150, 50).empty());
  // The worker crashed: after the lease the same head is claimable again, and only it.
  const auto reclaimed = claimOk(store, 10, 151, 50);
  BOOST_TEST(eventIds(reclaimed) == (std::vector<std::string>{"a1"}));
  BOOST_TEST(reclaimed[0].id == claimed[0].id);
  BOOST_TEST(claimOk(store, 10, 160, 50).empty());
  // The late worker's result still lands: the item was pending.
  requireOk(store.markDelivered(claimed[0].id, "{\"r\":1}", 170));
  BOOST_TEST(eventIds(claimOk(store, 10, 170, 50)) == (std::vector<std::string>{"a2"}));
}

void checkRetryScheduling(ExchangeStore& store) {
  intakeOk(store, makeIntake("marriage", "m-1", {{"a1", "marriage:A"}, {"a2", "marriage:A"}}));
  intakeOk(store, makeIntake("marriage", "m-2", {{"b1", "marriage:B"}}));
  auto items = claimOk(store, 10, 1000);
  BOOST_TEST_REQUIRE(eventIds(items) == (std::vector<std::string>{"a1", "b1"}));
  requireOk(store.markRetry(items[0].id, "platform timeout", 5000));
  requireOk(store.markDelivered(items[1].id, "{}", 1000));

  // The failed head waits, and its case waits behind it.
  BOOST_TEST(claimOk(store, 10, 4999).empty());
  auto retried = claimOk(store, 10, 5000);
  BOOST_TEST_REQUIRE(eventIds(retried) == (std::vector<std::string>{"a1"}));
  BOOST_TEST(retried[0].attempts == 1);

  requireOk(store.markRetry(retried[0].id, "platform 503", 9000));
  auto s = statusOk(store, "marriage", "m-1");
  BOOST_TEST(s.state == "delivering");
  BOOST_TEST_REQUIRE(s.events.size() == 2u);
  BOOST_TEST(s.events[0].attempts == 2);
  BOOST_TEST(s.events[0].lastError == "platform 503");
  BOOST_TEST(s.events[0].state == "pending");

  auto third = claimOk(store, 10, 9000);
  BOOST_TEST_REQUIRE(third.size() == 1u);
  BOOST_TEST(third[0].attempts == 2);
  requireOk(store.markDelivered(third[0].id, "{}", 9000));
  BOOST_TEST(eventIds(claimOk(store, 10, 9000)) == (std::vector<std::string>{"a2"}));
}

void checkDeadLettersRequeueDiscard(ExchangeStore& store) {
  intakeOk(store, makeIntake("marriage", "m-1", {{"a1", "marriage:A"}, {"a2", "marriage:A"}}));
  intakeOk(store, makeIntake("disability", "m-2", {{"b1", "disability:B"}}));
  auto items = claimOk(store, 10, 1000);
  BOOST_TEST_REQUIRE(eventIds(items) == (std::vector<std::string>{"a1", "b1"}));
  requireOk(store.markDead(items[0].id, "E4001 invalid id_card", 1100));
  requireOk(store.markDead(items[1].id, "E4002 unknown item", 1200));

  auto letters = store.deadLetters(10, 0);
  BOOST_TEST_REQUIRE(letters.ok());
  BOOST_TEST_REQUIRE(letters.value().size() == 2u);
  const DeadLetter a1 = letters.value()[0];  // a copy: `letters` is reassigned below
  BOOST_TEST(a1.outboxId == items[0].id);
  BOOST_TEST(a1.eventId == "a1");
  BOOST_TEST(a1.messageId == "m-1");
  BOOST_TEST(a1.system == "marriage");
  BOOST_TEST(a1.payload == "{\"event_id\":\"a1\"}");
  BOOST_TEST(a1.lastError == "E4001 invalid id_card");
  BOOST_TEST(a1.attempts == 1);
  BOOST_TEST(a1.deadAt == 1100);
  BOOST_TEST(letters.value()[1].system == "disability");
  // Paging.
  auto page = store.deadLetters(1, a1.outboxId);
  BOOST_TEST_REQUIRE(page.ok());
  BOOST_TEST_REQUIRE(page.value().size() == 1u);
  BOOST_TEST(page.value()[0].eventId == "b1");
  BOOST_TEST(depthsOk(store).dead == 2);
  BOOST_TEST(statusOk(store, "marriage", "m-1").state == "dead");

  // The dead event left its case's queue: the next one goes on.
  auto next = claimOk(store, 10, 1300);
  BOOST_TEST_REQUIRE(eventIds(next) == (std::vector<std::string>{"a2"}));

  // Re-queued with a re-mapped payload: pending again, attempts from 0, its old place.
  requireOk(store.requeueDeadLetter(a1.outboxId, "{\"event_id\":\"a1\",\"fixed\":true}", 2000));
  BOOST_TEST(depthsOk(store).dead == 1);
  auto again = claimOk(store, 10, 2000);
  BOOST_TEST_REQUIRE(eventIds(again) == (std::vector<std::string>{"a1"}));  // a2 is still held
  BOOST_TEST(again[0].payload == "{\"event_id\":\"a1\",\"fixed\":true}");
  BOOST_TEST(again[0].attempts == 0);
  requireOk(store.markDead(again[0].id, "E4001 still invalid", 2100));
  // An empty payload keeps the one it had.
  requireOk(store.requeueDeadLetter(a1.outboxId, "", 2200));
  auto kept = claimOk(store, 10, 2200);
  BOOST_TEST_REQUIRE(kept.size() == 1u);
  BOOST_TEST(kept[0].payload == "{\"event_id\":\"a1\",\"fixed\":true}");
  requireOk(store.markDead(kept[0].id, "E4001 given up", 2300));

  // Discarded: gone from the dead letters, still "dead" to the department.
  requireOk(store.discardDeadLetter(a1.outboxId, 2400));
  letters = store.deadLetters(10, 0);
  BOOST_TEST_REQUIRE(letters.ok());
  BOOST_TEST_REQUIRE(letters.value().size() == 1u);
  BOOST_TEST(letters.value()[0].eventId == "b1");
  const MessageStatus s = statusOk(store, "marriage", "m-1");
  BOOST_TEST(s.state == "dead");
  BOOST_TEST(s.events[0].state == "dead");
  BOOST_TEST(s.events[0].lastError == "E4001 given up");

  auto twice = store.discardDeadLetter(a1.outboxId, 2500);
  BOOST_TEST_REQUIRE(!twice.ok());
  BOOST_TEST(twice.error().code == "store.conflict");
  auto requeueDiscarded = store.requeueDeadLetter(a1.outboxId, "", 2500);
  BOOST_TEST_REQUIRE(!requeueDiscarded.ok());
  BOOST_TEST(requeueDiscarded.error().code == "store.conflict");
  auto unknown = store.discardDeadLetter(999999, 2500);
  BOOST_TEST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.error().code == "store.not_found");
}

void checkMessageStatusDerivation(ExchangeStore& store) {
  intakeOk(store, makeIntake("marriage", "m-1", {{"a1", "marriage:A"}, {"b1", "marriage:B"}}, 77));
  MessageStatus s = statusOk(store, "marriage", "m-1");
  BOOST_TEST(s.messageId == "m-1");
  BOOST_TEST(s.system == "marriage");
  BOOST_TEST(s.receivedAt == 77);
  BOOST_TEST(s.answerJson == "{\"messageId\":\"m-1\",\"events\":2}");
  BOOST_TEST(s.state == "received");
  BOOST_TEST_REQUIRE(s.events.size() == 2u);
  BOOST_TEST(s.events[0].eventId == "a1");
  BOOST_TEST(s.events[0].state == "pending");
  BOOST_TEST(s.events[0].attempts == 0);

  auto items = claimOk(store, 10, 1000);
  BOOST_TEST(statusOk(store, "marriage", "m-1").state == "received");  // a claim is no attempt
  requireOk(store.markRetry(items[0].id, "timeout", 1000));
  BOOST_TEST(statusOk(store, "marriage", "m-1").state == "delivering");
  requireOk(store.markDelivered(items[1].id, "{\"receipt\":\"b1\"}", 1000));
  s = statusOk(store, "marriage", "m-1");
  BOOST_TEST(s.state == "delivering");
  BOOST_TEST(s.events[1].state == "delivered");
  BOOST_TEST(s.events[1].receiptJson == "{\"receipt\":\"b1\"}");
  BOOST_TEST(s.events[1].attempts == 1);
  auto retry = claimOk(store, 10, 1000);
  BOOST_TEST_REQUIRE(retry.size() == 1u);
  requireOk(store.markDelivered(retry[0].id, "{}", 1000));
  BOOST_TEST(statusOk(store, "marriage", "m-1").state == "delivered");

  intakeOk(store, makeIntake("marriage", "m-2", {{"c1", "marriage:C"}, {"c2", "marriage:C"}}));
  auto c = claimOk(store, 10, 1000);
  BOOST_TEST_REQUIRE(c.size() == 1u);
  requireOk(store.markDead(c[0].id, "E4001", 1000));
  BOOST_TEST(statusOk(store, "marriage", "m-2").state == "dead");

  intakeOk(store, makeIntake("marriage", "m-3", {}));
  s = statusOk(store, "marriage", "m-3");
  BOOST_TEST(s.state == "rejected");
  BOOST_TEST(s.events.empty());

  // Another department's message, or none: not found.
  auto other = store.messageStatus("disability", "m-1");
  BOOST_TEST_REQUIRE(other.ok());
  BOOST_TEST(!other.value().has_value());
  auto none = store.messageStatus("marriage", "nope");
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(!none.value().has_value());
}

void checkRefusedTransitions(ExchangeStore& store) {
  intakeOk(store, makeIntake("marriage", "m-1", {{"a1", "marriage:A"}, {"b1", "marriage:B"}}));
  auto items = claimOk(store, 10, 1000);
  BOOST_TEST_REQUIRE(items.size() == 2u);
  requireOk(store.markDelivered(items[0].id, "{\"first\":1}", 1000));
  // Delivered twice (a lease expired and a second worker delivered too): fine, first receipt.
  requireOk(store.markDelivered(items[0].id, "{\"second\":2}", 1001));
  BOOST_TEST(statusOk(store, "marriage", "m-1").events[0].receiptJson == "{\"first\":1}");

  auto retryDelivered = store.markRetry(items[0].id, "x", 2000);
  BOOST_TEST_REQUIRE(!retryDelivered.ok());
  BOOST_TEST(retryDelivered.error().code == "store.conflict");
  auto deadDelivered = store.markDead(items[0].id, "x", 2000);
  BOOST_TEST_REQUIRE(!deadDelivered.ok());
  BOOST_TEST(deadDelivered.error().code == "store.conflict");
  auto requeuePending = store.requeueDeadLetter(items[1].id, "", 2000);
  BOOST_TEST_REQUIRE(!requeuePending.ok());
  BOOST_TEST(requeuePending.error().code == "store.conflict");

  requireOk(store.markDead(items[1].id, "gone", 2000));
  auto deliverDead = store.markDelivered(items[1].id, "{}", 2000);
  BOOST_TEST_REQUIRE(!deliverDead.ok());
  BOOST_TEST(deliverDead.error().code == "store.conflict");
  BOOST_TEST(depthsOk(store).dead == 1);  // a refused requeue logged nothing and changed nothing

  for (auto r : {store.markDelivered(424242, "{}", 1), store.markRetry(424242, "x", 1),
                 store.markDead(424242, "x", 1), store.requeueDeadLetter(424242, "", 1)}) {
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().code == "store.not_found");
  }
}

void checkSettleRound(ExchangeStore& store) {
  using Outcome = Settlement::Outcome;
  intakeOk(store, makeIntake("marriage", "m-1", {{"a1", "marriage:A"}, {"a2", "marriage:A"}}));
  intakeOk(store, makeIntake("marriage", "m-2", {{"b1", "marriage:B"}, {"b2", "marriage:B"}}));
  intakeOk(store, makeIntake("marriage", "m-3", {{"c1", "marriage:C"}, {"c2", "marriage:C"}}));
  intakeOk(store, makeIntake("marriage", "m-4", {{"d1", "marriage:D"}}));
  auto items = claimOk(store, 10, 1000);
  BOOST_TEST_REQUIRE(eventIds(items) == (std::vector<std::string>{"a1", "b1", "c1", "d1"}));

  // Nothing to settle is no call to the database and no error.
  auto none = store.settle({});
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(none.value().empty());

  // One round with every outcome: each lands as its single-item method would land it.
  auto settled = store.settle({
      {items[0].id, Outcome::kDelivered, "{\"receipt\":\"a1\"}", 1100},
      {items[1].id, Outcome::kRetry, "HTTP 503: busy", 5000},
      {items[2].id, Outcome::kDead, "platform answered 422: E4001", 1100},
      {items[3].id, Outcome::kDelivered, "{\"receipt\":\"d1\"}", 1100},
  });
  BOOST_TEST_REQUIRE(settled.ok(), (settled.ok() ? "" : settled.error().message));
  BOOST_TEST_REQUIRE(settled.value().size() == 4u);
  for (const Result<void>& r : settled.value()) {
    BOOST_TEST(r.ok(), (r.ok() ? "" : r.error().code + ": " + r.error().message));
  }

  MessageStatus m1 = statusOk(store, "marriage", "m-1");
  BOOST_TEST(m1.events[0].state == "delivered");
  BOOST_TEST(m1.events[0].attempts == 1);
  BOOST_TEST(m1.events[0].receiptJson == "{\"receipt\":\"a1\"}");
  MessageStatus m2 = statusOk(store, "marriage", "m-2");
  BOOST_TEST(m2.state == "delivering");
  BOOST_TEST(m2.events[0].state == "pending");
  BOOST_TEST(m2.events[0].attempts == 1);
  BOOST_TEST(m2.events[0].lastError == "HTTP 503: busy");
  BOOST_TEST(statusOk(store, "marriage", "m-3").state == "dead");
  BOOST_TEST(statusOk(store, "marriage", "m-4").state == "delivered");
  auto letters = store.deadLetters(10, 0);
  BOOST_TEST_REQUIRE(letters.ok());
  BOOST_TEST_REQUIRE(letters.value().size() == 1u);
  BOOST_TEST(letters.value()[0].eventId == "c1");
  BOOST_TEST(letters.value()[0].lastError == "platform answered 422: E4001");
  BOOST_TEST(letters.value()[0].attempts == 1);
  BOOST_TEST(letters.value()[0].deadAt == 1100);
  const auto d = depthsOk(store);
  BOOST_TEST(d.pending == 4);  // a2, b1 (retry), b2, c2
  BOOST_TEST(d.dead == 1);

  // The claims were released: the delivered and dead heads let their cases go on, the retried
  // head holds its case until it is due.
  BOOST_TEST(eventIds(claimOk(store, 10, 1200)) == (std::vector<std::string>{"a2", "c2"}));
  auto retried = claimOk(store, 10, 5000);
  BOOST_TEST_REQUIRE(eventIds(retried) == (std::vector<std::string>{"b1"}));
  BOOST_TEST(retried[0].attempts == 1);

  // A dead letter settled in a round is re-queued like any other (its log says "dead").
  requireOk(store.requeueDeadLetter(items[2].id, "", 6000));
  BOOST_TEST(depthsOk(store).dead == 0);
}

void checkSettleRefusalsStandAlone(ExchangeStore& store) {
  using Outcome = Settlement::Outcome;
  intakeOk(store, makeIntake("marriage", "m-1",
                             {{"a1", "marriage:A"}, {"b1", "marriage:B"}, {"c1", "marriage:C"}}));
  auto items = claimOk(store, 10, 1000);
  BOOST_TEST_REQUIRE(items.size() == 3u);
  requireOk(store.markDelivered(items[0].id, "{\"first\":1}", 1000));
  requireOk(store.markDead(items[1].id, "gone", 1000));

  // A round where a lease had expired and another worker settled some items first: what it
  // refuses is answered per item, and the rest of the round still lands.
  auto settled = store.settle({
      {items[0].id, Outcome::kDelivered, "{\"second\":2}", 2000},  // delivered twice: fine
      {424242, Outcome::kDelivered, "{}", 2000},                   // no such item
      {items[1].id, Outcome::kDelivered, "{}", 2000},              // dead: conflict
      {items[1].id, Outcome::kRetry, "x", 3000},                   // dead: conflict
      {items[2].id, Outcome::kDelivered, "{\"r\":\"c1\"}", 2000},  // lands
      {items[0].id, Outcome::kDead, "late", 2000},                 // delivered: conflict
  });
  BOOST_TEST_REQUIRE(settled.ok(), (settled.ok() ? "" : settled.error().message));
  const auto& r = settled.value();
  BOOST_TEST_REQUIRE(r.size() == 6u);
  BOOST_TEST(r[0].ok());
  BOOST_TEST_REQUIRE(!r[1].ok());
  BOOST_TEST(r[1].error().code == "store.not_found");
  BOOST_TEST_REQUIRE(!r[2].ok());
  BOOST_TEST(r[2].error().code == "store.conflict");
  BOOST_TEST_REQUIRE(!r[3].ok());
  BOOST_TEST(r[3].error().code == "store.conflict");
  BOOST_TEST(r[4].ok());
  BOOST_TEST_REQUIRE(!r[5].ok());
  BOOST_TEST(r[5].error().code == "store.conflict");

  const MessageStatus s = statusOk(store, "marriage", "m-1");
  BOOST_TEST_REQUIRE(s.events.size() == 3u);
  BOOST_TEST(s.events[0].state == "delivered");
  BOOST_TEST(s.events[0].receiptJson == "{\"first\":1}");  // the first receipt stays
  BOOST_TEST(s.events[0].attempts == 1);
  BOOST_TEST(s.events[1].state == "dead");
  BOOST_TEST(s.events[1].lastError == "gone");
  BOOST_TEST(s.events[1].attempts == 1);
  BOOST_TEST(s.events[2].state == "delivered");
  BOOST_TEST(s.events[2].receiptJson == "{\"r\":\"c1\"}");
  const auto d = depthsOk(store);
  BOOST_TEST(d.pending == 0);
  BOOST_TEST(d.dead == 1);  // the refused markDead logged nothing
  auto letters = store.deadLetters(10, 0);
  BOOST_TEST_REQUIRE(letters.ok());
  BOOST_TEST_REQUIRE(letters.value().size() == 1u);
  BOOST_TEST(letters.value()[0].eventId == "b1");
}

void checkConcurrentIntake(ExchangeStore& store) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> repeats{0};
  std::atomic<int> failures{0};
  std::atomic<int> constraintErrors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "m-" + std::to_string(t) + "-" + std::to_string(i);
        const std::string caseKey = "marriage:C" + std::to_string(i % 5);
        auto record = makeIntake("marriage", id, {{"e-" + id, caseKey}}, 0);
        auto r = store.recordIntake(record);
        if (!r.ok() || r.value().repeated) {
          ++failures;
        }
        // Every thread also resends its message (a department retrying), and one in ten
        // reuses a message id: batched with the others, only that call must fail.
        auto again = store.recordIntake(record);
        if (!again.ok() || !again.value().repeated || again.value().messageId != id) {
          ++failures;
        } else {
          ++repeats;
        }
        if (i % 10 == 0) {
          auto reused = makeIntake("marriage", id, {{"x-" + id, caseKey}}, 0, "other " + id);
          auto bad = store.recordIntake(reused);
          if (!bad.ok() && bad.error().code == "store.constraint") {
            ++constraintErrors;
          } else {
            ++failures;
          }
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(repeats.load() == kThreads * kPerThread);
  BOOST_TEST(constraintErrors.load() == kThreads * (kPerThread / 10));
  const auto d = depthsOk(store);
  BOOST_TEST(d.journal == kThreads * kPerThread);
  BOOST_TEST(d.pending == kThreads * kPerThread);
}

void checkJournalPages(ExchangeStore& store) {
  // Journal order differs from received order: m-late is journaled first but received last.
  intakeOk(store, makeIntake("marriage", "m-late", {{"e-9", "marriage:C9"}}, 9000));
  const std::string gbk("\xc0\xee\x00\xff", 4);
  IntakeRecord binary =
      makeIntake("marriage", "m-1", {{"e-1", "marriage:C1"}, {"e-2", "marriage:C1"}}, 1000, gbk);
  binary.raw.charset = "GBK";
  intakeOk(store, binary);
  intakeOk(store, makeIntake("marriage", "m-2", {}, 2000));  // rejected: no events
  intakeOk(store, makeIntake("funeral", "f-1", {{"f-e1", "funeral:F1"}}, 2500));
  // The same event id in a second message: listed for both, one outbox row.
  intakeOk(store,
           makeIntake("marriage", "m-3", {{"e-2", "marriage:C1"}, {"e-3", "marriage:C3"}}, 2000));
  intakeOk(store, makeIntake("marriage", "m-4", {{"e-4", "marriage:C4"}}, 5000));

  const JournalRange range{"marriage", 1000, 9000};  // m-late (9000) is outside: `to` excluded
  auto count = store.journalCount(range);
  BOOST_TEST_REQUIRE(count.ok());
  BOOST_TEST(count.value() == 4);

  std::vector<std::string> seen;
  std::int64_t after = 0;
  int pages = 0;
  for (;;) {
    auto page = store.journalPage(range, after, 2);
    BOOST_TEST_REQUIRE(page.ok(), (page.ok() ? "" : page.error().message));
    ++pages;
    for (const JournalEntry& e : page.value()) {
      seen.push_back(e.messageId);
      after = e.journalId;
    }
    if (page.value().size() < 2u)
      break;
  }
  // (received_at, journal id) order; m-2 and m-3 share a received time.
  BOOST_TEST(seen == (std::vector<std::string>{"m-1", "m-2", "m-3", "m-4"}));
  BOOST_TEST(pages == 3);

  auto first = store.journalPage(range, 0, 1000);
  BOOST_TEST_REQUIRE(first.ok());
  const auto& entries = first.value();
  BOOST_TEST_REQUIRE(entries.size() == 4u);
  BOOST_TEST(entries[0].raw.bytes == gbk);
  BOOST_TEST(entries[0].raw.charset == "GBK");
  BOOST_TEST(entries[0].raw.system == "marriage");
  BOOST_TEST(entries[0].raw.receivedAt == 1000);
  BOOST_TEST(entries[0].state == "accepted");
  BOOST_TEST_REQUIRE(entries[0].events.size() == 2u);
  BOOST_TEST(entries[0].events[0].eventId == "e-1");
  BOOST_TEST(entries[0].events[0].payload == "{\"event_id\":\"e-1\"}");
  BOOST_TEST(entries[0].events[1].eventId == "e-2");
  BOOST_TEST(entries[1].state == "rejected");
  BOOST_TEST(entries[1].events.empty());
  BOOST_TEST(entries[1].answerJson == makeIntake("marriage", "m-2", {}).answerJson);
  BOOST_TEST_REQUIRE(entries[2].events.size() == 2u);
  BOOST_TEST(entries[2].events[0].eventId == "e-2");
  BOOST_TEST(entries[2].events[0].payload == "{\"event_id\":\"e-2\"}");

  // A page size is bounded either way; a cursor must be one of the system's messages.
  auto one = store.journalPage(range, 0, 0);
  BOOST_TEST_REQUIRE(one.ok());
  BOOST_TEST(one.value().size() == 1u);
  auto foreign = store.journalPage({"funeral", 0, 10000}, entries[0].journalId, 10);
  BOOST_TEST_REQUIRE(!foreign.ok());
  BOOST_TEST(foreign.error().code == "store.not_found");
  auto empty = store.journalPage({"marriage", 3000, 4000}, 0, 10);
  BOOST_TEST_REQUIRE(empty.ok());
  BOOST_TEST(empty.value().empty());
}

void checkConcurrentClaimersNeverDoubleClaim(const StoreConfig& config) {
  constexpr int kCases = 40;
  constexpr int kPerCase = 5;
  auto first = openOrFail(config);
  auto second = openOrFail(config);  // another instance: its own connections / writer
  for (int n = 0; n < kPerCase; ++n) {
    for (int c = 0; c < kCases; ++c) {
      const std::string id = std::to_string(c) + "-" + std::to_string(n);
      intakeOk(*first,
               makeIntake("marriage", "m-" + id, {{"e-" + id, "marriage:C" + std::to_string(c)}}));
    }
  }

  std::mutex mutex;
  std::set<std::int64_t> claimedEver;  // the lease never expires: each id is claimed once
  std::map<std::string, std::vector<std::string>> order;  // per case, in claim order
  int delivered = 0;
  std::atomic<int> doubleClaims{0};
  std::atomic<int> errors{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  // Half the workers settle item by item, the other half a claim's items in one settle().
  auto worker = [&](ExchangeStore* store, bool settleRounds) {
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (delivered == kCases * kPerCase || std::chrono::steady_clock::now() > deadline) {
          return;
        }
      }
      auto claimed = store->claimDeliverable(7, 1000, 1000000000);  // the lease never expires
      if (!claimed.ok()) {
        ++errors;
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        for (const OutboxItem& item : claimed.value()) {
          if (!claimedEver.insert(item.id).second) {
            ++doubleClaims;
          }
          order[item.caseKey].push_back(item.eventId);
        }
      }
      if (settleRounds) {
        std::vector<Settlement> round;
        for (const OutboxItem& item : claimed.value()) {
          round.push_back({item.id, Settlement::Outcome::kDelivered, "{}", 1000});
        }
        auto settled = store->settle(round);
        if (!settled.ok()) {
          ++errors;
        } else {
          for (const Result<void>& r : settled.value()) {
            errors += r.ok() ? 0 : 1;
          }
        }
        std::lock_guard<std::mutex> lock(mutex);
        delivered += static_cast<int>(round.size());
        continue;
      }
      for (const OutboxItem& item : claimed.value()) {
        if (!store->markDelivered(item.id, "{}", 1000).ok()) {
          ++errors;
        }
        std::lock_guard<std::mutex> lock(mutex);
        ++delivered;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back(worker, t % 2 == 0 ? first.get() : second.get(), t % 3 == 0);
  }
  for (std::thread& t : threads) {
    t.join();
  }
  BOOST_TEST(doubleClaims.load() == 0);
  BOOST_TEST(errors.load() == 0);
  BOOST_TEST(delivered == kCases * kPerCase);
  for (const auto& [caseKey, events] : order) {
    const std::string c = caseKey.substr(caseKey.find(":C") + 2);
    std::vector<std::string> expected;
    for (int n = 0; n < kPerCase; ++n) {
      expected.push_back("e-" + c + "-" + std::to_string(n));
    }
    BOOST_TEST(events == expected, caseKey << " delivered out of order");
  }
  BOOST_TEST(depthsOk(*first).pending == 0);
}

void checkReopenPersistence(const StoreConfig& config) {
  std::int64_t deadId = 0;
  {
    auto store = openOrFail(config);
    intakeOk(*store,
             makeIntake("marriage", "m-1", {{"a1", "marriage:A"}, {"a2", "marriage:A"}}, 5));
    intakeOk(*store, makeIntake("marriage", "m-2", {{"b1", "marriage:B"}}, 6));
    auto items = claimOk(*store, 10, 1000);
    BOOST_TEST_REQUIRE(items.size() == 2u);
    requireOk(store->markDelivered(items[0].id, "{\"r\":\"a1\"}", 1000));
    requireOk(store->markDead(items[1].id, "E4001", 1000));
    deadId = items[1].id;
  }
  auto store = openOrFail(config);
  const MessageStatus s = statusOk(*store, "marriage", "m-1");
  BOOST_TEST(s.state == "delivering");
  BOOST_TEST(s.events[0].receiptJson == "{\"r\":\"a1\"}");
  BOOST_TEST(statusOk(*store, "marriage", "m-2").state == "dead");
  auto letters = store->deadLetters(10, 0);
  BOOST_TEST_REQUIRE(letters.ok());
  BOOST_TEST_REQUIRE(letters.value().size() == 1u);
  BOOST_TEST(letters.value()[0].outboxId == deadId);
  BOOST_TEST(eventIds(claimOk(*store, 10, 1000)) == (std::vector<std::string>{"a2"}));
  BOOST_TEST(intakeOk(*store,
                      makeIntake("marriage", "m-9", {{"a1", "marriage:A"}}, 5, "{\"msg\":\"m-1\"}"))
                 .repeated);
  const auto d = depthsOk(*store);
  BOOST_TEST(d.journal == 2);
  BOOST_TEST(d.pending == 1);
  BOOST_TEST(d.dead == 1);
}

void checkMigrationsIdempotent(const StoreConfig& config) {
  std::vector<int> expected;
  for (int v = 1; v <= latestSchemaVersion(); ++v) {
    expected.push_back(v);
  }
  BOOST_TEST(latestSchemaVersion() >= 2);
  for (int round = 0; round < 3; ++round) {
    auto store = openOrFail(config);
    auto applied = store->appliedMigrations();
    BOOST_TEST_REQUIRE(applied.ok());
    BOOST_TEST(applied.value() == expected);
    if (round == 0) {
      intakeOk(*store, makeIntake("marriage", "m-1", {{"a1", "marriage:A"}}));
    }
    BOOST_TEST(depthsOk(*store).journal == 1);
  }
  // Several instances starting together migrate once.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto r = ExchangeStore::open(config);
      if (!r.ok() || !r.value()->appliedMigrations().ok() ||
          r.value()->appliedMigrations().value() != expected) {
        ++failures;
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  BOOST_TEST(failures.load() == 0);
}

void measureIntakeThroughput(const StoreConfig& config, const std::string& label) {
  auto store = openOrFail(config);
  auto run = [&](int threads, int perThread, const std::string& prefix) {
    std::atomic<int> errors{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (int i = 0; i < perThread; ++i) {
          const std::string id = prefix + std::to_string(t) + "-" + std::to_string(i);
          const std::string body(600, 'x');  // about a real push's size
          auto r = store->recordIntake(makeIntake("marriage", id, {{"e-" + id, "marriage:" + id}},
                                                  0, "{\"id\":\"" + id + "\"," + body));
          if (!r.ok()) {
            ++errors;
          }
        }
      });
    }
    for (std::thread& t : pool) {
      t.join();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(errors.load() == 0);
    return threads * perThread / seconds;
  };
  const double single = run(1, 200, "s");
  const double eight = run(8, 500, "p");
  const double thirtyTwo = run(32, 125, "q");
  std::printf(
      "[%s] recordIntake (1 event, ~650 B, durable commit): 1 thread %.0f/s; 8 threads x 500 "
      "%.0f/s (%.1fx); 32 threads x 125 %.0f/s (%.1fx)\n",
      label.c_str(), single, eight, eight / single, thirtyTwo, thirtyTwo / single);
  std::fflush(stdout);
  BOOST_TEST(depthsOk(*store).journal == 200 + 8 * 500 + 32 * 125);
}

}  // namespace huitong::storage::testing
