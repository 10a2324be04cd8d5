// The control API (/control/v1): faults (error rate, latency, 503 + Retry-After, outage and
// recovery, 429), what was received, stats, reset, and the cap on held events.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "PlatformHarness.h"

namespace hs = huitong::sandbox;
using hs::test::Answer;
using hs::test::Harness;

namespace {

const std::string kEvents = "/exchange/v1/case-events";
const std::string kFaults = "/control/v1/faults";

std::string status(const Answer& a) {
  return a.json()["status"].GetString();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(control)

BOOST_AUTO_TEST_CASE(faults_round_trip_and_bad_settings_are_400) {
  Harness h;
  auto c = h.client();
  Answer a = c.get(kFaults);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body ==
             R"({"error_rate":0.0,"latency_ms":0,"status_503_rate":0.0,"retry_after_seconds":0,)"
             R"("outage_seconds":0.0,"reject_all_with_429":false})");
  a = c.put(kFaults, R"({"error_rate":0.25,"latency_ms":5,"retry_after_seconds":3})");
  BOOST_TEST(a.status == 200, a.body);
  BOOST_TEST(a.json()["error_rate"].GetDouble() == 0.25);
  BOOST_TEST(h.platform->faults().latencyMs == 5);
  BOOST_TEST(h.platform->faults().retryAfterSeconds == 3);
  // PUT replaces every setting: what is left out is off.
  a = c.put(kFaults, R"({"status_503_rate":0.5})");
  BOOST_TEST(h.platform->faults().errorRate == 0.0);
  BOOST_TEST(h.platform->faults().status503Rate == 0.5);
  // GET's answer is a valid PUT body.
  BOOST_TEST(c.put(kFaults, c.get(kFaults).body).status == 200);

  for (const char* bad :
       {R"({"error_rate":1.5})", R"({"error_rate":"0.1"})", R"({"latency_ms":-1})",
        R"({"latency_ms":1.5})", R"({"outage_seconds":-3})", R"({"reject_all_with_429":1})",
        R"({"eror_rate":0.1})", "[]", "{"}) {
    Answer r = c.put(kFaults, bad);
    BOOST_TEST(r.status == 400, bad);
    BOOST_TEST(status(r) == "error");
  }
  BOOST_TEST(h.platform->faults().status503Rate == 0.5);
}

BOOST_AUTO_TEST_CASE(error_rate_answers_500_at_about_that_rate) {
  Harness h;
  auto c = h.client();
  BOOST_REQUIRE(c.put(kFaults, R"({"error_rate":1})").status == 200);
  Answer a = c.post(kEvents, hs::test::numberedEvent(1));
  BOOST_TEST(a.status == 500);
  BOOST_TEST(status(a) == "error");
  BOOST_TEST(!std::string(a.json()["message"].GetString()).empty());
  BOOST_TEST(c.get(kEvents + "/x").status == 500);
  BOOST_TEST(c.get("/exchange/v1/health").status == 200);  // health only fails in an outage
  BOOST_TEST(h.platform->receivedCount() == 0u);

  BOOST_REQUIRE(c.put(kFaults, R"({"error_rate":0.3,"seed":7})").status == 200);
  int failed = 0;
  for (int i = 0; i < 400; ++i) {
    const int s = c.post(kEvents, hs::test::numberedEvent(i)).status;
    BOOST_TEST((s == 200 || s == 500));
    failed += s == 500;
  }
  BOOST_TEST(failed > 80);
  BOOST_TEST(failed < 160);
  BOOST_TEST(h.platform->receivedCount() == 400u - static_cast<unsigned>(failed));
  BOOST_TEST(h.platform->stats().injected500 == 2u + static_cast<unsigned>(failed));

  // The same seed gives the same sequence.
  auto run = [&] {
    c.put(kFaults, R"({"error_rate":0.5,"seed":99})");
    std::string pattern;
    for (int i = 0; i < 40; ++i) {
      pattern += c.post(kEvents, hs::test::numberedEvent(i)).status == 500 ? 'x' : '.';
    }
    return pattern;
  };
  BOOST_TEST(run() == run());
}

BOOST_AUTO_TEST_CASE(latency_delays_exchange_answers_not_control) {
  Harness h;
  auto c = h.client();
  BOOST_REQUIRE(c.put(kFaults, R"({"latency_ms":1000})").status == 200);
  auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(c.post(kEvents, hs::test::numberedEvent(1)).status == 200);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(1000)));
  t0 = std::chrono::steady_clock::now();
  BOOST_TEST(c.get("/control/v1/stats").status == 200);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(900)));
}

