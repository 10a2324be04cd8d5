// POST /exchange/v1/case-events:batch: one result per element, in order, each judged on its
// own; 1 to 500 elements.
#include <boost/test/unit_test.hpp>

#include <string>

#include "PlatformHarness.h"

namespace hs = huitong::sandbox;
using hs::test::Answer;
using hs::test::Harness;

namespace {

const std::string kBatch = "/exchange/v1/case-events:batch";

std::string batchOf(int first, int count) {
  std::string body = "[";
  for (int i = first; i < first + count; ++i) {
    body += (i == first ? "" : ",") + hs::test::numberedEvent(i);
  }
  return body + "]";
}

std::string status(const rapidjson::Value& v) {
  return v["status"].GetString();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(batch)

BOOST_AUTO_TEST_CASE(mixed_results_in_order) {
  Harness h;
  auto c = h.client();
  BOOST_REQUIRE(c.post("/exchange/v1/case-events", hs::test::numberedEvent(1)).status == 200);

  rapidjson::Document conflicting = hs::test::parse(hs::test::numberedEvent(1));
  conflicting["seq"] = 2;
  rapidjson::Document invalid = hs::test::parse(hs::test::numberedEvent(3));
  invalid["applicant"]["mobile"] = "123";
  rapidjson::Document changed2 = hs::test::parse(hs::test::numberedEvent(2));
  changed2["version"] = 2;

  const std::string body = "[" + hs::test::numberedEvent(2) + "," +  // new
                           hs::test::numberedEvent(1) + "," +        // duplicate
                           hs::test::write(conflicting) + "," +      // conflict
                           hs::test::write(invalid) + "," +          // rejected
                           "42," +                                   // rejected: not an object
                           hs::test::numberedEvent(2) + "," +        // duplicate of element 0
                           hs::test::write(changed2) + "]";          // conflict with element 0
  Answer a = c.post(kBatch, body);
  BOOST_TEST(a.status == 200, a.body);
  auto doc = a.json();
  const auto& results = doc["results"];
  BOOST_REQUIRE(results.Size() == 7u);
  BOOST_TEST(status(results[0]) == "accepted");
  BOOST_TEST(std::string(results[0]["receipt"]["receipt_no"].GetString()) == "MP0000000002");
  BOOST_TEST(status(results[1]) == "duplicate");
  BOOST_TEST(std::string(results[1]["receipt"]["receipt_no"].GetString()) == "MP0000000001");
  BOOST_TEST(status(results[2]) == "conflict");
  BOOST_TEST(status(results[3]) == "rejected");
  BOOST_TEST(std::string(results[3]["errors"][0]["code"].GetString()) == "mobile");
  BOOST_TEST(std::string(results[3]["event_id"].GetString()) == "marriage:HYt3:accept:1:v1");
  BOOST_TEST(status(results[4]) == "rejected");
  BOOST_TEST(std::string(results[4]["errors"][0]["code"].GetString()) == "type");
  BOOST_TEST(status(results[5]) == "duplicate");
  BOOST_TEST(std::string(results[5]["receipt"]["receipt_no"].GetString()) == "MP0000000002");
  BOOST_TEST(status(results[6]) == "conflict");

  BOOST_TEST(h.platform->receivedCount() == 2u);
  const auto s = h.platform->stats();
  BOOST_TEST(s.accepted == 2u);
  BOOST_TEST(s.duplicate == 2u);
  BOOST_TEST(s.conflict == 2u);
  BOOST_TEST(s.rejected == 2u);
}

BOOST_AUTO_TEST_CASE(one_to_five_hundred_elements) {
  Harness h;
  auto c = h.client();
  Answer a = c.post(kBatch, batchOf(0, 500));
  BOOST_TEST(a.status == 200);
  auto doc = a.json();
  BOOST_TEST(doc["results"].Size() == 500u);
  for (const auto& r : doc["results"].GetArray()) {
    BOOST_TEST(status(r) == "accepted");
  }
  BOOST_TEST(h.platform->receivedCount() == 500u);

  for (const std::string& body : {batchOf(1000, 501), std::string("[]"), hs::test::numberedEvent(7),
                                  std::string("{}"), std::string("\"x\"")}) {
    Answer bad = c.post(kBatch, body);
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(status(bad.json()) == "error");
    BOOST_TEST(std::string(bad.json()["message"].GetString()).find("1 to 500") !=
               std::string::npos);
  }
  BOOST_TEST(c.post(kBatch, "[1,").status == 400);
  BOOST_TEST(c.send("POST", kBatch, batchOf(2000, 1), "text/plain").status == 400);
  BOOST_TEST(c.post(kBatch, batchOf(2000, 1)).status == 200);
  BOOST_TEST(h.platform->receivedCount() == 501u);
}

BOOST_AUTO_TEST_SUITE_END()
