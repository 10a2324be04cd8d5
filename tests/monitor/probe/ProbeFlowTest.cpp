// Probes and login flows against the real test web application (tests/monitor/probe/webapp) on
// loopback, through the probe library and through `huitong probe run`: success, a broken login,
// a hang ended by the run's timeout (the bound measured), a huge body, redirect loops, refused
// connections, DNS failure, and TLS with a CA file, self-signed, expired and near-expiry
// certificates.
#define BOOST_TEST_MODULE test_monitor_probe_flows
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "gateway/core/Json.h"
#include "gateway/monitor/probe/ProbeConfig.h"
#include "tests/monitor/probe/ProbeTestSupport.h"

using namespace huitong;
using namespace huitong::monitor;
using namespace huitong::monitor::probe;
using namespace huitong::monitor::probe::testing;

namespace huitong::monitor {
std::ostream& operator<<(std::ostream& os, CheckStatus s) {
  return os << toString(s);
}
}  // namespace huitong::monitor

namespace {

// One probe entry read as the gateway reads it, run once.
struct Run {
  CheckResult result;
  double elapsedMs = 0;
};

std::shared_ptr<Probe> probeFrom(const std::string& entryJson, const std::string& baseDir = "/") {
  auto parsed = json::parse(R"({"probes":[)" + entryJson + "]}");
  BOOST_REQUIRE_MESSAGE(parsed.ok(), entryJson);
  static std::vector<std::unique_ptr<rapidjson::Document>> keep;  // nodes point into these
  keep.push_back(std::make_unique<rapidjson::Document>(std::move(parsed.value())));
  ConfigNode node(
      *keep.back(), "/monitor", [](const std::string& p) { return "t.json#" + p; }, baseDir);
  auto list = readProbeList(node);
  BOOST_REQUIRE_MESSAGE(list.ok(), (list.ok() ? std::string() : list.error().describe()));
  return list.value()[0].probe;
}

Run run(Probe& p, unsigned timeoutMs = 5000, bool intensified = false) {
  SystemClock clock;
  RunContext ctx;
  ctx.clock = &clock;
  ctx.timeoutMs = timeoutMs;
  ctx.intensified = intensified;
  const auto start = std::chrono::steady_clock::now();
  Run r;
  r.result = p.run(ctx);
  r.elapsedMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::string dump(const CheckResult& r) {
  rapidjson::Document d;
  auto v = toJson(r, d.GetAllocator());
  return json::write(v);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The applicant login flow of docs/monitoring.md against `base`.
std::string loginFlow(const std::string& base, const std::string& id = "applicant-login",
                      const std::string& extra = "",
                      const std::string& password = R"("password":"Secret-123")") {
  return R"({"id":")" + id + R"(","url":")" + base + R"(/login",)" + extra + R"(
    "credentials":{"username":"zhangsan",)" +
         password + R"J(},
    "steps":[
      {"name":"login page","expect_body":[{"selector":"form"}],
       "extract":[{"name":"csrf","selector":"input[name=csrf_token]","attribute":"value"}]},
      {"name":"submit login","url":"/login","follow_redirects":false,"expect_status":302,
       "form":{"username":"${username}","password":"${password}","csrf_token":"${csrf}"},
       "expect_body":[{"not_contains":"用户名或密码错误"}],
       "expect_headers":[{"name":"Location","equals":"/home"}],
       "extract":[{"name":"landing","header":"Location"}]},
      {"name":"landing page","url":"${landing}","expect_body":[{"contains":"欢迎您，zhangsan"}]},
      {"name":"事项查询","url":"/items","latency_ms":3000,
       "expect_body":[{"contains":"事项查询"},{"regex":"婚姻登记</td><td>(已受理|已办结)"}]}]})J";
}

}  // namespace

