// The drill's logic without the real gateway (tests/integration/DrillTest.cpp runs it against
// the real `huitong serve`): figures, receipts and loss detection, records on the audit trail,
// and every way a run can end — lost events, an operator's Ctrl-C, a platform already down, a
// gateway not ready — with the platform's faults put back as they were.
#define BOOST_TEST_MODULE ops_drill
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/ops/drill/DrillLedger.h"
#include "gateway/ops/drill/DrillMessages.h"
#include "gateway/ops/drill/PlatformOutageDrill.h"
#include "gateway/registry/RegistryStore.h"
#include "sandbox/mock_platform/MockPlatform.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::ops::drill;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("huitong-drill-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A simulator config for marriage (hmac) and the folder department, on the project's scripts.
std::string writeSimulatorConfig(const TempDir& dir) {
  const fs::path file = dir.path / "simulator.json";
  std::ofstream(file) << R"({
  "interval_ms": 1000,
  "scripts": ")" << (fs::path(HUITONG_SOURCE_DIR) / "sandbox/simulator/scripts").string()
                      << R"(",
  "departments": {
    "marriage": {"via": "http", "url": "http://127.0.0.1:8600/intake/v1/marriage",
                 "content_type": "application/json; charset=utf-8",
                 "key_id": "marriage-drill-1", "alg": "hmac-sha256", "secret": "drill-secret"},
    "social-assistance": {"via": "folder", "folder": "drop", "charset": "GB18030"}
  }
})";
  return file.string();
}

// A gateway that is ready and accepts every message (202 with a receipt naming one event) but
// never delivers anything: what a drill must catch as loss.
class AcceptingGateway {
 public:
  AcceptingGateway() {
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        new Factory(*this), Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
        params);
    server_->start();
  }
  ~AcceptingGateway() { server_->stopAll(true); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->socket().address().port());
  }
  int accepted() const { return accepted_; }
  std::atomic<bool> ready{true};

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(AcceptingGateway& g) : g_(g) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& res) override {
      std::string body;
      Poco::StreamCopier::copyToString(req.stream(), body);
      std::string answer = "{}";
      res.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
      if (req.getURI() == "/readyz") {
        if (!g_.ready)
          res.setStatus(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
      } else if (req.getURI() == "/metrics") {
        answer = "# TYPE huitong_outbox_pending gauge\nhuitong_outbox_pending " +
                 std::to_string(g_.accepted_.load()) + "\nhuitong_outbox_dead 0\n";
      } else if (req.getURI() == "/intake/v1/marriage" && req.getMethod() == "POST" &&
                 req.has("Signature") && req.has("Content-Digest")) {
        const int n = ++g_.accepted_;
        res.setStatus(Poco::Net::HTTPResponse::HTTP_ACCEPTED);
        answer = "{\"message_id\":\"m-" + std::to_string(n) + "\",\"events\":[\"marriage:LOST" +
                 std::to_string(n) + ":submit:1:v1\"],\"rejected\":[]}";
      } else {
        res.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      }
      res.setContentType("application/json");
      res.sendBuffer(answer.data(), answer.size());
    }
    AcceptingGateway& g_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(AcceptingGateway& g) : g_(g) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(g_);
    }
    AcceptingGateway& g_;
  };
  std::atomic<int> accepted_{0};
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

struct Platform {
  sandbox::MockPlatform mock{sandbox::MockPlatform::Options{}};
  Platform() { BOOST_REQUIRE(mock.start().ok()); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(mock.port()); }
};

