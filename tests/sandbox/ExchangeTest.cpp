// The exchange interface's transport (spec §1): health, one event, receipts, duplicate vs
// conflict, content type, malformed JSON, size, bearer token, request ids, unknown paths.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "PlatformHarness.h"
#include "gateway/core/Clock.h"

namespace hs = huitong::sandbox;
using hs::test::Answer;
using hs::test::Harness;

namespace {

const std::string kEvents = "/exchange/v1/case-events";

std::string str(const rapidjson::Value& v, const char* name) {
  BOOST_REQUIRE(v.IsObject() && v.HasMember(name) && v[name].IsString());
  return v[name].GetString();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exchange)

BOOST_AUTO_TEST_CASE(health_is_up_and_every_answer_has_a_request_id) {
  Harness h;
  auto c = h.client();
  Answer a = c.get("/exchange/v1/health");
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body == R"({"status":"up"})");
  BOOST_TEST(a.header("content-type") == "application/json; charset=utf-8");
  BOOST_TEST(!a.header("x-request-id").empty());

  a = c.send("GET", "/exchange/v1/health", "", "", {{"X-Request-Id", "req-42"}});
  BOOST_TEST(a.header("x-request-id") == "req-42");
  a = c.send("GET", "/nowhere", "", "", {{"X-Request-Id", "req-43"}});
  BOOST_TEST(a.status == 404);
  BOOST_TEST(a.header("x-request-id") == "req-43");
  // An unusable id (control characters, too long) is replaced, not echoed.
  a = c.send("GET", "/exchange/v1/health", "", "", {{"X-Request-Id", std::string(300, 'x')}});
  BOOST_TEST(a.header("x-request-id").size() < 300u);
}

BOOST_AUTO_TEST_CASE(accepts_an_event_and_answers_its_receipt) {
  Harness h;
  auto c = h.client();
  Answer a = c.post(kEvents, hs::test::write(hs::test::baseEvent()));
  BOOST_TEST(a.status == 200, a.body);
  auto body = a.json();
  BOOST_TEST(str(body, "status") == "accepted");
  const rapidjson::Value& receipt = body["receipt"];
  BOOST_TEST(str(receipt, "receipt_no") == "MP0000000001");
  BOOST_TEST(str(receipt, "event_id") == "marriage:HY2026112000058:accept:1:v1");
  BOOST_TEST(str(receipt, "received_at") == huitong::formatRfc3339(hs::test::kNow));

  Answer r = c.get(kEvents + "/marriage:HY2026112000058:accept:1:v1");
  BOOST_TEST(r.status == 200, r.body);
  auto rb = r.json();
  BOOST_TEST(str(rb, "status") == "accepted");
  BOOST_TEST(hs::test::write(rb["receipt"]) == hs::test::write(receipt));

  // Percent-encoded ids are decoded.
  r = c.get(kEvents + "/marriage%3AHY2026112000058%3Aaccept%3A1%3Av1");
  BOOST_TEST(r.status == 200);

  Answer missing = c.get(kEvents + "/marriage:nothing:accept:1:v1");
  BOOST_TEST(missing.status == 404);
  auto mb = missing.json();
  BOOST_TEST(str(mb, "status") == "error");
  BOOST_TEST(!str(mb, "message").empty());

  const auto held = h.platform->received();
  BOOST_REQUIRE(held.size() == 1u);
  BOOST_TEST(held[0].index == 1u);
  BOOST_TEST(held[0].receipt.receivedAt == hs::test::kNow);
  BOOST_TEST(h.platform->stats().accepted == 1u);
}

