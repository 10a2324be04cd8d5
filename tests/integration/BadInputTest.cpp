// Bad input against the real gateway: every JSONTestSuite n_* file, the XML attack corpus,
// bad and stale and replayed signatures, oversized bodies, wrong content types, an unknown
// system. Each must be a clear 4xx (or a SOAP fault for the SOAP system), answered fast; the
// gateway stays up and its memory stays bounded.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/integration/Harness.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

// Resident memory the gateway may reach after all of this (it starts near 20 MiB).
constexpr long kRssBoundKiB = 300 * 1024;
// A hostile document must not hold a request thread for long.
constexpr double kFastSeconds = 5.0;

struct Env {
  TempDir dir{"huitong-it-bad"};
  MockPlatformProcess platform{dir.path(), "it-platform-token"};
  DepartmentCredential marriage = makeCredential("marriage");
  DepartmentCredential elderly = makeCredential("elderly-subsidy");
  std::unique_ptr<GatewayProcess> gateway;
  long startRssKiB = 0;
  Env() {
    GatewayOptions o;
    o.store = freshStore(dir.path());
    o.platformUrl = platform.url();
    o.platformToken = platform.token();
    o.systems = {marriage, elderly};
    gateway = std::make_unique<GatewayProcess>(dir.path(), o);
    startRssKiB = gateway->process().rssKiB();
  }
};

std::unique_ptr<Env> gEnv;

Env& env() {
  if (!gEnv)
    gEnv = std::make_unique<Env>();
  return *gEnv;
}

struct EnvTeardown {
  ~EnvTeardown() { gEnv.reset(); }
};
BOOST_TEST_GLOBAL_FIXTURE(EnvTeardown);

// A fixed "now" for signing with a stale or future `created`.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(EpochMillis offset) : offset_(offset) {}
  EpochMillis now() const override { return SystemClock().now() + offset_; }

 private:
  EpochMillis offset_;
};

bool isProblem(const Answer& a) {
  return a.header("content-type").rfind("application/problem+json", 0) == 0 &&
         a.body.find("\"status\":" + std::to_string(a.status)) != std::string::npos;
}

void checkStillUp(const std::string& after) {
  Env& e = env();
  BOOST_REQUIRE_MESSAGE(e.gateway->process().running(),
                        "the gateway died after " << after << ": "
                                                  << e.gateway->process().describe() << "\n"
                                                  << e.gateway->stderrText().substr(0, 4000));
  HttpClient c(e.gateway->port());
  const Answer h = c.send("GET", "/healthz");
  BOOST_TEST_REQUIRE(h.status == 200,
                     "healthz after " << after << ": " << h.status << " " << h.error);
  const long rss = e.gateway->process().rssKiB();
  BOOST_TEST_MESSAGE("after " << after << ": VmRSS " << rss / 1024 << " MiB");
  BOOST_TEST(rss < kRssBoundKiB, "VmRSS " << rss << " KiB after " << after);
}

std::vector<fs::path> filesUnder(const fs::path& dir, const std::string& prefix,
                                 const std::string& ext) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && name.rfind(prefix, 0) == 0 && entry.path().extension() == ext) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

boost::test_tools::assertion_result haveShared(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(fs::is_directory(sharedDir() / "testdata"));
  if (!r)
    r.message() << "skipped: " << (sharedDir() / "testdata").string() << " is missing";
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bad_input)

// First: the signing client works, so the refusals below are about the input.
BOOST_AUTO_TEST_CASE(a_valid_message_is_accepted) {
  Env& e = env();
  HttpClient c(e.gateway->port());
  const MarriageMessage m = marriageMessage("HYBAD000001", 1, 0);
  const Answer a = signedPost(c, e.marriage, "/intake/v1/marriage", m.body);
  BOOST_TEST_REQUIRE(a.status == 202, a.body);
  BOOST_TEST(a.body.find(m.eventId) != std::string::npos, a.body);
}

BOOST_AUTO_TEST_CASE(json_test_suite_n_files_are_400_problems,
                     *boost::unit_test::precondition(haveShared)) {
  Env& e = env();
  HttpClient c(e.gateway->port());
  const auto files =
      filesUnder(sharedDir() / "testdata" / "JSONTestSuite" / "test_parsing", "n_", ".json");
  BOOST_TEST_REQUIRE(files.size() > 100u);
  double slowest = 0;
  for (const auto& f : files) {
    const Answer a = signedPost(c, e.marriage, "/intake/v1/marriage", readFile(f));
    slowest = std::max(slowest, a.seconds);
    BOOST_TEST(a.status == 400, f.filename().string() << ": " << a.status << " " << a.error << " "
                                                      << a.body.substr(0, 300));
    BOOST_TEST(isProblem(a), f.filename().string()
                                 << ": not problem+json: " << a.header("content-type") << " "
                                 << a.body.substr(0, 200));
    BOOST_TEST(a.seconds < kFastSeconds, f.filename().string() << " took " << a.seconds << " s");
  }
  BOOST_TEST_MESSAGE(files.size() << " n_* files, slowest answer " << slowest << " s");
  checkStillUp("JSONTestSuite n_*");
}