BOOST_AUTO_TEST_CASE(page_probe_with_assertions_and_timings) {
  TempDir dir;
  WebApp app(dir.path());
  auto home = probeFrom(R"({"id":"home","url":")" + app.base() + R"(/","latency_ms":2000,
      "expect_body":[{"contains":"一网通办"},{"not_regex":"Exception|stack trace"}],
      "expect_headers":[{"name":"Content-Type","contains":"text/html"},
                        {"name":"X-Frame-Options","equals":"DENY"},
                        {"name":"Server","absent":true}]})");
  const Run r = run(*home);
  BOOST_TEST_INFO(dump(r.result));
  BOOST_TEST(r.result.ok());
  BOOST_REQUIRE(r.result.steps.size() == 1u);
  const StepResult& s = r.result.steps[0];
  BOOST_TEST(s.httpStatus == 200);
  BOOST_TEST(s.timings.dnsMs < 0);  // an address: no lookup
  BOOST_TEST(s.timings.connectMs >= 0);
  BOOST_TEST(s.timings.tlsMs < 0);
  BOOST_TEST(s.timings.firstByteMs >= 0);
  BOOST_TEST(s.timings.totalMs >= s.timings.firstByteMs);
  BOOST_TEST(r.result.values.at("http_status") == 200);
  std::cout << "page probe http: connect " << s.timings.connectMs << " ms, first byte "
            << s.timings.firstByteMs << " ms, total " << s.timings.totalMs << " ms\n";

  auto api = probeFrom(R"({"id":"api","url":")" + app.base() + R"(/api/status",
      "expect_body":[{"jsonpath":"$.status","equals":"up"},{"jsonpath":"$.items[0].name",
                      "equals":"婚姻登记"},{"jsonpath":"$.version"}]})");
  BOOST_TEST(run(*api).result.ok());
  auto wrong = probeFrom(R"({"id":"api","url":")" + app.base() + R"(/api/status",
      "expect_status":"2xx","expect_body":[{"jsonpath":"$.status","equals":"down"},
      {"jsonpath":"$.missing"},{"contains":"absent text"}],
      "expect_headers":[{"name":"X-Frame-Options","equals":"SAMEORIGIN"},{"name":"X-None"}]})");
  const Run w = run(*wrong);
  BOOST_TEST(w.result.status == CheckStatus::kFail);
  BOOST_TEST_INFO(w.result.message);
  BOOST_TEST(w.result.message ==
             "$.status is '\"up\"', expected \"down\"; $.missing selects nothing; body does not "
             "contain 'absent text'; header X-Frame-Options is 'DENY', expected 'SAMEORIGIN'; "
             "header X-None missing");
  auto notFound = probeFrom(R"({"id":"nf","url":")" + app.base() + R"(/nope"})");
  BOOST_TEST(run(*notFound).result.message == "expected status 200-299, got 404");
}