DrillPlan quickPlan(const std::string& gateway, const std::string& platform) {
  DrillPlan p;
  p.gatewayUrl = gateway;
  p.platformUrl = platform;
  p.outageSeconds = 1;
  p.messages = 3;
  p.drainTimeoutSeconds = 1;
  p.pollMillis = 100;
  p.requestTimeoutMillis = 3000;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(drill_logic)

BOOST_AUTO_TEST_CASE(metric_values_by_exact_series) {
  const std::string text =
      "# HELP huitong_outbox_pending x\nhuitong_outbox_pending 12\n"
      "huitong_outbox_pending_total 99\nhuitong_delivered_events_total 3e+02\n"
      "huitong_x{system=\"marriage\"} 7\n";
  BOOST_TEST(metricValue(text, "huitong_outbox_pending").value() == 12.0);
  BOOST_TEST(metricValue(text, "huitong_delivered_events_total").value() == 300.0);
  BOOST_TEST(metricValue(text, "huitong_x{system=\"marriage\"}").value() == 7.0);
  BOOST_TEST(!metricValue(text, "huitong_outbox_dead").has_value());
}

BOOST_AUTO_TEST_CASE(receipts_from_json_and_soap_answers) {
  auto j = parseIntakeReceipt(R"({"message_id":"m1","events":["a","b"],"rejected":[]})");
  BOOST_TEST(j.messageId == "m1");
  BOOST_TEST(j.eventIds.size() == 2u);
  auto s = parseIntakeReceipt(
      "<soap:Envelope><soap:Body><PushCaseStageResponse><Code>0</Code><Message>OK "
      "01JD-x_9</Message></PushCaseStageResponse></soap:Body></soap:Envelope>");
  BOOST_TEST(s.messageId == "01JD-x_9");
  BOOST_TEST(s.eventIds.empty());
  BOOST_TEST(parseIntakeReceipt("<Code>1</Code><Message>rejected m1</Message>").messageId.empty());
  BOOST_TEST(parseIntakeReceipt(R"({"type":"about:blank","status":401})").messageId.empty());
}

BOOST_AUTO_TEST_CASE(missing_events_and_outcomes) {
  std::vector<DrillSend> sends(3);
  sends[0].messageId = "m0";
  sends[0].eventIds = {"e0"};
  sends[1].messageId = "m1";
  sends[1].eventIds = {"e1a", "e1b"};
  sends[2].error = "HTTP 503";  // not accepted: its events are not owed
  sends[2].eventIds = {"e2"};
  auto missing = findMissing(sends, {"e0", "e1b"});
  BOOST_REQUIRE(missing.size() == 1u);
  BOOST_TEST(missing[0].eventId == "e1a");
  BOOST_TEST(missing[0].messageId == "m1");
  BOOST_TEST(outcomeOf(false, "", 0, 0) == "passed");
  BOOST_TEST(outcomeOf(false, "", 1, 0) == "missing");
  BOOST_TEST(outcomeOf(false, "", 0, 1) == "refused");
  BOOST_TEST(outcomeOf(true, "", 0, 0) == "interrupted");
  BOOST_TEST(outcomeOf(true, "no gateway", 1, 1) == "failed");
}

BOOST_AUTO_TEST_CASE(records_round_trip_and_bad_members_are_named) {
  DrillRecord r;
  r.outcome = "passed";
  r.ok = true;
  r.startedAt = 1795000000000;
  r.finishedAt = 1795000030000;
  r.system = "marriage";
  r.outageSeconds = 4;
  r.messagesSent = r.messagesAccepted = r.eventsAccepted = r.eventsDelivered = 20;
  r.drainSeconds = 1.25;
  r.backlogAtRestore = 20;
  auto back = parseDrillRecord(drillRecordJson(r));
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(back.value().ok);
  BOOST_TEST(back.value().finishedAt == r.finishedAt);
  BOOST_TEST(back.value().drainSeconds == 1.25);
  BOOST_TEST(back.value().backlogAtRestore == 20);
  auto bad = parseDrillRecord(R"({"messages_sent":"many"})");
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().path == "$.messages_sent");
  r.drainSeconds = -1;  // not drained: null, read back as -1
  BOOST_TEST(parseDrillRecord(drillRecordJson(r)).value().drainSeconds == -1);
}