BOOST_AUTO_TEST_CASE(same_content_is_duplicate_with_the_original_receipt_other_content_conflict) {
  Harness h;
  auto c = h.client();
  Answer first = c.post(kEvents, hs::test::write(hs::test::baseEvent()));
  BOOST_REQUIRE(first.status == 200);
  const std::string originalReceipt = hs::test::write(first.json()["receipt"]);
  h.clock.advance(60000);

  // The same content with members in another order, and whitespace.
  const std::string reordered = R"({ "source": {"received_at": "2026-11-23T09:16:00+08:00",
      "system": "marriage"}, "detail": {"decision": "accepted"},
    "handler": {"staff_no": "HY0107", "name": "冯婉仪"},
    "applicant": {"mobile": "13925380461", "id_no": "442000199304120314", "id_type": "111",
                  "name": "梁志豪", "type": "person"},
    "department": {"region_code": "442000", "uscc": "124420004558631795",
                   "name": "中山市婚姻登记处"},
    "item": {"name": "内地居民结婚登记", "code": "1244200045586317954442071001000"},
    "occurred_at": "2026-11-23T09:15:40+08:00", "version": 1, "seq": 1, "stage": "accept",
    "case_no": "HY2026112000058", "event_id": "marriage:HY2026112000058:accept:1:v1",
    "spec": "case-event/1" })";
  Answer dup = c.post(kEvents, reordered);
  BOOST_TEST(dup.status == 200, dup.body);
  auto db = dup.json();
  BOOST_TEST(str(db, "status") == "duplicate");
  BOOST_TEST(hs::test::write(db["receipt"]) == originalReceipt);

  rapidjson::Document changed = hs::test::baseEvent();
  changed["handler"]["staff_no"] = "HY0108";
  Answer conflict = c.post(kEvents, hs::test::write(changed));
  BOOST_TEST(conflict.status == 409, conflict.body);
  auto cb = conflict.json();
  BOOST_TEST(str(cb, "status") == "conflict");
  BOOST_TEST(str(cb, "event_id") == "marriage:HY2026112000058:accept:1:v1");
  BOOST_TEST(!str(cb, "message").empty());

  // Absent optional member = other content.
  rapidjson::Document fewer = hs::test::baseEvent();
  fewer.RemoveMember("handler");
  BOOST_TEST(c.post(kEvents, hs::test::write(fewer)).status == 409);

  BOOST_TEST(h.platform->receivedCount() == 1u);
  const auto s = h.platform->stats();
  BOOST_TEST(s.accepted == 1u);
  BOOST_TEST(s.duplicate == 1u);
  BOOST_TEST(s.conflict == 2u);
}

BOOST_AUTO_TEST_CASE(content_type_must_be_json_in_utf8) {
  Harness h;
  auto c = h.client();
  const std::string event = hs::test::write(hs::test::baseEvent());
  for (const char* type : {"text/plain", "", "application/xml", "application/json; charset=gbk"}) {
    Answer a = c.send("POST", kEvents, event, type);
    BOOST_TEST(a.status == 400, type);
    BOOST_TEST(str(a.json(), "status") == "error");
    BOOST_TEST(!str(a.json(), "message").empty());
  }
  BOOST_TEST(c.send("POST", kEvents, event, "application/json").status == 200);
  BOOST_TEST(c.send("POST", kEvents, event, "Application/JSON; Charset=UTF-8").status == 200);
  BOOST_TEST(h.platform->stats().badRequest == 4u);
}

BOOST_AUTO_TEST_CASE(malformed_json_is_400_error) {
  Harness h;
  auto c = h.client();
  for (const char* body : {"{", "", "{\"a\":1,}", "[1,2", "\"\xff\"", "{} {}"}) {
    Answer a = c.post(kEvents, body);
    BOOST_TEST(a.status == 400, body);
    BOOST_TEST(str(a.json(), "status") == "error");
    BOOST_TEST(str(a.json(), "message").find("JSON") != std::string::npos);
  }
  // Readable JSON that is not an event object is judged: 422.
  Answer a = c.post(kEvents, "[]");
  BOOST_TEST(a.status == 422);
  BOOST_TEST(h.platform->receivedCount() == 0u);
}