BOOST_AUTO_TEST_CASE(applicant_and_admin_login_flows) {
  TempDir dir;
  WebApp app(dir.path());
  auto flow = probeFrom(loginFlow(app.base()));
  const Run r = run(*flow);
  BOOST_TEST_INFO(dump(r.result));
  BOOST_TEST(r.result.ok());
  BOOST_REQUIRE(r.result.steps.size() == 4u);
  BOOST_TEST(r.result.steps[1].httpStatus == 302);
  BOOST_TEST(r.result.steps[3].name == "事项查询");
  BOOST_TEST(r.result.kind == "login");
  BOOST_TEST(r.result.values.count("latency_ms{step=\"submit login\"}") == 1u);
  for (const auto& s : r.result.steps)
    std::cout << "login flow step '" << s.name << "': " << s.httpStatus << ", connect "
              << s.timings.connectMs << " ms, first byte " << s.timings.firstByteMs << " ms, total "
              << s.timings.totalMs << " ms\n";
  std::cout << "login flow total " << r.result.durationMs << " ms\n";

  // The admin login: the token by regex, the redirect followed to the landing page.
  auto admin = probeFrom(R"({"id":"admin-login","url":")" + app.base() + R"(/admin/login",
    "credentials":{"username":"admin","password":"Admin-456"},
    "steps":[
      {"name":"admin login page","extract":[{"name":"t","regex":"name=\"csrf_token\" value=\"([0-9a-f]+)\""}]},
      {"name":"submit admin login","url":"/admin/login","form":{"username":"${username}",
       "password":"${password}","csrf_token":"${t}"},"expect_body":[{"contains":"管理后台"}]}]})");
  const Run a = run(*admin);
  BOOST_TEST_INFO(dump(a.result));
  BOOST_TEST(a.result.ok());
  BOOST_REQUIRE(a.result.steps.size() == 3u);
  BOOST_TEST(a.result.steps[1].httpStatus == 302);
  BOOST_TEST(a.result.steps[2].name == "submit admin login (redirect 1)");
  BOOST_TEST(a.result.steps[2].url == app.base() + "/admin/dashboard");

  // Without the session cookie the function page sends the prober back to the login page.
  auto anonymous = probeFrom(R"({"id":"items","url":")" + app.base() +
                             R"(/items","expect_body":[{"contains":"事项查询"}]})");
  const Run n = run(*anonymous);
  BOOST_TEST(n.result.status == CheckStatus::kFail);
  BOOST_TEST(n.result.steps.size() == 2u);
  BOOST_TEST(n.result.steps[1].url == app.base() + "/login");
}

BOOST_AUTO_TEST_CASE(a_broken_login_says_which_step_and_why_without_the_password) {
  TempDir dir;
  WebApp app(dir.path());
  auto flow = probeFrom(loginFlow(app.base()));
  app.setMode("login-fails");
  const Run r = run(*flow);
  BOOST_TEST(r.result.status == CheckStatus::kFail);
  BOOST_TEST(
      r.result.message ==
      "step 2 (submit login): expected status 302, got 200; body contains '用户名或密码错误'; "
      "header Location missing");
  BOOST_TEST(r.result.steps.size() == 2u);  // nothing after the failing step
  BOOST_TEST(!contains(dump(r.result), "Secret-123"));

  app.setMode("wrong-csrf");
  const Run c = run(*flow);
  BOOST_TEST(contains(c.result.message, "step 2 (submit login): expected status 302, got 403"));

  // A password that lands in a URL is masked there too.
  app.setMode("normal");
  auto leaky = probeFrom(R"({"id":"leaky","url":")" + app.base() +
                         R"(/nope?p=${password}","credentials":{"password":"Secret 123&x"}})");
  const Run l = run(*leaky);
  BOOST_TEST(l.result.steps[0].url == app.base() + "/nope?p=***");
  BOOST_TEST(!contains(dump(l.result), "Secret"));
}

BOOST_AUTO_TEST_CASE(a_hanging_target_ends_at_the_runs_timeout) {
  TempDir dir;
  WebApp app(dir.path());
  auto hang = probeFrom(R"({"id":"hang","url":")" + app.base() + R"(/hang"})");
  for (unsigned timeout : {300u, 1500u}) {
    const Run r = run(*hang, timeout);
    BOOST_TEST(r.result.status == CheckStatus::kError);
    BOOST_TEST_INFO(r.result.message);
    BOOST_TEST(contains(r.result.message, "no answer within the run's timeout of " +
                                              std::to_string(timeout) + " ms"));
    BOOST_TEST(r.elapsedMs >= timeout - 5.0);
    BOOST_TEST(r.elapsedMs < timeout + 200.0);
    std::cout << "hang with timeout " << timeout << " ms: returned after " << r.elapsedMs
              << " ms (overshoot " << r.elapsedMs - timeout << " ms)\n";
  }
  // The bound is the whole run's: a flow whose third page hangs stops at the same deadline.
  auto flow = probeFrom(R"({"id":"f","url":")" + app.base() + R"(/slow?ms=400",
      "steps":[{"name":"slow 1"},{"name":"slow 2","url":"/slow?ms=400"},{"name":"hang","url":"/hang"}]})");
  const Run f = run(*flow, 1200);
  BOOST_TEST(f.result.status == CheckStatus::kError);
  BOOST_TEST(f.result.steps.size() == 3u);
  BOOST_TEST(contains(f.result.message, "step 3 (hang): no answer within"));
  BOOST_TEST(f.elapsedMs < 1200 + 200.0);
  std::cout << "flow ending in a hang, timeout 1200 ms: returned after " << f.elapsedMs << " ms\n";
}