BOOST_AUTO_TEST_CASE(drills_recorded_on_the_audit_trail_and_listed_by_time) {
  TempDir dir;
  storage::StoreConfig c;
  c.path = (dir.path / "huitong.db").string();
  auto store = registry::RegistryStore::open(c);
  BOOST_REQUIRE(store.ok());
  DrillLedger ledger(*store.value());
  DrillRecord r;
  r.outcome = "missing";
  r.system = "marriage";
  r.finishedAt = 1795000000000;
  r.eventsMissing = 2;
  auto first =
      ledger.record(r, registry::Actor{"li.na", registry::Role::kOperator, ""}, 1795000000000);
  BOOST_REQUIRE(first.ok());
  r.outcome = "passed";
  r.ok = true;
  auto second =
      ledger.record(r, registry::Actor{"wang.qiang", registry::Role::kAdmin, ""}, 1795000600000);
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(second.value().id > first.value().id);
  auto all = ledger.list(1794999999000, 1795000600000);
  BOOST_REQUIRE(all.ok());
  BOOST_REQUIRE(all.value().size() == 2u);
  BOOST_TEST(all.value()[0].actor == "li.na");
  BOOST_TEST(all.value()[0].eventsMissing == 2);
  BOOST_TEST(all.value()[1].ok);
  auto later = ledger.list(1795000000001, 1795999999000);
  BOOST_REQUIRE(later.ok());
  BOOST_TEST(later.value().size() == 1u);
  registry::AuditQuery q;
  q.action = kPlatformOutageAction;
  auto page = store.value()->queryAudit(q);
  BOOST_REQUIRE(page.ok());
  BOOST_TEST(page.value().entries.at(0).role == "operator");
  BOOST_TEST(page.value().entries.at(0).target == "drill platform-outage missing");
}

BOOST_AUTO_TEST_CASE(messages_from_the_simulator_config) {
  TempDir dir;
  const std::string config = writeSimulatorConfig(dir);
  auto sender =
      DepartmentSender::fromSimulatorConfig(config, "marriage", "http://127.0.0.1:9/", "D0945121");
  BOOST_REQUIRE_MESSAGE(sender.ok(), (sender.ok() ? "" : sender.error().describe()));
  BOOST_TEST(sender.value().url() == "http://127.0.0.1:9/intake/v1/marriage");
  std::string case0, case1;
  auto b0 = sender.value().body(0, 1795000000000, &case0);
  auto b1 = sender.value().body(1, 1795000000000, &case1);
  BOOST_REQUIRE(b0.ok());
  BOOST_REQUIRE(b1.ok());
  BOOST_TEST(case0 != case1);
  BOOST_TEST(case0.find("D0945121") != std::string::npos);
  auto doc = json::parse(b0.value());
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(std::string(doc.value()["bizNo"].GetString()) == case0);
  BOOST_TEST(std::string(doc.value()["status"].GetString()) == "SUBMITTED");

  auto folder = DepartmentSender::fromSimulatorConfig(config, "social-assistance",
                                                      "http://127.0.0.1:9", "T1");
  BOOST_REQUIRE(!folder.ok());
  BOOST_TEST(folder.error().describe().find("simulator.json:") != std::string::npos);
  BOOST_TEST(folder.error().message.find("via http") != std::string::npos);
  auto unknown =
      DepartmentSender::fromSimulatorConfig(config, "nobody", "http://127.0.0.1:9", "T1");
  BOOST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.error().message.find("marriage, social-assistance") != std::string::npos);
  BOOST_TEST(
      !DepartmentSender::fromSimulatorConfig(config, "marriage", "http://x", "bad tag!").ok());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(drill_runs)

