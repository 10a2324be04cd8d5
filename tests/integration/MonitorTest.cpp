// Monitoring end to end on the real gateway (docs/monitoring.md "Schedules, results and
// alerts"): a page probe against a small HTTP server of the test and a TCP check on a closed
// port, both 7x24 every 5 s; a "2 consecutive failures" rule notifying a webhook that the same
// server records. The alert opens and is notified, results are queryable raw, /metrics passes
// `promtool check metrics`; once the port opens the alert resolves and that is notified too.
// `huitong monitor` reads the same store through the config.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

const std::vector<std::pair<std::string, std::string>> kOps = {
    {"Authorization", "Bearer it-ops-token"}};

// The probe's page (GET /page) and the webhook sink (POST /hook, bodies kept).
class Site {
 public:
  Site() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(false);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), pool_, socket_, params);
    server_->start();
  }
  ~Site() { server_->stopAll(true); }
  int port() const { return socket_.address().port(); }
  std::vector<std::string> hooks() const {
    std::lock_guard<std::mutex> lock(mu_);
    return hooks_;
  }

 private:
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(Site& site) : site_(site) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& res) override {
      std::string body;
      Poco::StreamCopier::copyToString(req.stream(), body);
      std::string answer = "{\"status\":\"ok\"}";
      if (req.getURI() == "/hook" && req.getMethod() == "POST") {
        std::lock_guard<std::mutex> lock(site_.mu_);
        site_.hooks_.push_back(body);
      } else if (req.getURI() != "/page") {
        res.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        answer = "{}";
      }
      res.setContentType("application/json");
      res.setContentLength(static_cast<std::streamsize>(answer.size()));
      res.send() << answer;
    }

   private:
    Site& site_;
  };
  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(Site& site) : site_(site) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(site_);
    }

   private:
    Site& site_;
  };

  mutable std::mutex mu_;
  std::vector<std::string> hooks_;
  Poco::ThreadPool pool_{2, 16};
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// A loopback port nobody listens on (bound, read, released).
int closedPort() {
  Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
  const int port = s.address().port();
  s.close();
  return port;
}

// Polls until `ok` or `limit`; returns whether it held.
bool eventually(const std::function<bool()>& ok, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (ok())
      return true;
    std::this_thread::sleep_for(200ms);
  }
  return ok();
}

// The webhook notices with this event ("firing" | "resolved") for `key`.
int notices(const Site& site, const std::string& event, const std::string& key) {
  int n = 0;
  for (const auto& body : site.hooks()) {
    auto d = json::parse(body);
    if (d.ok() && d.value().IsObject() && d.value().HasMember("event") &&
        d.value()["event"] == event.c_str() && d.value()["key"] == key.c_str())
      ++n;
  }
  return n;
}

struct Cli {
  int exitCode = -1;
  std::string out;
};

