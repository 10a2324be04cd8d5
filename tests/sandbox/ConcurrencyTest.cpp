// 16 client threads posting 2,000 events (plus the same 16 events from every thread): each
// event is stored exactly once, with distinct arrival indexes.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "PlatformHarness.h"

namespace hs = huitong::sandbox;
using hs::test::Harness;

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(sixteen_clients_two_thousand_events_all_stored_once) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 125;
  Harness h;
  std::atomic<int> accepted{0};
  std::atomic<int> duplicate{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = h.client();
      for (int i = 0; i < kPerThread; ++i) {
        // Every thread also sends the shared events: one of them wins each.
        if (i % 8 == 0) {
          auto a = c.post("/exchange/v1/case-events", hs::test::numberedEvent(i / 8, "shared"));
          const std::string s = a.status == 200 ? a.json()["status"].GetString() : "";
          (s == "accepted" ? accepted : s == "duplicate" ? duplicate : other)++;
        }
        auto a =
            c.post("/exchange/v1/case-events", hs::test::numberedEvent(t * kPerThread + i, "c"));
        (a.status == 200 ? accepted : other)++;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  constexpr int kShared = kPerThread / 8 + 1;  // i / 8 for i = 0, 8, ..., 120
  BOOST_TEST(other.load() == 0);
  BOOST_TEST(accepted.load() == kThreads * kPerThread + kShared);
  BOOST_TEST(duplicate.load() == kShared * (kThreads - 1));
  const auto held = h.platform->received();
  BOOST_TEST(held.size() == static_cast<std::size_t>(kThreads * kPerThread + kShared));
  std::set<std::string> ids;
  std::set<std::uint64_t> indexes;
  for (const auto& e : held) {
    ids.insert(e.receipt.eventId);
    indexes.insert(e.index);
  }
  BOOST_TEST(ids.size() == held.size());
  BOOST_TEST(indexes.size() == held.size());
  BOOST_TEST(*indexes.rbegin() == held.size());
  const auto s = h.platform->stats();
  BOOST_TEST(s.accepted == held.size());
  BOOST_TEST(s.duplicate == static_cast<std::uint64_t>(duplicate.load()));
}

BOOST_AUTO_TEST_SUITE_END()
