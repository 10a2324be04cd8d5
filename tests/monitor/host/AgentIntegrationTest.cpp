// The real `huitong agent` on a free loopback port with a temp token: the gateway's agent check
// scrapes it (right token: figures; wrong token: 401 in words), its answers to requests without
// a token are problem+json, its /metrics pass `promtool check metrics`, SIGTERM stops it with
// exit 0 and the check then names the refused connection; `huitong host` and `agent --once`
// print the figures; bad usage exits 2; over HTTPS with --tls-cert/--tls-key. Exits 77 (skipped)
// when promtool is not on PATH.
#define BOOST_TEST_MODULE monitor_agent_integration
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gateway/core/Json.h"
#include "gateway/monitor/host/HostCheck.h"
#include "tests/integration/Harness.h"

using namespace huitong;
using namespace huitong::integration;
using namespace huitong::monitor;
using namespace huitong::monitor::host;
using namespace std::chrono_literals;

namespace huitong::monitor {
std::ostream& operator<<(std::ostream& o, CheckStatus s) {
  return o << toString(s);
}
}  // namespace huitong::monitor

// The harness's store hooks: these tests run no gateway.
namespace huitong::integration {
bool onPostgres() {
  return false;
}
StoreSetting freshStore(const std::filesystem::path&) {
  return {};
}
}  // namespace huitong::integration

namespace {

const std::string kToken = "it-agent-token-5f1c0e6a9b2d4c7e";

struct Agent {
  std::unique_ptr<Process> process;
  int port = 0;
  Agent(const TempDir& dir, const std::string& name) {
    const auto tokenFile = dir.write("agent.token", kToken + "\n");
    ::chmod(tokenFile.c_str(), 0600);
    process = std::make_unique<Process>(
        std::vector<std::string>{huitongBinary().string(), "agent", "--listen", "127.0.0.1:0",
                                 "--token-file", tokenFile.string()},
        dir.path(), name);
    const auto line = process->waitForLine("listening on http://127.0.0.1:", false, 30s);
    BOOST_TEST_REQUIRE(line.has_value(),
                       "the agent did not say it listens: " << readFile(process->errPath()));
    port = std::stoi(line->substr(line->rfind(':') + 1));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

HostRules noThresholds() {
  HostRules r;
  r.normal = HostThresholds{-1, -1, -1, -1, -1, -1};
  r.intensified = r.normal;
  return r;
}

int runToEnd(const TempDir& dir, const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), huitongBinary().string());
  Process p(args, dir.path(), name);
  p.wait(60s);
  const std::string d = p.describe();
  return d.rfind("exit ", 0) == 0 ? std::stoi(d.substr(5)) : -1;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(agent)

BOOST_AUTO_TEST_CASE(scraped_by_the_agent_check_and_stopped_by_sigterm) {
  TempDir dir("huitong-it-agent");
  Agent agent(dir, "agent");
  RunContext ctx;
  ctx.timeoutMs = 5000;

  AgentCheck check("db-server", noThresholds(), AgentTarget{agent.url(), kToken});
  CheckResult r = check.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kOk, r.message);
  BOOST_TEST(r.values.at("mem_total_bytes") > 0);
  BOOST_TEST(r.values.at("cpu_count") >= 1);
  BOOST_TEST(r.values.count("disk_used_percent{mount=\"/\"}") == 1u);
  BOOST_TEST(r.values.count("load1") == 1u);
  const double firstMs = r.durationMs;
  std::vector<double> ms;
  for (int i = 0; i < 30; ++i) {
    r = check.run(ctx);
    BOOST_TEST_REQUIRE(r.status == CheckStatus::kOk, r.message);
    ms.push_back(r.durationMs);
  }
  BOOST_TEST_MESSAGE("agent scrape latency: first " << firstMs << " ms (two /proc/stat samples "
                                                    << "200 ms apart), then p50 "
                                                    << percentile(ms, 0.5) << " ms, p95 "
                                                    << percentile(ms, 0.95) << " ms over 30");