BOOST_AUTO_TEST_CASE(huge_body_and_latency_thresholds) {
  TempDir dir;
  WebApp app(dir.path());
  auto huge = probeFrom(R"({"id":"huge","url":")" + app.base() + R"(/huge"})");
  const Run h = run(*huge, 20000);
  BOOST_TEST(h.result.status == CheckStatus::kFail);
  BOOST_TEST(h.result.message == "body larger than 4194304 bytes, read stopped");
  BOOST_TEST(h.result.steps[0].httpStatus == 200);
  std::cout << "huge body: stopped after " << h.elapsedMs << " ms\n";
  auto small =
      probeFrom(R"({"id":"huge","url":")" + app.base() + R"(/huge","max_body_bytes":1024})");
  BOOST_TEST(contains(run(*small).result.message, "body larger than 1024 bytes, read stopped"));

  auto slow = probeFrom(R"({"id":"slow","url":")" + app.base() +
                        R"(/slow?ms=300","latency_ms":2000,"intensified_latency_ms":150})");
  BOOST_TEST(run(*slow).result.ok());
  const Run tight = run(*slow, 5000, true);
  BOOST_TEST(tight.result.status == CheckStatus::kFail);
  BOOST_TEST_INFO(tight.result.message);
  BOOST_TEST(contains(tight.result.message, "ms, above the 150 ms threshold (intensified)"));
}

BOOST_AUTO_TEST_CASE(redirects_bounded_and_loops_named) {
  TempDir dir;
  WebApp app(dir.path());
  const std::string b = app.base();
  auto loop = probeFrom(R"({"id":"loop","url":")" + b + R"(/loop/a"})");
  const Run l = run(*loop);
  BOOST_TEST(l.result.status == CheckStatus::kFail);
  BOOST_TEST(l.result.message ==
             "redirect loop: " + b + "/loop/a → " + b + "/loop/b → " + b + "/loop/a");
  auto many = probeFrom(R"({"id":"many","url":")" + b + R"(/redirects/9"})");
  const Run m = run(*many);
  BOOST_TEST(contains(m.result.message, "more than 5 redirects: " + b + "/redirects/9 → "));
  BOOST_TEST(m.result.steps.size() == 6u);
  auto three = probeFrom(R"({"id":"three","url":")" + b + R"(/redirects/3"})");
  const Run t = run(*three);
  BOOST_TEST(t.result.ok());
  BOOST_TEST(t.result.steps.size() == 4u);
  auto none = probeFrom(R"({"id":"none","url":")" + b +
                        R"(/redirects/3","follow_redirects":false,"expect_status":302})");
  BOOST_TEST(run(*none).result.ok());
}