BOOST_AUTO_TEST_CASE(accepted_but_never_delivered_is_reported_missing_and_the_platform_restored) {
  TempDir dir;
  Platform platform;
  sandbox::FaultSettings before;
  before.latencyMs = 5;  // a fault in force before the drill must be in force after it
  platform.mock.setFaults(before);
  AcceptingGateway gateway;
  auto sender = DepartmentSender::fromSimulatorConfig(writeSimulatorConfig(dir), "marriage",
                                                      gateway.url(), "T1");
  BOOST_REQUIRE(sender.ok());
  SystemClock clock;
  std::atomic<bool> stop{false};
  std::vector<std::string> lines;
  DrillResult r =
      runPlatformOutageDrill(quickPlan(gateway.url(), platform.url()), sender.value(), clock, stop,
                             [&](const std::string& l) { lines.push_back(l); });
  BOOST_TEST(r.record.outcome == "missing");
  BOOST_TEST(!r.record.ok);
  BOOST_TEST(r.platformDownConfirmed);
  BOOST_TEST(r.platformRestored);
  BOOST_TEST(r.record.messagesAccepted == 3);
  BOOST_TEST(r.record.eventsMissing == 3);
  BOOST_TEST(r.record.drainSeconds == -1);
  BOOST_TEST(r.record.backlogAtRestore == 3);
  BOOST_TEST(platform.mock.faults().outageUntil == 0);
  BOOST_TEST(platform.mock.faults().latencyMs == 5);
  const std::string text = renderText(r);
  BOOST_TEST(text.find("MISSING: event marriage:LOST2:submit:1:v1 of message m-2") !=
             std::string::npos);
  auto j = json::parse(renderJson(r));
  BOOST_REQUIRE(j.ok());
  BOOST_TEST(j.value()["missing"].Size() == 3u);
  BOOST_TEST(std::string(j.value()["outcome"].GetString()) == "missing");
}

BOOST_AUTO_TEST_CASE(a_stop_request_restores_the_platform_at_once) {
  TempDir dir;
  Platform platform;
  AcceptingGateway gateway;
  auto sender = DepartmentSender::fromSimulatorConfig(writeSimulatorConfig(dir), "marriage",
                                                      gateway.url(), "T2");
  BOOST_REQUIRE(sender.ok());
  SystemClock clock;
  std::atomic<bool> stop{false};
  DrillPlan plan = quickPlan(gateway.url(), platform.url());
  plan.outageSeconds = 60;
  std::thread operatorHand([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    stop = true;
  });
  const auto start = std::chrono::steady_clock::now();
  DrillResult r = runPlatformOutageDrill(plan, sender.value(), clock, stop, nullptr);
  operatorHand.join();
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST(took < 5.0);
  BOOST_TEST(r.record.outcome == "interrupted");
  BOOST_TEST(r.platformRestored);
  BOOST_TEST(platform.mock.faults().outageUntil == 0);
  BOOST_TEST(r.record.messagesSent <= 1);  // the next one was due 16 s in
  BOOST_TEST(r.missing.empty());           // stopped before the drain: nothing judged lost
  BOOST_TEST(renderText(r).find("INTERRUPTED") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_platform_already_down_and_a_gateway_not_ready) {
  TempDir dir;
  Platform platform;
  AcceptingGateway gateway;
  auto sender = DepartmentSender::fromSimulatorConfig(writeSimulatorConfig(dir), "marriage",
                                                      gateway.url(), "T3");
  BOOST_REQUIRE(sender.ok());
  SystemClock clock;
  std::atomic<bool> stop{false};
  sandbox::FaultSettings down;
  down.outageUntil = clock.now() + 60000;
  platform.mock.setFaults(down);
  DrillResult r = runPlatformOutageDrill(quickPlan(gateway.url(), platform.url()), sender.value(),
                                         clock, stop, nullptr);
  BOOST_TEST(r.record.outcome == "failed");
  BOOST_TEST(r.record.detail.find("already has an outage") != std::string::npos);
  BOOST_TEST(platform.mock.faults().outageUntil == down.outageUntil);  // left as it was
  BOOST_TEST(gateway.accepted() == 0);

  platform.mock.setFaults(sandbox::FaultSettings{});
  gateway.ready = false;
  r = runPlatformOutageDrill(quickPlan(gateway.url(), platform.url()), sender.value(), clock, stop,
                             nullptr);
  BOOST_TEST(r.record.outcome == "failed");
  BOOST_TEST(r.record.detail.find("is not ready") != std::string::npos);
  BOOST_TEST(platform.mock.faults().outageUntil == 0);
}

BOOST_AUTO_TEST_SUITE_END()
