// The store queries per-item health reads (ExchangeStore::itemEvents, itemBacklogs,
// rejectionAnswers, itemLast), checked the same way on every backend.
#include <algorithm>

#include "tests/health/HealthFixture.h"

namespace huitong::health::testing {

void runStoreQueryCases(storage::ExchangeStore& store) {
  StoreFiller fill(store);
  const EpochMillis t0 = at("2026-10-09T10:00:00+08:00");
  fill.send("civil", {"A", "B"}, t0);
  fill.send("civil", {"A"}, t0 + 60'000);
  fill.send("tax", {"A"}, t0 + 120'000);  // another system's item of the same code
  BOOST_TEST(fill.settleAll(t0 + 180'000) == 4);
  fill.send("civil", {"B"}, t0 + 240'000);
  BOOST_TEST(fill.settleAll(t0 + 300'000, true) == 1);  // B's second event dies
  fill.send("civil", {"A", "A"}, t0 + 360'000);         // two pending events of A
  fill.reject("civil", 2, t0 + 400'000);
  fill.reject("civil", 1, t0 + 410'000, true);  // the filing gate's refusal

  // itemEvents: the window's events of one system, each with its item and state.
  auto events = store.itemEvents("civil", t0 + 30'000);
  BOOST_TEST_REQUIRE(events.ok(), errorOf(events));
  BOOST_TEST(events.value().size() == 4u);  // the message at t0 is before the window
  int delivered = 0, dead = 0, a = 0;
  for (const auto& e : events.value()) {
    delivered += e.deliveredAt > 0;
    dead += e.dead;
    a += e.item == "A";
    BOOST_TEST(e.receivedAt >= t0 + 30'000);
  }
  BOOST_TEST(delivered == 1);
  BOOST_TEST(dead == 1);
  BOOST_TEST(a == 3);
  auto all = store.itemEvents("civil", 0);
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST(all.value().size() == 6u);
  for (const auto& e : all.value()) {
    if (e.receivedAt == t0)
      BOOST_TEST(e.deliveredAt == t0 + 180'000);
  }

  // itemBacklogs: pending and dead per (system, item), from every system.
  auto backlogs = store.itemBacklogs();
  BOOST_TEST_REQUIRE(backlogs.ok(), errorOf(backlogs));
  BOOST_TEST(backlogs.value().size() == 2u);
  for (const auto& b : backlogs.value()) {
    BOOST_TEST(b.system == "civil");
    if (b.item == "A") {
      BOOST_TEST(b.pending == 2);
      BOOST_TEST(b.oldestPending == t0 + 360'000);
      BOOST_TEST(b.dead == 0);
    } else {
      BOOST_TEST(b.item == "B");
      BOOST_TEST(b.pending == 0);
      BOOST_TEST(b.dead == 1);
      BOOST_TEST(b.lastDeadAt == t0 + 300'000);
    }
  }

  // rejectionAnswers: only answers that refused something, in the window.
  auto answers = store.rejectionAnswers("civil", t0);
  BOOST_TEST_REQUIRE(answers.ok(), errorOf(answers));
  BOOST_TEST(answers.value().size() == 2u);
  BOOST_TEST(store.rejectionAnswers("civil", t0 + 405'000).value().size() == 1u);
  BOOST_TEST(store.rejectionAnswers("tax", 0).value().empty());

  // itemLast: the newest event and the newest delivered one, however old.
  auto lastA = store.itemLast("civil", "A");
  BOOST_TEST_REQUIRE(lastA.ok(), errorOf(lastA));
  BOOST_TEST(lastA.value().received == t0 + 360'000);
  BOOST_TEST(lastA.value().delivered == t0 + 180'000);
  auto lastB = store.itemLast("civil", "B");
  BOOST_TEST(lastB.value().received == t0 + 240'000);
  BOOST_TEST(lastB.value().delivered == t0 + 180'000);
  auto none = store.itemLast("civil", "Z");
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(none.value().received == 0);
  BOOST_TEST(none.value().delivered == 0);
  // A system name that is a prefix of another's is not confused with it.
  BOOST_TEST(store.itemLast("civ", "A").value().received == 0);
}

}  // namespace huitong::health::testing
