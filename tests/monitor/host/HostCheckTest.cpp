// The host and agent checks: thresholds in words (normal and major-event), values by name,
// and an agent scraped in-process — right token, wrong
// token, gone, garbage, oversized, hanging — each a clear result.
#define BOOST_TEST_MODULE monitor_host_checks
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <unistd.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include "gateway/core/Json.h"
#include "gateway/monitor/host/AgentServer.h"
#include "gateway/monitor/host/HostCheck.h"

namespace huitong::monitor {
std::ostream& operator<<(std::ostream& o, CheckStatus s) {
  return o << toString(s);
}
}  // namespace huitong::monitor

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::monitor;
using namespace huitong::monitor::host;

namespace {

HostFigures figures() {
  HostFigures f;
  f.hostName = "db-server";
  f.at = 1764000000000;
  f.cpuCount = 4;
  f.cpuPercent = 97.25;
  f.load1 = 9.5;
  f.load5 = 4;
  f.load15 = 2;
  f.memTotalBytes = 1000;
  f.memAvailableBytes = 41;
  f.memUsedBytes = 959;
  f.swapTotalBytes = 100;
  f.swapUsedBytes = 80;
  f.swapFreeBytes = 20;
  MountUsage root;
  root.mount = "/";
  root.device = "/dev/vda1";
  root.fsType = "ext4";
  root.totalBytes = 1000;
  root.usedBytes = 931;
  root.availBytes = 69;
  root.freeBytes = 69;
  root.usedPercent = 93.1;
  root.inodesTotal = 100;
  root.inodesUsed = 50;
  root.inodesFree = 50;
  root.inodesUsedPercent = 50;
  MountUsage data = root;
  data.mount = "/data";
  data.usedPercent = 87;
  data.inodesUsedPercent = 96;
  f.mounts = {root, data};
  return f;
}

// A TCP server answering every connection with `answer` after `delayMs` (or never closing when
// `hang`), for agents that misbehave.
class CannedServer {
 public:
  CannedServer(std::string answer, unsigned delayMs = 0)
      : answer_(std::move(answer)),
        delayMs_(delayMs),
        socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~CannedServer() {
    stop_ = true;
    socket_.close();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()); }

