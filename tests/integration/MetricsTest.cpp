// /metrics after real traffic (accepted, rejected, refused, delivered) passes
// `promtool check metrics`. main.cpp exits 77 (skipped) when promtool is not installed
// (Debian package `prometheus`).
#include <memory>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(metrics_after_traffic_pass_promtool) {
  const std::string promtool = findProgram("promtool");
  BOOST_TEST_REQUIRE(!promtool.empty());
  TempDir dir("huitong-it-metrics");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential marriage = makeCredential("marriage");
  GatewayOptions o = deliveringTo(dir.path(), platform, {marriage});
  GatewayProcess gateway(dir.path(), o);

  std::atomic<int> port{gateway.port()};
  LoadPlan plan;
  plan.cases = 10;
  plan.clients = 2;
  plan.casePrefix = "HYME";
  Load load(plan, marriage, port);
  load.start();
  load.join();
  HttpClient c(gateway.port());
  // A rejection, an unreadable body and a refused signature, so those families have samples.
  std::string bad = marriageMessage("HYME999999", 9, 1).body;
  bad.replace(bad.find("\"status\":\"ACCEPTED\""), 19, "\"status\":\"NO_SUCH_STATUS\"");
  BOOST_TEST(signedPost(c, marriage, "/intake/v1/marriage", bad).status == 422);
  BOOST_TEST(signedPost(c, marriage, "/intake/v1/marriage", "{").status == 400);
  BOOST_TEST(c.send("POST", "/intake/v1/marriage", "{}", "application/json").status == 401);
  BOOST_TEST(waitForDrain(platform, gateway, static_cast<std::int64_t>(load.size()), 120s));

  const Answer m = c.send("GET", "/metrics");
  BOOST_TEST_REQUIRE(m.status == 200);
  BOOST_TEST(m.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0,
             m.header("content-type"));
  const auto file = dir.write("metrics.txt", m.body);
  Process check({promtool, "check", "metrics"}, dir.path(), "promtool", file.string());
  const int status = check.wait(60s);
  const std::string out = readFile(check.outPath()) + readFile(check.errPath());
  BOOST_TEST_MESSAGE("promtool check metrics: " << check.describe() << "\n" << out);
  BOOST_TEST(check.describe() == "exit 0", "promtool check metrics failed ("
                                               << check.describe() << ", status " << status
                                               << "):\n"
                                               << out << "\n--- /metrics ---\n"
                                               << m.body);
  BOOST_TEST(gateway.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