  // A threshold crossed on purpose: fail, in words.
  HostRules strict = noThresholds();
  strict.normal.diskUsedPercent = 0;
  strict.mounts = {"/"};
  r = AgentCheck("db-server", strict, AgentTarget{agent.url(), kToken}).run(ctx);
  BOOST_TEST(r.status == CheckStatus::kFail);
  BOOST_TEST(r.message.rfind("disk / ", 0) == 0, r.message);
  BOOST_TEST(r.message.find(" % used, threshold 0 %") != std::string::npos, r.message);

  r = AgentCheck("db-server", noThresholds(), AgentTarget{agent.url(), kToken + "x"}).run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message == "agent at " + agent.url() +
                              " refused the token (HTTP 401): check the host's token_file "
                              "against the agent's --token-file");

  HttpClient http(agent.port, 10s);
  Answer a = http.send("GET", "/v1/host");
  BOOST_TEST(a.status == 401);
  BOOST_TEST(a.header("content-type").rfind("application/problem+json", 0) == 0);
  BOOST_TEST(a.header("www-authenticate").rfind("Bearer", 0) == 0);
  auto problem = json::parse(a.body);
  BOOST_TEST_REQUIRE(problem.ok());
  BOOST_TEST(problem.value()["status"].GetInt() == 401);
  const std::vector<std::pair<std::string, std::string>> auth{
      {"Authorization", "Bearer " + kToken}};
  a = http.send("GET", "/v1/nothing", "", "", auth);
  BOOST_TEST(a.status == 404);
  a = http.send("POST", "/v1/host", "{}", "application/json", auth);
  BOOST_TEST(a.status == 405);
  BOOST_TEST(a.header("allow") == "GET");
  a = http.send("GET", "/v1/host", "", "", auth);
  BOOST_TEST(a.status == 200);
  auto body = json::parse(a.body);
  BOOST_TEST_REQUIRE(body.ok());
  BOOST_TEST(fromJson(body.value()).ok());

  // /metrics through promtool.
  a = http.send("GET", "/metrics", "", "", auth);
  BOOST_TEST_REQUIRE(a.status == 200);
  BOOST_TEST(a.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
  BOOST_TEST(a.body.find("huitong_host_filesystem_avail_bytes{device=") != std::string::npos);
  BOOST_TEST(a.body.find("huitong_host_cpu_seconds_total{mode=\"idle\"}") != std::string::npos);
  const auto file = dir.write("metrics.txt", a.body);
  Process promtool({findProgram("promtool"), "check", "metrics"}, dir.path(), "promtool",
                   file.string());
  promtool.wait(60s);
  BOOST_TEST(promtool.describe() == "exit 0",
             "promtool check metrics: " << readFile(promtool.outPath())
                                        << readFile(promtool.errPath()) << "\n"
                                        << a.body);

  // SIGTERM: a clean stop, then the check names the refusal.
  agent.process->signal(SIGTERM);
  agent.process->wait(30s);
  BOOST_TEST(agent.process->describe() == "exit 0");
  BOOST_TEST(readFile(agent.process->errPath()).find("SIGTERM, stopping") != std::string::npos);
  BOOST_TEST(readFile(agent.process->errPath()).find("GET /v1/host 401") != std::string::npos);
  r = check.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message == "agent at " + agent.url() +
                              " refused the connection (is `huitong agent` running there?)");
}

BOOST_AUTO_TEST_CASE(killed_agent_is_an_error) {
  TempDir dir("huitong-it-agent-kill");
  Agent agent(dir, "agent");
  RunContext ctx;
  ctx.timeoutMs = 3000;
  AgentCheck check("db-server", noThresholds(), AgentTarget{agent.url(), kToken});
  BOOST_TEST(check.run(ctx).status == CheckStatus::kOk);
  agent.process->signal(SIGKILL);
  agent.process->wait(30s);
  const CheckResult r = check.run(ctx);
  BOOST_TEST(r.status == CheckStatus::kError);
  BOOST_TEST(r.message.find("refused the connection") != std::string::npos, r.message);
  BOOST_TEST(r.steps.at(0).failure == r.message);
}