BOOST_AUTO_TEST_CASE(status_503_with_retry_after_and_429) {
  Harness h;
  auto c = h.client();
  BOOST_REQUIRE(c.put(kFaults, R"({"status_503_rate":1,"retry_after_seconds":7})").status == 200);
  Answer a = c.post(kEvents, hs::test::numberedEvent(1));
  BOOST_TEST(a.status == 503);
  BOOST_TEST(a.header("retry-after") == "7");
  BOOST_TEST(status(a) == "error");
  a = c.post("/exchange/v1/case-events:batch", "[" + hs::test::numberedEvent(1) + "]");
  BOOST_TEST(a.status == 503);

  BOOST_REQUIRE(c.put(kFaults, R"({"status_503_rate":1})").status == 200);
  a = c.post(kEvents, hs::test::numberedEvent(1));
  BOOST_TEST(a.status == 503);
  BOOST_TEST(a.header("retry-after").empty());

  BOOST_REQUIRE(c.put(kFaults, R"({"reject_all_with_429":true,"retry_after_seconds":3})").status ==
                200);
  a = c.post(kEvents, hs::test::numberedEvent(1));
  BOOST_TEST(a.status == 429);
  BOOST_TEST(a.header("retry-after") == "3");
  BOOST_TEST(status(a) == "error");
  BOOST_TEST(c.get("/exchange/v1/health").status == 200);

  BOOST_REQUIRE(c.put(kFaults, "{}").status == 200);
  BOOST_TEST(c.post(kEvents, hs::test::numberedEvent(1)).status == 200);
  const auto s = h.platform->stats();
  BOOST_TEST(s.injected503 == 3u);
  BOOST_TEST(s.injected429 == 1u);
  BOOST_TEST(h.platform->receivedCount() == 1u);
}

BOOST_AUTO_TEST_CASE(outage_refuses_everything_until_the_clock_passes_it) {
  Harness h;
  auto c = h.client();
  BOOST_REQUIRE(c.put(kFaults, R"({"outage_seconds":30})").status == 200);
  Answer a = c.get("/exchange/v1/health");
  BOOST_TEST(a.status == 503);
  BOOST_TEST(a.header("retry-after") == "30");
  BOOST_TEST(status(a) == "error");
  a = c.post(kEvents, hs::test::numberedEvent(1));
  BOOST_TEST(a.status == 503);
  BOOST_TEST(c.get(kEvents + "/x").status == 503);
  BOOST_TEST(c.get("/nowhere/at/all").status == 404);  // not the platform's path
  BOOST_TEST(c.get("/control/v1/stats").status == 200);

  h.clock.advance(20500);
  a = c.get("/exchange/v1/health");
  BOOST_TEST(a.status == 503);
  BOOST_TEST(a.header("retry-after") == "10");
  BOOST_TEST(c.get(kFaults).json()["outage_seconds"].GetDouble() == 9.5);

  h.clock.advance(9500);
  BOOST_TEST(c.get("/exchange/v1/health").status == 200);
  BOOST_TEST(c.post(kEvents, hs::test::numberedEvent(1)).status == 200);
  BOOST_TEST(h.platform->stats().outage503 == 4u);
}