BOOST_AUTO_TEST_CASE(xml_attacks_are_refused_fast, *boost::unit_test::precondition(haveShared)) {
  Env& e = env();
  HttpClient c(e.gateway->port());
  const auto files = filesUnder(sharedDir() / "testdata" / "xml-attacks", "", ".xml");
  BOOST_TEST_REQUIRE(files.size() > 20u);
  double slowest = 0;
  for (const auto& f : files) {
    const std::string name = fs::relative(f, sharedDir() / "testdata" / "xml-attacks").string();
    const Answer a =
        signedPost(c, e.elderly, "/intake/v1/elderly-subsidy", readFile(f), "text/xml");
    slowest = std::max(slowest, a.seconds);
    const bool fault = a.status == 500 && a.body.find("<soap:Fault>") != std::string::npos &&
                       a.body.find("soap:Client") != std::string::npos;
    BOOST_TEST((fault || (a.status >= 400 && a.status < 500)),
               name << ": " << a.status << " " << a.error << " " << a.body.substr(0, 300));
    BOOST_TEST(a.seconds < kFastSeconds, name << " took " << a.seconds << " s");
  }
  BOOST_TEST_MESSAGE(files.size() << " XML attack files, slowest answer " << slowest << " s");
  checkStillUp("XML attacks");
}

BOOST_AUTO_TEST_CASE(bad_signatures_are_401) {
  Env& e = env();
  HttpClient c(e.gateway->port());
  const std::string path = "/intake/v1/marriage";
  const std::string ct = "application/json";
  const std::string body = marriageMessage("HYBAD000002", 2, 0).body;
  const SystemClock now;
  auto expect = [&](const std::string& what, const Answer& a, int status) {
    BOOST_TEST(a.status == status, what << ": " << a.status << " " << a.error << " " << a.body);
    BOOST_TEST(isProblem(a), what << ": not problem+json: " << a.body);
  };

  expect("no signature", c.send("POST", path, body, ct), 401);

  DepartmentCredential wrong = e.marriage;
  wrong.secret = auth::randomToken(32);
  expect("wrong secret",
         c.send("POST", path, body, ct,
                signatureHeaders(wrong, c.port(), "POST", path, ct, body, now)),
         401);

  DepartmentCredential unknown = makeCredential("marriage");
  expect("unknown key id",
         c.send("POST", path, body, ct,
                signatureHeaders(unknown, c.port(), "POST", path, ct, body, now)),
         401);

  auto signedHeaders = signatureHeaders(e.marriage, c.port(), "POST", path, ct, body, now);
  expect("body changed after signing", c.send("POST", path, body + " ", ct, signedHeaders), 401);

  expect(
      "signed for another path",
      c.send("POST", path, body, ct,
             signatureHeaders(e.marriage, c.port(), "POST", "/intake/v1/funeral", ct, body, now)),
      401);

  const OffsetClock stale(-10 * 60 * 1000), future(10 * 60 * 1000);
  expect("created 10 minutes ago",
         c.send("POST", path, body, ct,
                signatureHeaders(e.marriage, c.port(), "POST", path, ct, body, stale)),
         401);
  expect("created 10 minutes ahead",
         c.send("POST", path, body, ct,
                signatureHeaders(e.marriage, c.port(), "POST", path, ct, body, future)),
         401);

  // The same signed request twice: accepted once, the replay refused.
  const auto once = signatureHeaders(e.marriage, c.port(), "POST", path, ct, body, now);
  const Answer first = c.send("POST", path, body, ct, once);
  BOOST_TEST(first.status == 202, first.body);
  expect("replayed nonce", c.send("POST", path, body, ct, once), 401);

  // Another system's key: authenticated, not authorised.
  const Answer other = c.send("POST", path, body, ct,
                              signatureHeaders(e.elderly, c.port(), "POST", path, ct, body, now));
  BOOST_TEST((other.status == 401 || other.status == 403), other.status << " " << other.body);

  checkStillUp("bad signatures");
}