BOOST_AUTO_TEST_CASE(over_https) {
  if (findProgram("openssl").empty()) {
    BOOST_TEST_MESSAGE("openssl (the command) is not installed: HTTPS case not run");
    return;
  }
  TempDir dir("huitong-it-agent-tls");
  const auto cert = dir.path() / "cert.pem";
  const auto key = dir.path() / "key.pem";
  Process make(
      {findProgram("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
       "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
       "subjectAltName=IP:127.0.0.1", "-keyout", key.string(), "-out", cert.string()},
      dir.path(), "openssl");
  make.wait(60s);
  BOOST_TEST_REQUIRE(make.describe() == "exit 0");
  const auto tokenFile = dir.write("agent.token", kToken + "\n");
  ::chmod(tokenFile.c_str(), 0600);
  Process agent({huitongBinary().string(), "agent", "--listen", "127.0.0.1:0", "--token-file",
                 tokenFile.string(), "--tls-cert", cert.string(), "--tls-key", key.string()},
                dir.path(), "agent");
  const auto line = agent.waitForLine("listening on https://127.0.0.1:", false, 30s);
  BOOST_TEST_REQUIRE(line.has_value(), readFile(agent.errPath()));
  const std::string url = "https://127.0.0.1:" + line->substr(line->rfind(':') + 1);
  AgentTarget target{url, kToken};
  target.caFile = cert.string();
  RunContext ctx;
  ctx.timeoutMs = 5000;
  const CheckResult r = AgentCheck("db-server", noThresholds(), target).run(ctx);
  BOOST_TEST(r.status == CheckStatus::kOk, r.message);
  BOOST_TEST(r.values.count("mem_available_bytes") == 1u);
  agent.signal(SIGTERM);
  agent.wait(30s);
  BOOST_TEST(agent.describe() == "exit 0");
  BOOST_TEST(runToEnd(dir, "halftls",
                      {"agent", "--listen", "127.0.0.1:0", "--token-file", tokenFile.string(),
                       "--tls-cert", cert.string()}) == 2);
}

BOOST_AUTO_TEST_CASE(host_once_help_and_bad_usage) {
  TempDir dir("huitong-it-agent-cli");
  BOOST_TEST(runToEnd(dir, "host", {"host"}) == 0);
  auto printed = json::parse(readFile(dir.path() / "host.out"));
  BOOST_TEST_REQUIRE(printed.ok());
  auto figures = fromJson(printed.value());
  BOOST_TEST_REQUIRE(figures.ok(), (figures.ok() ? "" : figures.error().message));
  BOOST_TEST(figures.value().findMount("/") != nullptr);
  BOOST_TEST(runToEnd(dir, "once", {"agent", "--once"}) == 0);
  BOOST_TEST(json::parse(readFile(dir.path() / "once.out")).ok());
  BOOST_TEST(runToEnd(dir, "help", {"agent", "--help"}) == 0);
  BOOST_TEST(readFile(dir.path() / "help.out").find("--token-file FILE") != std::string::npos);
  BOOST_TEST(runToEnd(dir, "notoken", {"agent", "--listen", "127.0.0.1:0"}) == 2);
  BOOST_TEST(readFile(dir.path() / "notoken.err").find("--token-file FILE is required") !=
             std::string::npos);
  BOOST_TEST(runToEnd(dir, "badlisten",
                      {"agent", "--listen", "nowhere", "--token-file", "/dev/null"}) == 2);
  const auto shortToken = dir.write("short.token", "abc\n");
  BOOST_TEST(runToEnd(dir, "short",
                      {"agent", "--listen", "127.0.0.1:0", "--token-file", shortToken.string()}) ==
             2);
  BOOST_TEST(readFile(dir.path() / "short.err").find("16 or more characters") != std::string::npos);
  BOOST_TEST(runToEnd(dir, "missing",
                      {"agent", "--listen", "127.0.0.1:0", "--token-file",
                       (dir.path() / "none.token").string()}) == 2);
  BOOST_TEST(runToEnd(dir, "noproc", {"host", "--proc", (dir.path() / "no-proc").string()}) == 2);
  BOOST_TEST(readFile(dir.path() / "noproc.err").find("no-proc/stat: cannot read") !=
             std::string::npos);
  BOOST_TEST(runToEnd(dir, "unknown", {"agent", "--bogus"}) == 2);
}

BOOST_AUTO_TEST_SUITE_END()

int main(int argc, char* argv[]) {
  if (huitong::integration::findProgram("promtool").empty()) {
    std::printf("SKIPPED: promtool is not on PATH (Debian package `prometheus`)\n");
    return 77;
  }
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
