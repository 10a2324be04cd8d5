// The push departments end to end through their natural adapters (issue 4 item 5): every
// sample of marriage (signed JSON, http_json) and elderly-subsidy (signed SOAP 1.1, soap11) of
// ../shared/departments (read at test time, never copied into the repository) is sent to the
// real gateway; the mock platform must hold exactly the expected events, and each invalid
// sample must be refused the adapter's way — a 422 problem listing the expected broken rules,
// or a SOAP response with Code 1 naming them.
#include <algorithm>
#include <set>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

namespace fs = std::filesystem;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << text.substr(0, 300));
  return d;
}

struct Department {
  std::string system;
  std::string contentType;
  bool soap = false;
};

// The events the platform holds, by event id, without source.received_at (set by the gateway
// when it takes a message; expected/ leaves it out), and how often each arrived.
std::map<std::string, rapidjson::Document> held(MockPlatformProcess& platform,
                                                std::map<std::string, int>& count) {
  std::map<std::string, rapidjson::Document> out;
  std::int64_t since = 0;
  for (;;) {
    Answer a = platform.control(
        "GET", "/control/v1/received?since=" + std::to_string(since) + "&limit=1000");
    rapidjson::Document d = parse(a.body);
    if (d["events"].Empty())
      break;
    for (const auto& e : d["events"].GetArray()) {
      const std::string id = e["event_id"].GetString();
      ++count[id];
      rapidjson::Document copy;
      copy.CopyFrom(e["event"], copy.GetAllocator());
      if (copy.HasMember("source") && copy["source"].IsObject())
        copy["source"].RemoveMember("received_at");
      out[id] = std::move(copy);
    }
    since = d["next_since"].GetInt64();
  }
  return out;
}

void runDepartment(const Department& dept) {
  const fs::path samples = sharedDir() / "departments" / dept.system / "samples";
  const fs::path expected = sharedDir() / "departments" / dept.system / "expected";
  BOOST_TEST_REQUIRE(fs::exists(samples), "no samples at " << samples);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(samples))
    files.push_back(e.path());
  std::sort(files.begin(), files.end());  // the departments' order of sending

  TempDir dir("huitong-it-push");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential cred = makeCredential(dept.system);
  GatewayOptions o;
  o.platformUrl = platform.url();
  o.platformToken = platform.token();
  o.systems = {cred};
  GatewayProcess gateway(dir.path(), o);
  HttpClient client(gateway.port());

  std::map<std::string, rapidjson::Document> expectedEvents;
  std::size_t refused = 0;
  for (const auto& sample : files) {
    const std::string stem = sample.stem().string();
    const Answer a =
        signedPost(client, cred, "/intake/v1/" + dept.system, readFile(sample), dept.contentType);
    const fs::path events = expected / (stem + ".events.json");
    if (fs::exists(events)) {
      BOOST_TEST((a.status == (dept.soap ? 200 : 202)), stem << ": " << a.status << " " << a.body);
      if (dept.soap)
        BOOST_TEST(a.body.find("<Code>0</Code>") != std::string::npos, stem << ": " << a.body);
      rapidjson::Document list = parse(readFile(events));
      for (const auto& e : list.GetArray()) {
        rapidjson::Document copy;
        copy.CopyFrom(e, copy.GetAllocator());
        expectedEvents[e["event_id"].GetString()] = std::move(copy);
      }
      continue;
    }
    const fs::path rejected = expected / (stem + ".rejected.json");
    BOOST_TEST_REQUIRE(fs::exists(rejected), "no expected/ file for " << sample);
    ++refused;
    std::multiset<std::pair<std::string, std::string>> want, got;
    const rapidjson::Document rules = parse(readFile(rejected));
    for (const auto& r : rules.GetArray())
      want.emplace(r["field"].GetString(), r["code"].GetString());
    if (dept.soap) {
      // A SOAP department is answered 200 with Code 1 and every broken rule in Message.
      BOOST_TEST(a.status == 200, stem << ": " << a.status << " " << a.body);
      BOOST_TEST(a.body.find("<Code>1</Code>") != std::string::npos, stem << ": " << a.body);
      for (const auto& [field, code] : want) {
        BOOST_TEST(a.body.find(" " + field + " " + code) != std::string::npos,
                   stem << ": " << field << " " << code << " not in " << a.body);
      }
      continue;
    }
    BOOST_TEST(a.status == 422, stem << ": " << a.status << " " << a.body);
    BOOST_TEST(a.header("content-type").rfind("application/problem+json", 0) == 0u, stem);
    rapidjson::Document problem = parse(a.body);
    BOOST_TEST_REQUIRE(problem.HasMember("errors"), stem << ": " << a.body);
    for (const auto& r : problem["errors"].GetArray()) {
      got.emplace(r["field"].GetString(), r["code"].GetString());
      BOOST_TEST(std::string(r["source_path"].GetString()).size() > 0u, stem);
    }
    BOOST_TEST((got == want), stem << ": the broken rules differ: " << a.body);
  }
  BOOST_TEST_REQUIRE(!expectedEvents.empty());
  BOOST_TEST(refused >= 1u);

  // Everything accepted arrives: exactly the expected events, each once.
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (platform.receivedTotal() < static_cast<std::int64_t>(expectedEvents.size()) &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(300ms);  // anything extra would arrive now
  std::map<std::string, int> count;
  const auto events = held(platform, count);
  BOOST_TEST(events.size() == expectedEvents.size());
  for (const auto& [id, want] : expectedEvents) {
    const auto it = events.find(id);
    BOOST_TEST_REQUIRE((it != events.end()), "event " << id << " did not arrive");
    BOOST_TEST(count[id] == 1, id << " arrived " << count[id] << " times");
    BOOST_TEST((it->second == want), id << " differs:\n  got " << huitong::json::write(it->second)
                                        << "\n  expected " << huitong::json::write(want));
  }
  for (const auto& [id, doc] : events)
    BOOST_TEST(expectedEvents.count(id) == 1u, "unexpected event " << id);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(push_departments)

BOOST_AUTO_TEST_CASE(marriage_through_http_json) {
  runDepartment({"marriage", "application/json; charset=utf-8", false});
}

BOOST_AUTO_TEST_CASE(elderly_subsidy_through_soap11) {
  runDepartment({"elderly-subsidy", "text/xml; charset=utf-8", true});
}

BOOST_AUTO_TEST_SUITE_END()