 private:
  void loop() {
    while (!stop_) {
      try {
        if (!socket_.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ))
          continue;
        Poco::Net::StreamSocket s = socket_.acceptConnection();
        char buf[4096];
        s.setReceiveTimeout(Poco::Timespan(1, 0));
        s.receiveBytes(buf, sizeof buf);
        for (unsigned waited = 0; waited < delayMs_ && !stop_; waited += 10)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::size_t sent = 0;
        while (sent < answer_.size() && !stop_) {
          const int n =
              s.sendBytes(answer_.data() + sent,
                          static_cast<int>(std::min<std::size_t>(65536, answer_.size() - sent)));
          if (n <= 0)
            break;
          sent += static_cast<std::size_t>(n);
        }
        s.shutdownSend();
      } catch (const std::exception&) {
        // The client went away (an oversized answer cut short): serve the next one.
      }
    }
  }

  std::string answer_;
  unsigned delayMs_;
  Poco::Net::ServerSocket socket_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string http200(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

const fs::path kFixtures = fs::path(HUITONG_SOURCE_DIR) / "tests/monitor/host/fixtures/proc-a";

HostReader::Options fixtureReader() {
  HostReader::Options o;
  o.procRoot = kFixtures.string();
  o.hostName = "app-server";
  o.sleep = [](unsigned) {};
  o.statFs = [](const std::string& mount) -> Result<FsStats> {
    FsStats s;
    s.blockSize = 4096;
    s.blocks = 1000;
    s.blocksFree = mount == "/data" ? 100 : 500;
    s.blocksAvail = mount == "/data" ? 50 : 500;
    s.directory = mount != "/etc/hosts";
    s.files = 100;
    s.filesFree = 50;
    return s;
  };
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(thresholds)

BOOST_AUTO_TEST_CASE(crossed_thresholds_in_words) {
  HostRules rules;
  rules.normal.loadPerCpu = 2;
  rules.normal.swapUsedPercent = 50;
  auto crossed = judge(figures(), rules, false);
  BOOST_TEST_REQUIRE(crossed.size() == 6u);
  BOOST_TEST(crossed[0] == "cpu 97.2 % busy, threshold 90 %");
  BOOST_TEST(crossed[1] == "load1 9.5 on 4 CPUs is 2.38 per CPU, threshold 2");
  BOOST_TEST(crossed[2] == "memory 4.1 % available, threshold 10 %");
  BOOST_TEST(crossed[3] == "swap 80.0 % used, threshold 50 %");
  BOOST_TEST(crossed[4] == "disk / 93.1 % used, threshold 90 %");
  BOOST_TEST(crossed[5] == "inodes /data 96.0 % used, threshold 90 %");

  // A major event: /data's 87 % crosses the tighter 85 %.
  rules = HostRules{};
  crossed = judge(figures(), rules, true);
  BOOST_TEST_REQUIRE(crossed.size() == 5u);
  BOOST_TEST(crossed[3] == "disk /data 87.0 % used, threshold 85 % (major event)");

  // Only the mounts named; one not mounted fails.
  rules.mounts = {"/data", "/archive"};
  rules.normal = HostThresholds{-1, -1, -1, -1, 95, -1};
  crossed = judge(figures(), rules, false);
  BOOST_TEST_REQUIRE(crossed.size() == 1u);
  BOOST_TEST(crossed[0] == "disk /archive is not mounted");

  std::map<std::string, double> values;
  addValues(figures(), {"/data"}, values);
  BOOST_TEST(values["cpu_percent"] == 97.25);
  BOOST_TEST(values["load1"] == 9.5);
  BOOST_TEST(values["mem_available_bytes"] == 41.0);
  BOOST_TEST(values["mem_available_percent"] == 4.1, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(values["disk_used_percent{mount=\"/data\"}"] == 87.0);
  BOOST_TEST(values["inodes_used_percent{mount=\"/data\"}"] == 96.0);
  BOOST_TEST(values.count("disk_used_percent{mount=\"/\"}") == 0u);
}

BOOST_AUTO_TEST_CASE(host_check_reads_this_machine) {
  FixedClock clock(1764000000000);
  HostRules rules;
  HostCheck check("app-server", rules, fixtureReader(), clock);
  BOOST_TEST(check.kind() == "host");
  RunContext ctx;
  ctx.clock = &clock;
  CheckResult r = check.run(ctx);
  // The fixture's stat does not move: 0 % busy. /data: 900 used of 950 usable.
  BOOST_TEST(r.status == CheckStatus::kFail);
  BOOST_TEST(r.message == "disk /data 94.7 % used, threshold 90 %");
  BOOST_TEST(r.target == "app-server");
  BOOST_TEST(r.startedAt == 1764000000000);
  BOOST_TEST_REQUIRE(r.steps.size() == 1u);
  BOOST_TEST(r.steps[0].failure == r.message);
  BOOST_TEST(r.values["disk_used_percent{mount=\"/\"}"] == 50.0);
  BOOST_TEST(r.values["mem_available_percent"] == 37.5);
  BOOST_TEST(r.values["swap_used_bytes"] == 512000000.0);

  HostReader::Options broken = fixtureReader();
  broken.procRoot = "/nonexistent-proc";
  HostCheck gone("app-server", rules, broken, clock);
  r = gone.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message.find("/nonexistent-proc/stat: cannot read") != std::string::npos, r.message);
  BOOST_TEST(r.values.empty());
}

BOOST_AUTO_TEST_CASE(a_hung_mount_ends_the_run_on_time) {
  // statvfs of /data blocks (a hung NFS server) until released.
  static std::atomic<bool> release{false};
  static std::atomic<int> reads{0};
  HostReader::Options o = fixtureReader();
  const auto normal = o.statFs;
  o.statFs = [normal](const std::string& mount) -> Result<FsStats> {
    if (mount == "/data") {
      ++reads;
      while (!release)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return normal(mount);
  };
  FixedClock clock(0);
  HostCheck check("app-server", HostRules{}, o, clock);
  RunContext ctx;
  ctx.timeoutMs = 300;
  auto t0 = std::chrono::steady_clock::now();
  CheckResult r = check.run(ctx);
  const double first = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message ==
             "reading this host's figures took longer than 300 ms (a file system not "
             "answering statvfs, such as a hung NFS mount?)");
  BOOST_TEST(first < 1.0);
  t0 = std::chrono::steady_clock::now();
  r = check.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message.find("previous read has not returned yet") != std::string::npos, r.message);
  BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 0.1);
  BOOST_TEST(reads == 1);  // no second thread stuck beside the first
  release = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ctx.timeoutMs = 5000;
  r = check.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kFail, r.message);  // /data 94.7 % again
  BOOST_TEST(reads == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(agent)

const std::string kToken = "agent-token-0123456789abcdef";

BOOST_AUTO_TEST_CASE(token_compare) {
  BOOST_TEST(constantTimeEquals(kToken, kToken));
  BOOST_TEST(!constantTimeEquals(kToken + "x", kToken));
  BOOST_TEST(!constantTimeEquals(kToken.substr(1), kToken));
  BOOST_TEST(!constantTimeEquals("", kToken));
  BOOST_TEST(!constantTimeEquals("", ""));
  std::string flipped = kToken;
  flipped.back() = 'g';
  BOOST_TEST(!constantTimeEquals(flipped, kToken));
}

BOOST_AUTO_TEST_CASE(scraped_with_the_right_token_refused_with_another) {
  FixedClock clock(1764000000000);
  AgentOptions o;
  o.token = kToken;
  o.reader = fixtureReader();
  AgentServer agent(o, clock);
  BOOST_TEST_REQUIRE(agent.start().ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(agent.port());
  RunContext ctx;
  ctx.clock = &clock;
  ctx.timeoutMs = 5000;

  AgentCheck check("db-server", HostRules{}, AgentTarget{url, kToken});
  BOOST_TEST(check.kind() == "agent");
  CheckResult r = check.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kFail, r.message);
  BOOST_TEST(r.message == "disk /data 94.7 % used, threshold 90 %");
  BOOST_TEST(r.target == "app-server (" + url + ")");
  BOOST_TEST(r.values["mem_available_percent"] == 37.5);
  BOOST_TEST(r.values["load15"] == 2.0);
  BOOST_TEST_REQUIRE(r.steps.size() == 1u);
  BOOST_TEST(r.steps[0].httpStatus == 200);
  BOOST_TEST(r.steps[0].url == url + "/v1/host");
  BOOST_TEST(r.steps[0].timings.firstByteMs >= 0);

  HostRules lax;
  lax.normal.diskUsedPercent = 95;
  AgentCheck ok("db-server", lax, AgentTarget{url + "/", kToken});
  BOOST_TEST(ok.run(ctx).status == CheckStatus::kOk);

  AgentCheck wrong("db-server", HostRules{}, AgentTarget{url, "not-the-token-at-all"});
  r = wrong.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message == "agent at " + url +
                              " refused the token (HTTP 401): check the host's token_file "
                              "against the agent's --token-file");
  BOOST_TEST(r.values.empty());

  agent.stop();
  r = check.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message ==
             "agent at " + url + " refused the connection (is `huitong agent` running there?)");
}