BOOST_AUTO_TEST_CASE(oversized_bodies_are_413) {
  Env& e = env();
  const std::string path = "/intake/v1/marriage";
  const std::string big(2 * 1024 * 1024 + 17, 'x');
  const SystemClock now;
  {
    HttpClient c(e.gateway->port());
    const Answer a =
        c.send("POST", path, big, "application/json",
               signatureHeaders(e.marriage, c.port(), "POST", path, "application/json", big, now));
    BOOST_TEST(a.status == 413, "with Content-Length: " << a.status << " " << a.error);
    BOOST_TEST(isProblem(a), a.body);
  }
  {
    HttpClient c(e.gateway->port());
    const Answer a = c.send(
        "POST", path, big, "application/json",
        signatureHeaders(e.marriage, c.port(), "POST", path, "application/json", big, now), true);
    BOOST_TEST(a.status == 413, "chunked: " << a.status << " " << a.error);
    BOOST_TEST(isProblem(a), a.body);
  }
  {
    // Just over the limit, on the SOAP system too.
    HttpClient c(e.gateway->port());
    const std::string over(1024 * 1024 + 1, 'x');
    const std::string soapPath = "/intake/v1/elderly-subsidy";
    const Answer a =
        c.send("POST", soapPath, over, "text/xml",
               signatureHeaders(e.elderly, c.port(), "POST", soapPath, "text/xml", over, now));
    BOOST_TEST(a.status == 413, "1 MiB + 1: " << a.status << " " << a.error);
  }
  checkStillUp("oversized bodies");
}

BOOST_AUTO_TEST_CASE(wrong_content_types_are_415) {
  Env& e = env();
  HttpClient c(e.gateway->port());
  const std::string body = marriageMessage("HYBAD000003", 3, 0).body;
  for (const std::string ct :
       {"text/plain", "text/xml", "application/x-www-form-urlencoded",
        "application/json; charset=gbk", "multipart/form-data; boundary=x"}) {
    const Answer a = signedPost(c, e.marriage, "/intake/v1/marriage", body, ct);
    BOOST_TEST(a.status == 415, ct << ": " << a.status << " " << a.body);
    BOOST_TEST(isProblem(a), ct << ": " << a.body);
  }
  const Answer none = signedPost(c, e.marriage, "/intake/v1/marriage", body, "");
  BOOST_TEST(none.status == 415, "no Content-Type: " << none.status << " " << none.body);
  const Answer json =
      signedPost(c, e.elderly, "/intake/v1/elderly-subsidy", "{}", "application/json");
  BOOST_TEST(json.status == 415, "JSON to the SOAP system: " << json.status << " " << json.body);
  checkStillUp("wrong content types");
}

BOOST_AUTO_TEST_CASE(unknown_system_is_404) {
  Env& e = env();
  const std::string body = marriageMessage("HYBAD000004", 4, 0).body;
  for (const std::string path : {"/intake/v1/no-such-system", "/intake/v1/funeral"}) {
    HttpClient c(e.gateway->port());  // fresh connection: see keep_alive_survives_an_early_answer
    const Answer a = signedPost(c, e.marriage, path, body);
    BOOST_TEST(a.status == 404, path << ": " << a.status << " " << a.body);
    BOOST_TEST(isProblem(a), path << ": " << a.body);
  }
  checkStillUp("unknown systems");
}

// An answer given before the body was read must not leave the body on a kept-alive
// connection, where it would be read as the next request (integration-findings F1).
BOOST_AUTO_TEST_CASE(keep_alive_survives_an_early_answer) {
  Env& e = env();
  const std::string body = marriageMessage("HYBAD000005", 5, 0).body;
  {
    HttpClient c(e.gateway->port());
    const Answer a = signedPost(c, e.marriage, "/intake/v1/no-such-system", body);
    BOOST_TEST(a.status == 404);
    const Answer next = c.send("GET", "/healthz");
    BOOST_TEST(next.status == 200, "the request after a 404 on the same connection: "
                                       << next.status << " " << next.error << " " << next.body);
  }
  {
    HttpClient c(e.gateway->port());
    const std::string big(2 * 1024 * 1024, 'x');  // not spaces: POCO skips those
    const Answer a = c.send("POST", "/intake/v1/marriage", big, "application/json");
    BOOST_TEST(a.status == 413);
    const Answer next = c.send("GET", "/healthz");
    BOOST_TEST(next.status == 200, "the request after a 413 on the same connection: "
                                       << next.status << " " << next.error << " " << next.body);
  }
  checkStillUp("early answers on kept-alive connections");
}