BOOST_AUTO_TEST_CASE(bodies_over_one_mebibyte_are_413) {
  Harness h;
  auto c = h.client();
  const std::size_t mib = 1024 * 1024;
  Answer a = c.post(kEvents, std::string(mib + 1, ' '));
  BOOST_TEST(a.status == 413);
  BOOST_TEST(str(a.json(), "status") == "error");
  // Exactly 1 MiB is read (and is then judged: whitespace is not JSON).
  a = c.post(kEvents, std::string(mib, ' '));
  BOOST_TEST(a.status == 400);
  a = c.post("/exchange/v1/case-events:batch", "[" + std::string(4 * mib, ' ') + "]");
  BOOST_TEST(a.status == 413);
  // The connection still serves.
  BOOST_TEST(c.get("/exchange/v1/health").status == 200);
  BOOST_TEST(h.platform->stats().tooLarge == 2u);
}

BOOST_AUTO_TEST_CASE(bearer_token_is_required_when_set) {
  hs::MockPlatform::Options options;
  options.bearerToken = "s3cret";
  Harness h(options);
  auto c = h.client();
  const std::string event = hs::test::write(hs::test::baseEvent());
  const std::string json = "application/json; charset=utf-8";

  Answer a = c.post(kEvents, event);
  BOOST_TEST(a.status == 401);
  BOOST_TEST(a.header("www-authenticate").find("Bearer") == 0u);
  BOOST_TEST(str(a.json(), "status") == "error");
  BOOST_TEST(c.send("POST", kEvents, event, json, {{"Authorization", "Bearer wrong"}}).status ==
             401);
  BOOST_TEST(c.send("POST", kEvents, event, json, {{"Authorization", "Basic s3cret"}}).status ==
             401);
  BOOST_TEST(c.send("GET", "/exchange/v1/health").status == 401);
  BOOST_TEST(h.platform->receivedCount() == 0u);

  a = c.send("POST", kEvents, event, json, {{"Authorization", "Bearer s3cret"}});
  BOOST_TEST(a.status == 200, a.body);
  BOOST_TEST(
      c.send("GET", "/exchange/v1/health", "", "", {{"Authorization", "bearer s3cret"}}).status ==
      200);
  // The control API needs no token.
  BOOST_TEST(c.get("/control/v1/stats").status == 200);
  BOOST_TEST(h.platform->stats().unauthorized == 4u);
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_404_and_wrong_methods_405) {
  Harness h;
  auto c = h.client();
  for (const char* path : {"/", "/exchange/v1/", "/exchange/v2/case-events",
                           "/exchange/v1/case-events/a/b", "/control/v1/nothing"}) {
    Answer a = c.get(path);
    BOOST_TEST(a.status == 404, path);
    BOOST_TEST(str(a.json(), "status") == "error");
  }
  Answer a = c.get(kEvents);
  BOOST_TEST(a.status == 405);
  BOOST_TEST(a.header("allow") == "POST");
  BOOST_TEST(c.send("DELETE", kEvents + "/x").status == 405);
  BOOST_TEST(c.post("/exchange/v1/health", "{}").status == 405);
  BOOST_TEST(c.get("/exchange/v1/case-events:batch").status == 405);
  BOOST_TEST(c.get("/control/v1/reset").status == 405);
}

BOOST_AUTO_TEST_CASE(stop_lets_a_slow_request_finish_and_is_idempotent) {
  Harness h;
  hs::FaultSettings f;
  f.latencyMs = 20000;
  h.platform->setFaults(f);
  Answer a;
  std::thread t([&] {
    auto c = h.client();
    a = c.get("/exchange/v1/health");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  h.platform->stop();
  t.join();
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)));
  BOOST_TEST(a.status == 200);
  h.platform->stop();
}

BOOST_AUTO_TEST_CASE(a_port_in_use_is_an_error) {
  Harness h;
  hs::MockPlatform::Options options;
  options.port = h.platform->port();
  hs::MockPlatform second(options);
  auto r = second.start();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "mock.listen");
}

BOOST_AUTO_TEST_SUITE_END()