BOOST_AUTO_TEST_CASE(refused_and_unresolvable_targets) {
  // A port nobody listens on: bound, then closed.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const unsigned port = ntohs(a.sin_port);
  ::close(fd);
  auto refused =
      probeFrom(R"({"id":"r","url":"http://127.0.0.1:)" + std::to_string(port) + R"(/"})");
  const Run r = run(*refused);
  BOOST_TEST(r.result.status == CheckStatus::kError);
  BOOST_TEST(r.result.message == "cannot connect to 127.0.0.1:" + std::to_string(port) +
                                     " (127.0.0.1:" + std::to_string(port) +
                                     ": Connection refused)");

  auto dns = probeFrom(R"({"id":"d","url":"http://no-such-host.invalid/"})");
  const Run d = run(*dns, 3000);
  BOOST_TEST(d.result.status == CheckStatus::kError);
  BOOST_TEST_INFO(d.result.message);
  BOOST_TEST(contains(d.result.message, "DNS lookup of 'no-such-host.invalid'"));
  BOOST_TEST(d.elapsedMs < 3000 + 200.0);
  BOOST_TEST(d.result.steps[0].timings.dnsMs >= 0);
}

BOOST_AUTO_TEST_CASE(tls_verification_and_expiry) {
  TempDir dir;
  TestPki pki(dir.path());
  {
    WebApp app(dir.path(), pki.good.cert, pki.good.key);
    const std::string https = app.base();
    BOOST_TEST(https.rfind("https://", 0) == 0u);
    auto trusted = probeFrom(R"({"id":"t","url":")" + https + R"(/","tls":{"ca_file":")" +
                             pki.ca.cert + R"(","min_days_left":14}})");
    const Run r = run(*trusted);
    BOOST_TEST_INFO(dump(r.result));
    BOOST_TEST(r.result.ok());
    BOOST_TEST(r.result.steps[0].timings.tlsMs >= 0);
    BOOST_TEST(r.result.values.at("tls_days_left") > 29.9);
    BOOST_TEST(r.result.values.at("tls_days_left") < 30.1);
    std::cout << "https page: connect " << r.result.steps[0].timings.connectMs << " ms, tls "
              << r.result.steps[0].timings.tlsMs << " ms, first byte "
              << r.result.steps[0].timings.firstByteMs << " ms, total "
              << r.result.steps[0].timings.totalMs << " ms\n";
    // The login flow over TLS.
    auto flow =
        probeFrom(loginFlow(https, "tls-login", R"("tls":{"ca_file":")" + pki.ca.cert + R"("},)"));
    BOOST_TEST(run(*flow).result.ok());
    // The system's trust store does not know the test CA.
    auto system = probeFrom(R"({"id":"s","url":")" + https + R"(/"})");
    const Run s = run(*system);
    BOOST_TEST(s.result.status == CheckStatus::kFail);
    BOOST_TEST_INFO(s.result.message);
    BOOST_TEST(contains(s.result.message, "not trusted: unable to get local issuer certificate"));
    // Near expiry: 30 days left is below a 60-day threshold (and an intensified 90).
    auto near = probeFrom(R"({"id":"n","url":")" + https + R"(/","tls":{"ca_file":")" +
                          pki.ca.cert + R"(","min_days_left":60}})");
    const Run nr = run(*near);
    BOOST_TEST(nr.result.status == CheckStatus::kFail);
    BOOST_TEST_INFO(nr.result.message);
    BOOST_TEST(contains(nr.result.message, "expires in 30.0 days"));
    BOOST_TEST(contains(nr.result.message, "below the 60-day threshold"));
    // Hostname: the certificate names 127.0.0.1 and localhost, not this name.
  }
  {
    WebApp app(dir.path(), pki.selfSigned.cert, pki.selfSigned.key);
    auto without = probeFrom(R"({"id":"w","url":")" + app.base() + R"(/"})");
    const Run w = run(*without);
    BOOST_TEST(w.result.status == CheckStatus::kFail);
    BOOST_TEST_INFO(w.result.message);
    BOOST_TEST(contains(w.result.message, "not trusted: self-signed certificate"));
    BOOST_TEST(w.result.values.count("tls_days_left") == 1u);
    auto with = probeFrom(R"({"id":"w","url":")" + app.base() + R"(/","tls":{"ca_file":")" +
                          pki.selfSigned.cert + R"("}})");
    BOOST_TEST(run(*with).result.ok());
    auto unverified =
        probeFrom(R"({"id":"u","url":")" + app.base() + R"(/","tls":{"verify":false}})");
    BOOST_TEST(run(*unverified).result.ok());
  }
  {
    WebApp app(dir.path(), pki.expired.cert, pki.expired.key);
    auto expired = probeFrom(R"({"id":"e","url":")" + app.base() + R"(/","tls":{"ca_file":")" +
                             pki.ca.cert + R"("}})");
    const Run e = run(*expired);
    BOOST_TEST(e.result.status == CheckStatus::kFail);
    BOOST_TEST_INFO(e.result.message);
    BOOST_TEST(contains(e.result.message, "not trusted: certificate has expired"));
    BOOST_TEST(e.result.values.at("tls_days_left") < -2.9);
    // A TLS client against a plain server: the handshake fails, an error.
  }
  {
    WebApp plain(dir.path());
    auto mismatch = probeFrom(R"({"id":"m","url":"https://127.0.0.1:)" +
                              std::to_string(plain.port()) + R"(/"})");
    const Run m = run(*mismatch);
    BOOST_TEST(m.result.status == CheckStatus::kError);
    BOOST_TEST_INFO(m.result.message);
    BOOST_TEST(contains(m.result.message, "TLS handshake with 127.0.0.1:"));
  }
}