// Nesting as deep as the body limit allows (STACK-NOTES: deep XML crashed a POCO DOM, deep
// JSON overflowed RapidJSON's recursive parser).
BOOST_AUTO_TEST_CASE(deepest_nesting_within_the_size_limit_is_refused) {
  Env& e = env();
  HttpClient c(e.gateway->port());
  const std::size_t limit = 1024 * 1024;
  std::string json;
  for (const char* unit : {"[", "{\"a\":"}) {
    json.clear();
    while (json.size() + std::strlen(unit) <= limit)
      json += unit;
    const Answer a = signedPost(c, e.marriage, "/intake/v1/marriage", json);
    BOOST_TEST(a.status == 400, "JSON " << unit << " x " << json.size() / std::strlen(unit) << ": "
                                        << a.status << " " << a.error << " "
                                        << a.body.substr(0, 200));
    BOOST_TEST(a.seconds < kFastSeconds);
  }
  const std::string open = "<Envelope><Body><PushCaseStage>";
  std::string xml = open;
  while (xml.size() + 3 <= limit)
    xml += "<a>";
  for (const std::string& body : {xml, "<?xml version=\"1.0\"?>" + xml.substr(0, limit - 64)}) {
    const Answer a = signedPost(c, e.elderly, "/intake/v1/elderly-subsidy", body, "text/xml");
    const bool fault = a.status == 500 && a.body.find("<soap:Fault>") != std::string::npos;
    BOOST_TEST((fault || (a.status >= 400 && a.status < 500)),
               "XML nested " << body.size() / 3 << " deep: " << a.status << " " << a.error << " "
                             << a.body.substr(0, 200));
    BOOST_TEST(a.seconds < kFastSeconds);
  }
  checkStillUp("deep nesting");
}

// The hostile corpora again, from 4 clients at once, 3 times: memory must not grow with them.
BOOST_AUTO_TEST_CASE(repeated_hostile_input_does_not_grow_memory,
                     *boost::unit_test::precondition(haveShared)) {
  Env& e = env();
  std::vector<std::pair<std::string, std::string>> bodies;  // (system, body)
  for (const auto& f :
       filesUnder(sharedDir() / "testdata" / "JSONTestSuite" / "test_parsing", "n_", ".json"))
    bodies.emplace_back("marriage", readFile(f));
  for (const auto& f : filesUnder(sharedDir() / "testdata" / "xml-attacks", "", ".xml"))
    bodies.emplace_back("elderly-subsidy", readFile(f));
  auto round = [&]() {
    std::vector<std::thread> clients;
    std::atomic<int> unclear{0};
    for (int k = 0; k < 4; ++k) {
      clients.emplace_back([&, k] {
        HttpClient c(e.gateway->port());
        for (std::size_t i = static_cast<std::size_t>(k); i < bodies.size(); i += 4) {
          const bool json = bodies[i].first == "marriage";
          const Answer a =
              signedPost(c, json ? e.marriage : e.elderly, "/intake/v1/" + bodies[i].first,
                         bodies[i].second, json ? "application/json" : "text/xml");
          if (a.status == 0 || a.status < 400)
            ++unclear;
        }
      });
    }
    for (auto& t : clients)
      t.join();
    return unclear.load();
  };
  BOOST_TEST(round() == 0);
  const long afterFirst = e.gateway->process().rssKiB();
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(round() == 0);
  const long afterLast = e.gateway->process().rssKiB();
  BOOST_TEST_MESSAGE("VmRSS after one round " << afterFirst / 1024 << " MiB, after four "
                                              << afterLast / 1024 << " MiB");
  BOOST_TEST(afterLast - afterFirst < 32 * 1024,
             "memory grew by " << (afterLast - afterFirst) << " KiB over 3 rounds");
  checkStillUp("repeated hostile input");
}

// Last: everything above left the gateway healthy, within its memory bound, logging refusals.
BOOST_AUTO_TEST_CASE(gateway_stays_up_with_bounded_memory) {
  Env& e = env();
  checkStillUp("all bad input");
  BOOST_TEST_MESSAGE("VmRSS at start " << e.startRssKiB / 1024 << " MiB, now "
                                       << e.gateway->process().rssKiB() / 1024 << " MiB");
  const auto refused = e.gateway->stderrText();
  BOOST_TEST(refused.find("department request refused") != std::string::npos);
  BOOST_TEST(e.gateway->stop() == 0, "serve did not exit 0 on SIGTERM");
}

BOOST_AUTO_TEST_SUITE_END()