Cli monitorCli(const std::filesystem::path& dir, std::vector<std::string> args) {
  static int n = 0;
  args.insert(args.begin(), {huitongBinary().string(), "monitor"});
  Process p(args, dir, "monitor-cli-" + std::to_string(++n));
  const int status = p.wait(60s);
  Cli c;
  c.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  c.out = readFile(p.outPath()) + readFile(p.errPath());
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(monitor)

BOOST_AUTO_TEST_CASE(a_closed_port_alerts_and_recovers_end_to_end) {
  TempDir dir("huitong-it-monitor");
  Site site;
  const int dbPort = closedPort();
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  GatewayOptions o = deliveringTo(dir.path(), platform, {makeCredential("marriage")});
  std::string config = gatewayConfigJson(o, dir.path());
  const std::string site_ = "http://127.0.0.1:" + std::to_string(site.port());
  const std::string anchor = "\"ops_token\": \"it-ops-token\",\n";
  BOOST_TEST_REQUIRE(config.find(anchor) != std::string::npos);
  config.replace(
      config.find(anchor), anchor.size(),
      anchor + "  \"monitor\": {\"workers\": 2,\n" +
          "    \"probes\": [{\"id\": \"page\", \"url\": \"" + site_ +
          "/page\", \"schedule\": \"7x24\", \"interval_s\": 5, \"timeout_ms\": 2000}],\n" +
          "    \"tcp\": [{\"id\": \"db-port\", \"host\": \"127.0.0.1\", \"port\": " +
          std::to_string(dbPort) +
          ", \"schedule\": \"7x24\", \"interval_s\": 5, \"timeout_ms\": 1000}],\n" +
          "    \"alerts\": [{\"name\": \"down\", \"kind\": \"consecutive_failures\", \"count\": "
          "2, " +
          "\"channels\": [\"hook\"]}],\n" +
          "    \"notify\": {\"attempts\": 2, \"backoff_ms\": 100, \"channels\": [{\"name\": " +
          "\"hook\", \"type\": \"webhook\", \"url\": \"" + site_ + "/hook\"}]}},\n");
  o.configText = config;
  GatewayProcess gateway(dir.path(), o);
  HttpClient c(gateway.port());

  // Two failed runs of db-port (5 s apart): the alert opens and the webhook hears it.
  BOOST_TEST_REQUIRE(eventually([&] { return notices(site, "firing", "db-port") >= 1; }, 40s),
                     "no firing notice; hooks seen: " << site.hooks().size());
  BOOST_TEST(notices(site, "firing", "page") == 0);
  Answer a = c.send("GET", "/ops/v1/monitor/alerts?state=firing", "", "", kOps);
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  auto alerts = json::parse(a.body);
  BOOST_TEST_REQUIRE(alerts.ok());
  const auto& list = alerts.value()["alerts"];
  BOOST_TEST_REQUIRE(list.Size() == 1U, a.body);
  BOOST_TEST(std::string(list[0]["key"].GetString()) == "db-port");
  BOOST_TEST(
      std::string(list[0]["summary"].GetString()).find("runs in a row not ok") != std::string::npos,
      a.body);
  BOOST_TEST(eventually(
                 [&] {
                   Answer x = c.send("GET", "/ops/v1/monitor/alerts?state=firing", "", "", kOps);
                   return x.body.find("\"outcome\":\"delivered\"") != std::string::npos;
                 },
                 10s),
             "the delivery is recorded");

  // Results, raw: errors for the port, ok for the page.
  // (results are written in batches each second: the second failure may still be buffered)
  BOOST_TEST(eventually(
      [&] {
        a = c.send("GET", "/ops/v1/monitor/checks/db-port/results?step=raw", "", "", kOps);
        auto d = json::parse(a.body);
        return a.status == 200 && d.ok() && d.value()["points"].Size() >= 2U;
      },
      10s));
  auto raw = json::parse(a.body);
  BOOST_TEST_REQUIRE(raw.ok());
  BOOST_TEST_REQUIRE(raw.value()["points"].Size() >= 2U, a.body);
  BOOST_TEST(std::string(raw.value()["points"][0]["status"].GetString()) == "error", a.body);
  BOOST_TEST(eventually(
      [&] {
        Answer x = c.send("GET", "/ops/v1/monitor/checks/page/results", "", "", kOps);
        return x.status == 200 && x.body.find("\"status\":\"ok\"") != std::string::npos;
      },
      10s));
  a = c.send("GET", "/ops/v1/monitor/checks", "", "", kOps);
  BOOST_TEST(a.status == 200, a.body);
  BOOST_TEST(a.body.find("\"schedule\":\"7x24\"") != std::string::npos, a.body);

  // /metrics: the families are there with the expected values, and promtool accepts them.
  BOOST_TEST(gateway.metric("huitong_check_up{check=\"page\",kind=\"http\"}").value_or(-1) == 1.0);
  BOOST_TEST(gateway.metric("huitong_check_up{check=\"db-port\",kind=\"tcp\"}").value_or(-1) ==
             0.0);
  BOOST_TEST(gateway.metric("huitong_alerts_firing{rule=\"down\"}").value_or(-1) == 1.0);
  const Answer m = c.send("GET", "/metrics");
  BOOST_TEST_REQUIRE(m.status == 200);
  const std::string promtool = findProgram("promtool");
  BOOST_TEST_REQUIRE(!promtool.empty());
  const auto file = dir.write("metrics.txt", m.body);
  Process check({promtool, "check", "metrics"}, dir.path(), "promtool", file.string());
  check.wait(60s);
  BOOST_TEST(check.describe() == "exit 0", readFile(check.outPath()) + readFile(check.errPath())
                                               << "\n--- /metrics ---\n"
                                               << m.body);

  // The CLI reads the same store through the config.
  const std::string cfg = gateway.configPath().string();
  Cli cli = monitorCli(dir.path(), {"checks", "--config", cfg});
  BOOST_TEST(cli.exitCode == 1, cli.out);  // db-port's last run is not ok
  BOOST_TEST(cli.out.find("db-port") != std::string::npos, cli.out);
  cli = monitorCli(dir.path(), {"alerts", "--open", "--config", cfg});
  BOOST_TEST(cli.exitCode == 1, cli.out);
  BOOST_TEST(cli.out.find("firing") != std::string::npos, cli.out);
  cli = monitorCli(dir.path(), {"results", "page", "--config", cfg, "--json"});
  BOOST_TEST(cli.exitCode == 0, cli.out);
  BOOST_TEST(json::parse(cli.out).ok(), cli.out);
  cli = monitorCli(dir.path(), {"availability", "nope", "--config", cfg, "--day", "2026-11-02"});
  BOOST_TEST(cli.exitCode == 2, cli.out);
  BOOST_TEST(cli.out.find("checks: ") != std::string::npos, cli.out);
  cli = monitorCli(dir.path(), {"availability", "page", "--config", cfg, "--month", "2026-13"});
  BOOST_TEST(cli.exitCode == 2, cli.out);

  // An auditor reads but may not declare: 403, audited as access.refused like every refusal.
  const auto pw = dir.write("auditor.pw", "a long enough password\n");
  {
    Process create({huitongBinary().string(), "user", "create", "--config", cfg, "--name",
                    "shen.audit", "--role", "auditor"},
                   dir.path(), "user-create", pw.string());
    BOOST_TEST_REQUIRE(create.wait(60s) == 0, readFile(create.errPath()));
  }
  a = c.send("POST", "/auth/v1/login",
             "{\"name\":\"shen.audit\",\"password\":\"a long enough password\"}",
             "application/json");
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  const std::vector<std::pair<std::string, std::string>> auditor = {
      {"Authorization", "Bearer " + std::string(json::parse(a.body).value()["token"].GetString())}};
  BOOST_TEST(c.send("GET", "/ops/v1/monitor/alerts", "", "", auditor).status == 200);
  a = c.send("POST", "/ops/v1/monitor/events",
             "{\"name\":\"x\",\"from\":\"2036-01-01T00:00:00+08:00\",\"to\":\"2036-01-02T00:00:00+"
             "08:00\"}",
             "application/json", auditor);
  BOOST_TEST(a.status == 403, a.body);
  a = c.send("GET", "/ops/v1/audit?action=access.refused", "", "", kOps);
  BOOST_TEST(a.status == 200, a.body);
  BOOST_TEST(a.body.find("api POST /ops/v1/monitor/events") != std::string::npos, a.body);
  BOOST_TEST(a.body.find("shen.audit") != std::string::npos, a.body);

  // The port opens: the next run is ok, the alert resolves, the webhook hears that too.
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", dbPort));
  BOOST_TEST_REQUIRE(eventually([&] { return notices(site, "resolved", "db-port") >= 1; }, 30s),
                     "no resolved notice");
  a = c.send("GET", "/ops/v1/monitor/alerts?state=resolved", "", "", kOps);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body.find("\"key\":\"db-port\"") != std::string::npos, a.body);
  BOOST_TEST(eventually(
      [&] { return gateway.metric("huitong_alerts_firing{rule=\"down\"}").value_or(-1) == 0.0; },
      10s));
  cli = monitorCli(dir.path(), {"alerts", "--open", "--config", cfg});
  BOOST_TEST(cli.exitCode == 0, cli.out);

  // A major event declared from the shell: the running gateway reads it (within 15 s) and runs
  // the checks in intensified mode.
  const EpochMillis now = SystemClock().now();
  cli = monitorCli(dir.path(), {"event", "declare", "--config", cfg, "--name", "高考报名", "--from",
                                formatRfc3339(now - 60000), "--to", formatRfc3339(now + 3600000)});
  BOOST_TEST(cli.exitCode == 0, cli.out);
  BOOST_TEST(cli.out.find("major event #") != std::string::npos, cli.out);
  BOOST_TEST(eventually(
                 [&] {
                   Answer x = c.send("GET", "/ops/v1/monitor/checks", "", "", kOps);
                   return x.body.find("\"intensified\":true") != std::string::npos &&
                          x.body.find("高考报名") != std::string::npos;
                 },
                 30s),
             "the declared event is in force");
  cli = monitorCli(dir.path(), {"event", "list", "--config", cfg});
  BOOST_TEST(cli.exitCode == 0, cli.out);
  BOOST_TEST(cli.out.find("cli:") != std::string::npos, cli.out);
  cli = monitorCli(dir.path(), {"event", "declare", "--config", cfg, "--name", "x", "--from",
                                "2026-01-02", "--to", "2026-01-01"});
  BOOST_TEST(cli.exitCode == 2, cli.out);
  BOOST_TEST(gateway.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