BOOST_AUTO_TEST_CASE(probe_run_command) {
  TempDir dir;
  WebApp app(dir.path());
  dir.write("applicant.pw", "Secret-123\n");
  const std::string config =
      R"({"systems":{},"monitor":{"probes":[{"id":"home","url":")" + app.base() +
      R"(/","expect_body":[{"contains":"一网通办"}]},)" +
      loginFlow(app.base(), "applicant-login", "", R"("password_file":"applicant.pw")") + R"(]}})";
  const auto file = dir.write("gateway.json", config);
  const std::string bin = HUITONG_BIN;
  auto all = runCommand({bin, "probe", "run", "--config", file.string()}, dir.path());
  BOOST_TEST_INFO(all.out + all.err);
  BOOST_TEST(all.exitCode == 0);
  BOOST_TEST(contains(all.out, "applicant-login"));
  BOOST_TEST(contains(all.out, "submit login"));
  BOOST_TEST(contains(all.out, "credentials: username zhangsan, password sha256:"));
  BOOST_TEST(!contains(all.out + all.err, "Secret-123"));
  std::cout << all.out;

  auto one = runCommand({bin, "probe", "run", "--config", file.string(), "--id", "home", "--json"},
                        dir.path());
  BOOST_TEST(one.exitCode == 0);
  auto parsed = json::parse(one.out);
  BOOST_REQUIRE_MESSAGE(parsed.ok(), one.out);
  BOOST_TEST(parsed.value()["results"].Size() == 1u);
  BOOST_TEST(std::string(parsed.value()["results"][0]["check"].GetString()) == "home");

  app.setMode("login-fails");
  auto failed = runCommand({bin, "probe", "run", "--config", file.string()}, dir.path());
  BOOST_TEST(failed.exitCode == 1);
  BOOST_TEST(contains(failed.out, "step 2 (submit login): expected status 302, got 200"));
  BOOST_TEST(!contains(failed.out + failed.err, "Secret-123"));

  auto unknown =
      runCommand({bin, "probe", "run", "--config", file.string(), "--id", "nope"}, dir.path());
  BOOST_TEST(unknown.exitCode == 2);
  BOOST_TEST(contains(unknown.err, "no probe 'nope'"));

  const auto bad = dir.write(
      "bad.json",
      "{\"systems\":{},\"monitor\":{\"probes\":[\n{\"id\":\"x\",\n\"url\":\"ftp://x/\"}]}}");
  auto badRun = runCommand({bin, "probe", "run", "--config", bad.string()}, dir.path());
  BOOST_TEST(badRun.exitCode == 2);
  BOOST_TEST_INFO(badRun.err);
  BOOST_TEST(contains(badRun.err, "bad.json:3:"));
  BOOST_TEST(contains(badRun.err, "http or https"));
  auto usage = runCommand({bin, "probe", "run"}, dir.path());
  BOOST_TEST(usage.exitCode == 2);
}
