#define BOOST_TEST_MODULE monitor
#include <boost/test/unit_test.hpp>
#include <memory>

#include "gateway/core/Json.h"
#include "gateway/monitor/Check.h"
#include "gateway/monitor/CheckResult.h"

using namespace huitong;
using namespace huitong::monitor;

BOOST_AUTO_TEST_CASE(a_result_is_written_with_its_steps_timings_and_values) {
  CheckResult r;
  r.checkId = "applicant-login";
  r.kind = "login";
  r.target = "https://127.0.0.1:8443/login";
  r.startedAt = 1795829400000;  // 2026-11-28T09:30:00+08:00
  r.durationMs = 42.5;
  r.status = CheckStatus::kFail;
  r.message = "step 2 (submit login): expected status 302, got 200";
  StepResult page;
  page.name = "login page";
  page.url = r.target;
  page.httpStatus = 200;
  page.timings.connectMs = 1.5;
  page.timings.totalMs = 10;
  r.steps.push_back(page);
  StepResult submit;
  submit.name = "submit login";
  submit.status = CheckStatus::kFail;
  submit.failure = "expected status 302, got 200";
  r.steps.push_back(submit);
  r.values["latency_ms"] = 42.5;

  rapidjson::Document d(rapidjson::kObjectType);
  rapidjson::Value v = toJson(r, d.GetAllocator());
  auto back = json::parse(json::write(v));
  BOOST_REQUIRE(back.ok());
  const rapidjson::Document& j = back.value();
  BOOST_TEST(std::string(j["status"].GetString()) == "fail");
  BOOST_TEST(std::string(j["started_at"].GetString()) == "2026-11-28T09:30:00+08:00");
  BOOST_TEST(j["steps"].Size() == 2u);
  BOOST_TEST(j["steps"][0]["timings"]["connect_ms"].GetDouble() == 1.5);
  BOOST_TEST(!j["steps"][0]["timings"].HasMember("dns_ms"));  // a phase that did not happen
  BOOST_TEST(!j["steps"][1].HasMember("timings"));
  BOOST_TEST(std::string(j["steps"][1]["failure"].GetString()) == "expected status 302, got 200");
  BOOST_TEST(j["values"]["latency_ms"].GetDouble() == 42.5);
  BOOST_TEST(std::string(toString(CheckStatus::kError)) == "error");
}

namespace {

// A config entry as the gateway's file would give it ("test.json#/pointer" as its place).
struct Entry {
  rapidjson::Document doc;
  std::unique_ptr<ConfigNode> node;
  explicit Entry(const char* text) {
    auto parsed = json::parse(text);
    BOOST_REQUIRE(parsed.ok());
    doc = std::move(parsed.value());
    node = std::make_unique<ConfigNode>(
        doc, "/monitor/probes/0", [](const std::string& p) { return "test.json#" + p; }, "/base");
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(cadence_defaults_and_refusals) {
  Entry plain(R"({"id":"home"})");
  auto c = readCadence(*plain.node);
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c.value().schedule == "5x8");
  BOOST_TEST(c.value().intervalSeconds == 60u);
  BOOST_TEST(c.value().intensifiedIntervalSeconds == 15u);
  BOOST_TEST(c.value().timeoutMs == 10000u);

  Entry always(R"({"schedule":"7x24","interval_s":10,"timeout_ms":2000})");
  auto a = readCadence(*always.node);
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(a.value().schedule == "7x24");
  BOOST_TEST(a.value().intensifiedIntervalSeconds == 5u);  // a quarter, but never below 5 s

  Entry slower(R"({"interval_s":30,"intensified_interval_s":60})");
  auto s = readCadence(*slower.node);
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(s.error().describe().find("intensified_interval_s") != std::string::npos);
  BOOST_TEST(s.error().describe().find("test.json#/monitor/probes/0") != std::string::npos);

  Entry nonsense(R"({"schedule":"5x9"})");
  BOOST_TEST(!readCadence(*nonsense.node).ok());
  Entry hang(R"({"interval_s":5,"timeout_ms":60000})");
  BOOST_TEST(!readCadence(*hang.node).ok());
}