BOOST_AUTO_TEST_CASE(over_https_with_the_agents_certificate) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    BOOST_TEST_MESSAGE("openssl (the command) is not installed: HTTPS case not run");
    return;
  }
  const fs::path dir =
      fs::temp_directory_path() / ("huitong-agent-tls-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string make =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
      "-nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
      "-keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  BOOST_TEST_REQUIRE(std::system(make.c_str()) == 0);
  FixedClock clock(1764000000000);
  AgentOptions o;
  o.token = kToken;
  o.reader = fixtureReader();
  o.tlsCertificateFile = cert;
  o.tlsPrivateKeyFile = key;
  AgentServer agent(o, clock);
  BOOST_TEST_REQUIRE(agent.start().ok());
  const std::string port = std::to_string(agent.port());
  RunContext ctx;
  ctx.timeoutMs = 5000;

  AgentTarget trusted{"https://127.0.0.1:" + port, kToken};
  trusted.caFile = cert;
  CheckResult r = AgentCheck("db-server", HostRules{}, trusted).run(ctx);
  BOOST_TEST(r.status == CheckStatus::kFail, r.message);
  BOOST_TEST(r.message == "disk /data 94.7 % used, threshold 90 %");

  // The system store does not know a self-signed certificate.
  r = AgentCheck("db-server", HostRules{}, AgentTarget{"https://127.0.0.1:" + port, kToken})
          .run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(
      r.message.find("TLS handshake failed: its certificate was refused: ") != std::string::npos,
      r.message);
  // Issued for 127.0.0.1, asked as localhost.
  AgentTarget otherName{"https://localhost:" + port, kToken};
  otherName.caFile = cert;
  r = AgentCheck("db-server", HostRules{}, otherName).run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message.find("its certificate was refused: hostname mismatch") != std::string::npos,
             r.message);
  // Plain HTTP to a TLS port: an error, not a hang.
  r = AgentCheck("db-server", HostRules{}, AgentTarget{"http://127.0.0.1:" + port, kToken})
          .run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  // A certificate file that is none.
  AgentOptions broken = o;
  broken.tlsCertificateFile = key;
  AgentServer refused(broken, clock);
  auto started = refused.start();
  BOOST_TEST_REQUIRE(!started.ok());
  BOOST_TEST(started.error().path == key);
  agent.stop();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

