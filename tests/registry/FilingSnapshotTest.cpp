// The intake gate's filing states in memory: read from the store only when a refresh is due by
// the (injected) clock, a local change seen at once, a refresh never undoing a newer local
// change, a failed refresh keeping the last states, the background thread reading again.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/registry/FilingSnapshot.h"

using namespace huitong;
using namespace huitong::registry;
using S = FilingState;

namespace {

Filing filing(const std::string& item, S state, std::int64_t version) {
  Filing f;
  f.system = "marriage";
  f.itemCode = item;
  f.state = state;
  f.version = version;
  return f;
}

// The store as the snapshot sees it: what it holds, how often it was read, whether it fails.
struct FakeStore {
  std::mutex mutex;
  std::vector<Filing> filings;
  std::atomic<int> reads{0};
  bool failing = false;
  FilingSnapshot::Loader loader() {
    return [this]() -> Result<std::vector<Filing>> {
      std::lock_guard<std::mutex> lock(mutex);
      ++reads;
      if (failing)
        return Error{"store.io", "database is locked", ""};
      return filings;
    };
  }
  void set(std::vector<Filing> f) {
    std::lock_guard<std::mutex> lock(mutex);
    filings = std::move(f);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(filing_snapshot)

BOOST_AUTO_TEST_CASE(refresh_is_due_by_the_clock_only) {
  FakeStore store;
  store.set({filing("A", S::kConfiguring, 2)});
  FixedClock clock(1'000'000);
  FilingSnapshot snapshot(store.loader(), clock, 5000);
  BOOST_TEST(!snapshot.state("marriage", "A"));  // nothing read yet
  auto first = snapshot.refreshIfDue();
  BOOST_TEST_REQUIRE(first.ok());
  BOOST_TEST(first.value());
  BOOST_TEST(store.reads == 1);
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kConfiguring));
  BOOST_TEST(snapshot.refreshedAt() == 1'000'000);

  // Another instance (or the CLI) moves it online: not seen before the interval has passed.
  store.set({filing("A", S::kOnline, 5)});
  clock.set(1'004'999);
  auto early = snapshot.refreshIfDue();
  BOOST_TEST_REQUIRE(early.ok());
  BOOST_TEST(!early.value());
  BOOST_TEST(store.reads == 1);
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kConfiguring));
  clock.set(1'005'000);
  auto due = snapshot.refreshIfDue();
  BOOST_TEST_REQUIRE(due.ok());
  BOOST_TEST(due.value());
  BOOST_TEST(store.reads == 2);
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kOnline));
  // Lookups never read the store.
  for (int i = 0; i < 1000; ++i)
    (void)snapshot.state("marriage", "A");
  BOOST_TEST(store.reads == 2);
  BOOST_TEST(!snapshot.state("marriage", "B"));
  BOOST_TEST(!snapshot.state("funeral", "A"));
}

BOOST_AUTO_TEST_CASE(a_local_change_is_seen_at_once_and_not_undone_by_an_older_read) {
  FakeStore store;
  store.set({filing("A", S::kJointDebugging, 3)});
  FixedClock clock(0);
  FilingSnapshot snapshot(store.loader(), clock, 5000);
  BOOST_TEST_REQUIRE(snapshot.refresh().ok());
  snapshot.apply(filing("A", S::kOnline, 4));  // this gateway's RegistryService moved it
  snapshot.apply(filing("N", S::kRequested, 1));
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kOnline));
  BOOST_TEST((*snapshot.state("marriage", "N") == S::kRequested));
  // A read that started before the change committed still holds version 3: the newer wins.
  BOOST_TEST_REQUIRE(snapshot.refresh().ok());
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kOnline));
  BOOST_TEST((*snapshot.state("marriage", "N") == S::kRequested));
  // A later change elsewhere (version 5: suspended) wins over the local one.
  store.set({filing("A", S::kSuspended, 5), filing("N", S::kRequested, 1)});
  BOOST_TEST_REQUIRE(snapshot.refresh().ok());
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kSuspended));
  // An older local notification (arriving late) does not go back either.
  snapshot.apply(filing("A", S::kOnline, 4));
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kSuspended));
  BOOST_TEST(snapshot.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_failed_refresh_keeps_the_last_states_and_waits_an_interval) {
  FakeStore store;
  store.set({filing("A", S::kOnline, 4)});
  FixedClock clock(10'000);
  FilingSnapshot snapshot(store.loader(), clock, 1000);
  BOOST_TEST_REQUIRE(snapshot.refresh().ok());
  store.failing = true;
  clock.set(11'000);
  auto r = snapshot.refreshIfDue();
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.error().code == "store.io");
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kOnline));
  BOOST_TEST(snapshot.refreshedAt() == 10'000);
  // Not retried on every call: the next attempt is an interval after the failed one.
  clock.set(11'500);
  auto waiting = snapshot.refreshIfDue();
  BOOST_TEST_REQUIRE(waiting.ok());
  BOOST_TEST(!waiting.value());
  BOOST_TEST(store.reads == 2);
  store.failing = false;
  clock.set(12'000);
  BOOST_TEST_REQUIRE(snapshot.refreshIfDue().ok());
  BOOST_TEST(snapshot.refreshedAt() == 12'000);
}

BOOST_AUTO_TEST_CASE(the_thread_reads_again_every_interval_until_stopped) {
  FakeStore store;
  store.set({filing("A", S::kConfiguring, 2)});
  SystemClock clock;
  FilingSnapshot snapshot(store.loader(), clock, 20);
  BOOST_TEST_REQUIRE(snapshot.refresh().ok());
  std::atomic<int> errors{0};
  snapshot.start([&](const Error&) { ++errors; });
  store.set({filing("A", S::kOnline, 3)});
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (*snapshot.state("marriage", "A") != S::kOnline && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  BOOST_TEST((*snapshot.state("marriage", "A") == S::kOnline));
  snapshot.stop();
  const int reads = store.reads;
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  BOOST_TEST(store.reads == reads);
  BOOST_TEST(errors == 0);
}

BOOST_AUTO_TEST_SUITE_END()