BOOST_AUTO_TEST_CASE(received_lists_in_arrival_order_and_reset_empties) {
  Harness h;
  auto c = h.client();
  for (int i = 0; i < 5; ++i) {
    BOOST_REQUIRE(c.post(kEvents, hs::test::numberedEvent(i)).status == 200);
    h.clock.advance(1000);
  }
  Answer a = c.get("/control/v1/received?since=0&limit=2");
  BOOST_TEST(a.status == 200, a.body);
  auto doc = a.json();
  BOOST_TEST(doc["total"].GetUint64() == 5u);
  BOOST_TEST(doc["next_since"].GetUint64() == 2u);
  BOOST_REQUIRE(doc["events"].Size() == 2u);
  BOOST_TEST(doc["events"][0]["index"].GetUint64() == 1u);
  BOOST_TEST(std::string(doc["events"][0]["event_id"].GetString()) == "marriage:HYt0:accept:1:v1");
  BOOST_TEST(std::string(doc["events"][1]["received_at"].GetString()) ==
             huitong::formatRfc3339(hs::test::kNow + 1000));
  BOOST_TEST(std::string(doc["events"][0]["receipt_no"].GetString()) == "MP0000000001");
  BOOST_TEST(hs::test::write(doc["events"][0]["event"]) ==
             hs::canonicalJson(hs::test::parse(hs::test::numberedEvent(0))));

  doc = c.get("/control/v1/received?since=2").json();
  BOOST_REQUIRE(doc["events"].Size() == 3u);
  BOOST_TEST(doc["events"][0]["index"].GetUint64() == 3u);
  BOOST_TEST(doc["next_since"].GetUint64() == 5u);
  doc = c.get("/control/v1/received?since=5").json();
  BOOST_TEST(doc["events"].Size() == 0u);
  BOOST_TEST(doc["next_since"].GetUint64() == 5u);
  for (const char* bad : {"?since=-1", "?limit=0", "?limit=x", "?sinse=1"}) {
    BOOST_TEST(c.get(std::string("/control/v1/received") + bad).status == 400, bad);
  }

  const auto held = h.platform->received(3, 10);
  BOOST_REQUIRE(held.size() == 2u);
  BOOST_TEST(held[0].index == 4u);
  BOOST_TEST(held[1].receipt.receivedAt == hs::test::kNow + 4000);

  doc = c.get("/control/v1/stats").json();
  BOOST_TEST(doc["accepted"].GetUint64() == 5u);
  BOOST_TEST(doc["stored"].GetUint64() == 5u);
  BOOST_TEST(doc["injected"]["error_500"].GetUint64() == 0u);

  BOOST_REQUIRE(c.put(kFaults, R"({"latency_ms":1})").status == 200);
  a = c.post("/control/v1/reset", "");
  BOOST_TEST(a.status == 200);
  BOOST_TEST(status(a) == "reset");
  BOOST_TEST(h.platform->receivedCount() == 0u);
  BOOST_TEST(h.platform->faults().latencyMs == 0);
  doc = c.get("/control/v1/stats").json();
  BOOST_TEST(doc["accepted"].GetUint64() == 0u);
  BOOST_TEST(doc["stored"].GetUint64() == 0u);
  BOOST_TEST(c.get(kEvents + "/marriage:HYt0:accept:1:v1").status == 404);

  // Indexes and receipt numbers are never reused.
  a = c.post(kEvents, hs::test::numberedEvent(0));
  BOOST_TEST(a.status == 200);
  BOOST_TEST(std::string(a.json()["status"].GetString()) == "accepted");
  BOOST_TEST(std::string(a.json()["receipt"]["receipt_no"].GetString()) == "MP0000000006");
  BOOST_TEST(c.get("/control/v1/received").json()["events"][0]["index"].GetUint64() == 6u);
}

BOOST_AUTO_TEST_CASE(a_full_platform_answers_503_and_stores_a_batch_whole_or_not_at_all) {
  hs::MockPlatform::Options options;
  options.maxStoredEvents = 3;
  Harness h(options);
  auto c = h.client();
  for (int i = 0; i < 2; ++i) {
    BOOST_REQUIRE(c.post(kEvents, hs::test::numberedEvent(i)).status == 200);
  }
  // 2 new events do not fit in the 1 place left: nothing of the batch is stored.
  Answer a = c.post("/exchange/v1/case-events:batch", "[" + hs::test::numberedEvent(0) + "," +
                                                          hs::test::numberedEvent(2) + "," +
                                                          hs::test::numberedEvent(3) + "]");
  BOOST_TEST(a.status == 503);
  BOOST_TEST(std::string(a.json()["message"].GetString()).find("reset") != std::string::npos);
  BOOST_TEST(h.platform->receivedCount() == 2u);

  BOOST_TEST(c.post(kEvents, hs::test::numberedEvent(2)).status == 200);
  a = c.post(kEvents, hs::test::numberedEvent(3));
  BOOST_TEST(a.status == 503);
  BOOST_TEST(status(a) == "error");
  // What is held still answers: duplicates, conflicts, receipts.
  a = c.post(kEvents, hs::test::numberedEvent(0));
  BOOST_TEST(a.status == 200);
  BOOST_TEST(status(a) == "duplicate");
  BOOST_TEST(c.get(kEvents + "/marriage:HYt1:accept:1:v1").status == 200);
  BOOST_TEST(h.platform->stats().full == 2u);

  BOOST_TEST(c.post("/control/v1/reset", "").status == 200);
  BOOST_TEST(c.post(kEvents, hs::test::numberedEvent(3)).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