BOOST_AUTO_TEST_CASE(misbehaving_agents_are_errors) {
  RunContext ctx;
  ctx.timeoutMs = 1000;
  {
    CannedServer garbage(http200("<html>hello</html>"));
    CheckResult r = AgentCheck("x", HostRules{}, AgentTarget{garbage.url(), kToken}).run(ctx);
    BOOST_TEST(r.status == CheckStatus::kError);
    BOOST_TEST(r.message.find("answered something that is not host JSON: ") != std::string::npos,
               r.message);
  }
  {
    CannedServer partial(http200(R"({"host":"h","at":"2026-01-01T00:00:00Z"})"));
    CheckResult r = AgentCheck("x", HostRules{}, AgentTarget{partial.url(), kToken}).run(ctx);
    BOOST_TEST(r.status == CheckStatus::kError);
    BOOST_TEST(r.message ==
               "agent at " + partial.url() + " answered host JSON without cpu_count: missing");
  }
  {
    CannedServer huge(http200(std::string(3 * 1024 * 1024, ' ')));
    AgentTarget t{huge.url(), kToken};
    CheckResult r = AgentCheck("x", HostRules{}, t).run(ctx);
    BOOST_TEST(r.status == CheckStatus::kError);
    BOOST_TEST(r.message ==
               "agent at " + huge.url() + " sent more than 1048576 bytes; stopped reading");
  }
  {
    CannedServer busy("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    CheckResult r = AgentCheck("x", HostRules{}, AgentTarget{busy.url(), kToken}).run(ctx);
    BOOST_TEST(r.message ==
               "agent at " + busy.url() + " answered HTTP 503 Service Unavailable to GET /v1/host");
  }
  {
    CannedServer hanging(http200("{}"), 5000);
    const auto t0 = std::chrono::steady_clock::now();
    CheckResult r = AgentCheck("x", HostRules{}, AgentTarget{hanging.url(), kToken}).run(ctx);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST(r.status == CheckStatus::kError);
    BOOST_TEST(r.message == "agent at " + hanging.url() + " did not answer within 1000 ms");
    BOOST_TEST(seconds < 2.0);
  }
}

BOOST_AUTO_TEST_SUITE_END()
