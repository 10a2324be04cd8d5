// The joint-debug sandbox's rules without HTTP: the HTML page escapes everything it shows, the
// stages a mapping can produce, the evidence scenarios passed one by one, the session store on
// SQLite, and SandboxService judging marriage messages on a stored draft (accepted, duplicate,
// conflict, rejected, unreadable) with nothing but the sandbox's own tables written.
#define BOOST_TEST_MODULE joint_debug
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/registry/MappingVersions.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/registry/RequiredScenarios.h"
#include "sandbox/joint_debug/Evidence.h"
#include "sandbox/joint_debug/SandboxService.h"
#include "sandbox/joint_debug/SandboxStore.h"
#include "sandbox/joint_debug/Session.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::sandbox;

namespace {

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("huitong-jd-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

EpochMillis at(const char* rfc3339) {
  EpochMillis t = 0;
  BOOST_REQUIRE(parseRfc3339(rfc3339, t));
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(html_escapes_every_special_character) {
  BOOST_TEST(htmlEscape("<a href=\"x\">&'</a>") ==
             "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  BOOST_TEST(htmlEscape("中山 plain") == "中山 plain");
}

BOOST_AUTO_TEST_CASE(session_page_shows_hostile_values_as_text) {
  Session s;
  s.id = "sb-1";
  s.system = "marriage";
  s.actor = "<b>key</b>";
  s.mappingVersion = "2";
  s.mappingState = "draft";
  EventVerdict e;
  e.record = "$['<script>alert(1)</script>']";
  e.eventId = "marriage:X:submit:1:v1";
  e.stage = "submit";
  e.verdict = Verdict::kRejected;
  e.rules.push_back(
      mapping::Rejection{"applicant.name", "required", "needs \"<img src=x>\"", "$.name", 0});
  mapping::FieldTrace f;
  f.field = "applicant.name";
  f.source = "from $.name";
  f.sourcePaths = {"$['name']"};
  f.found = "\"</td><script>steal()</script>\"";
  f.steps.push_back(mapping::TraceStep{"trim", "\"<i>x</i>\""});
  f.value = "null";
  e.fields.push_back(f);
  s.events.push_back(e);
  const auto doc = sessionToJson(s);
  const std::string html = sessionHtml(doc);
  BOOST_TEST(html.find("<script") == std::string::npos);
  BOOST_TEST(html.find("<img") == std::string::npos);
  BOOST_TEST(html.find("<b>key") == std::string::npos);
  BOOST_TEST(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  BOOST_TEST(html.find("&lt;/td&gt;&lt;script&gt;steal()") != std::string::npos);
  // Self-contained: inline CSS, nothing fetched.
  BOOST_TEST(html.find("<style>") != std::string::npos);
  BOOST_TEST(html.find("http://") == std::string::npos);
  BOOST_TEST(html.find("https://") == std::string::npos);
  BOOST_TEST(html.find("<link") == std::string::npos);
  BOOST_TEST(html.find("拒收") != std::string::npos);
  // JSON: every field with its path, found value, steps and final value.
  const auto& field = doc["events"][0]["fields"][0];
  BOOST_TEST(std::string(field["source_paths"][0].GetString()) == "$['name']");
  BOOST_TEST(std::string(field["steps"][0]["transform"].GetString()) == "trim");
  BOOST_TEST(std::string(doc["events"][0]["rules"][0]["source_path"].GetString()) == "$.name");
  BOOST_TEST(doc["summary"]["rejected"].GetInt() == 1);
}

BOOST_AUTO_TEST_CASE(accept_header_chooses_html_only_when_preferred) {
  BOOST_TEST(prefersHtml("text/html"));
  BOOST_TEST(prefersHtml("text/html,application/xhtml+xml,*/*;q=0.8"));
  BOOST_TEST(!prefersHtml(""));
  BOOST_TEST(!prefersHtml("application/json"));
  BOOST_TEST(!prefersHtml("application/json, text/html"));
  BOOST_TEST(!prefersHtml("text/html;q=0"));
}

BOOST_AUTO_TEST_CASE(stages_come_from_the_stages_section_and_code_tables) {
  auto marriage = producibleStages(readText("mappings/marriage/mapping.json"));
  BOOST_REQUIRE(marriage.ok());
  BOOST_TEST(marriage.value() ==
                 (std::vector<std::string>{"submit", "accept", "approve", "supplement_notice",
                                           "supplement_accept", "complete"}),
             boost::test_tools::per_element());
  // A plain table named by the stage rule, a constant, and no stages section.
  auto small = producibleStages(
      R"({"fields": {"stage": {"from": "$.s", "code": "st"}, "seq": {"const": 1}},
          "tables": {"st": {"A": "submit", "B": "complete", "C": "no-such-stage"},
                     "other": {"X": "accept"}}})");
  BOOST_REQUIRE(small.ok());
  BOOST_TEST(small.value() == (std::vector<std::string>{"submit", "complete"}),
             boost::test_tools::per_element());
  auto constant = producibleStages(R"({"fields": {"stage": {"const": "approve"}}})");
  BOOST_REQUIRE(constant.ok());
  BOOST_TEST(constant.value() == std::vector<std::string>{"approve"},
             boost::test_tools::per_element());
  // `//` comments, as every scaffolded draft has (mapping-language.md).
  auto commented = producibleStages(
      "// a draft\n{\"fields\": {\n  // 0.20 \"TJ\"\n  \"stage\": {\"const\": \"submit\"}}}");
  BOOST_REQUIRE(commented.ok());
  BOOST_TEST(commented.value() == std::vector<std::string>{"submit"},
             boost::test_tools::per_element());
  BOOST_TEST(!producibleStages("[1]").ok());
  BOOST_TEST(producibleStages("not json").error().code == "evidence.mapping");
}

BOOST_AUTO_TEST_CASE(scenarios_pass_one_by_one) {
  const std::vector<std::string> stages{"submit", "accept"};
  std::vector<EvidenceEvent> events;
  auto judge = [&] { return evaluateScenarios(stages, events); };
  auto sc = judge();
  BOOST_REQUIRE(sc.size() == 3u);
  BOOST_TEST(sc[0].name == "stage:submit");
  BOOST_TEST(sc[2].name == "invalid");
  BOOST_TEST(!allPassed(sc));
  events.push_back({"s1", "submit", "accepted", 0, {}});
  sc = judge();
  BOOST_TEST(sc[0].passed);
  BOOST_TEST(!sc[1].passed);
  BOOST_TEST(sc[0].sessions == std::vector<std::string>{"s1"}, boost::test_tools::per_element());
  // A conflict or a rejection at a stage does not pass it; a rejection without rules is no
  // invalid-message scenario either.
  events.push_back({"s2", "accept", "conflict", 0, {}});
  events.push_back({"s3", "accept", "rejected", 0, {}});
  sc = judge();
  BOOST_TEST(!sc[1].passed);
  BOOST_TEST(sc[1].attempts == (std::vector<std::string>{"s2", "s3"}),
             boost::test_tools::per_element());
  BOOST_TEST(!sc[2].passed);
  events.push_back({"s4", "accept", "duplicate", 0, {}});
  events.push_back({"s5", "", "rejected", 2, {}});
  sc = judge();
  BOOST_TEST(sc[1].passed);
  BOOST_TEST(sc[2].passed);
  BOOST_TEST(sc[2].sessions == std::vector<std::string>{"s5"}, boost::test_tools::per_element());
  BOOST_TEST(allPassed(sc));
  BOOST_TEST(!allPassed({}));
}

// A filing's own scenarios (gateway/registry/RequiredScenarios.h): checked, stored as canonical
// text, and judged beside (or instead of) the defaults.
BOOST_AUTO_TEST_CASE(a_filing_defines_its_own_scenarios) {
  auto text = [](const char* j) {
    auto d = json::parse(j);
    BOOST_REQUIRE(d.ok());
    return registry::normalizeScenarios(d.value());
  };
  auto own = text(R"(["defaults", {"name": "resend", "verdict": "duplicate"},
                      {"name": "bad-id", "verdict": "rejected", "rule": "resident_id_checksum",
                       "description": "a wrong ID check character"},
                      {"name": "withdrawn", "stage": "withdraw"}])");
  BOOST_REQUIRE_MESSAGE(own.ok(), (own.ok() ? std::string() : own.error().describe()));
  auto required = registry::parseScenarios(own.value());
  BOOST_REQUIRE(required.ok());
  BOOST_TEST(required.value().defaults);
  BOOST_REQUIRE(required.value().own.size() == 3u);
  BOOST_TEST(required.value().own[2].verdict == "accepted");  // the default verdict
  BOOST_TEST(registry::parseScenarios("").value().defaults);

  // Refusals name the element and the rule.
  auto refused = [&](const char* j, const std::string& says) {
    auto r = text(j);
    BOOST_TEST(!r.ok(), j);
    if (!r.ok()) {
      BOOST_TEST(r.error().code == "filing.invalid");
      BOOST_TEST(r.error().message.find(says) != std::string::npos, r.error().message);
    }
  };
  refused("[]", "scenarios is empty");
  refused("{}", "must be a list");
  refused(R"(["defaults", "defaults"])", "scenarios[1]");
  refused(R"([{"name": "x", "verdict": "maybe"}])", "scenarios[0].verdict must be accepted");
  refused(R"([{"name": "x", "rule": "required"}])", "only a rejected scenario");
  refused(R"([{"name": "x"}, {"name": "x"}])", "used twice");
  refused(R"([{"name": "invalid"}])", "default scenario's name");
  refused(R"([{"name": "x", "stage": "Submit!"}])", "stage code");
  refused(R"([{"name": "x", "colour": "red"}])", "scenarios[0].colour is not a scenario field");
  refused(R"([{"stage": "submit"}])", "scenarios[0].name is required");

  const std::vector<std::string> stages{"submit", "accept"};
  std::vector<EvidenceEvent> events{{"s1", "submit", "accepted", 0, {}},
                                    {"s2", "accept", "accepted", 0, {}},
                                    {"s3", "submit", "rejected", 1, {"required"}}};
  auto sc = evaluateScenarios(required.value(), stages, events);
  BOOST_REQUIRE(sc.size() == 6u);  // stage:submit, stage:accept, invalid, resend, bad-id, withdrawn
  BOOST_TEST(sc[2].passed);        // the default invalid scenario: any broken rule
  BOOST_TEST(!sc[3].passed);       // no duplicate yet
  BOOST_TEST(!sc[4].passed);       // rejected, but not for the ID check character
  BOOST_TEST(sc[4].attempts == std::vector<std::string>{"s3"}, boost::test_tools::per_element());
  BOOST_TEST(sc[4].description.find("a wrong ID check character") != std::string::npos);
  BOOST_TEST(!sc[5].passed);
  BOOST_TEST(sc[5].description.find("cannot produce stage withdraw") != std::string::npos);
  events.push_back({"s4", "submit", "duplicate", 0, {}});
  events.push_back({"s5", "accept", "rejected", 2, {"required", "resident_id_checksum"}});
  sc = evaluateScenarios(required.value(), stages, events);
  BOOST_TEST(sc[3].passed);
  BOOST_TEST(sc[4].passed);
  BOOST_TEST(!allPassed(sc));  // withdrawn cannot pass on this version
  // Without "defaults" only the filing's own count.
  auto onlyOwn =
      registry::parseScenarios(text(R"([{"name": "resend", "verdict": "duplicate"}])").value());
  BOOST_REQUIRE(onlyOwn.ok());
  sc = evaluateScenarios(onlyOwn.value(), stages, events);
  BOOST_REQUIRE(sc.size() == 1u);
  BOOST_TEST(allPassed(sc));
}

BOOST_AUTO_TEST_CASE(service_judges_records_and_gives_evidence_on_sqlite) {
  TempDir dir;
  storage::StoreConfig config;
  config.kind = "sqlite";
  config.path = (dir.path / "store.db").string();
  auto registry = registry::RegistryStore::open(config);
  BOOST_REQUIRE_MESSAGE(registry.ok(),
                        (registry.ok() ? std::string() : registry.error().describe()));
  auto store = SandboxStore::open(config);
  BOOST_REQUIRE_MESSAGE(store.ok(), (store.ok() ? std::string() : store.error().describe()));
  FixedClock clock(at("2026-12-06T00:00:00+08:00"));
  registry::MappingVersions versions(*registry.value(), clock);
  auto bundle = registry::readBundleDir("mappings/marriage");
  BOOST_REQUIRE(bundle.ok());
  const registry::Actor admin{"ops", registry::Role::kAdmin, ""};
  auto draft = versions.draft("marriage", bundle.value(), admin);
  BOOST_REQUIRE_MESSAGE(draft.ok(), (draft.ok() ? std::string() : draft.error().describe()));
  SandboxService service(versions, *store.value(), clock);

  auto chosen = service.chooseVersion("marriage", "");
  BOOST_REQUIRE(chosen.ok());
  BOOST_TEST(chosen.value().version == draft.value().version);
  BOOST_TEST(service.chooseVersion("marriage", "no-such").error().code == "sandbox.version");
  BOOST_TEST(service.chooseVersion("nobody", "").error().code == "sandbox.no_mapping");

  const std::string accepted = readText("mappings/marriage/tests/divorce-accepted.json");
  RawMessage m;
  m.system = "marriage";
  m.adapter = "http_json";
  m.contentType = "application/json";
  m.bytes = accepted;
  m.receivedAt = clock.now();
  Session first = service.run(m, "hy-sandbox", chosen.value());
  BOOST_TEST(first.recorded);
  BOOST_REQUIRE(first.events.size() == 1u);
  BOOST_TEST(std::string(toString(first.events[0].verdict)) == toString(Verdict::kAccepted));
  BOOST_TEST(first.events[0].stage == "accept");
  BOOST_TEST(first.events[0].itemCode == "1244200045586317954442071002000");
  BOOST_TEST(!first.events[0].fields.empty());
  BOOST_TEST(!first.events[0].receiptNo.empty());
  Session again = service.run(m, "hy-sandbox", chosen.value());
  BOOST_TEST(std::string(toString(again.events[0].verdict)) == toString(Verdict::kDuplicate));
  // The same event id with other content.
  std::string changed = accepted;
  changed.replace(changed.find("HY0032"), 6, "HY0099");
  m.bytes = changed;
  Session conflict = service.run(m, "hy-sandbox", chosen.value());
  BOOST_TEST(std::string(toString(conflict.events[0].verdict)) == toString(Verdict::kConflict));
  BOOST_TEST(conflict.events[0].message.find("other content") != std::string::npos);
  // A broken message: rules with the source path in the department's message.
  std::string broken = accepted;
  broken.replace(broken.find("442000198802150319"), 18, "442000198802150310");
  m.bytes = broken;
  Session rejected = service.run(m, "hy-sandbox", chosen.value());
  BOOST_REQUIRE(rejected.events.size() == 1u);
  BOOST_TEST(std::string(toString(rejected.events[0].verdict)) == toString(Verdict::kRejected));
  BOOST_REQUIRE(!rejected.events[0].rules.empty());
  BOOST_TEST(rejected.events[0].rules[0].code == "resident_id_checksum");
  BOOST_TEST(rejected.events[0].rules[0].sourcePath.find("idCardNo") != std::string::npos);
  m.bytes = "{not json";
  Session unreadable = service.run(m, "hy-sandbox", chosen.value());
  BOOST_TEST(unreadable.outcome == "unreadable");
  BOOST_TEST(!unreadable.error.code.empty());

  // Kept: one by id, a list filtered and paged.
  auto got = store.value()->session(first.id);
  BOOST_REQUIRE(got.ok());
  BOOST_REQUIRE(got.value().has_value());
  BOOST_TEST(got.value()->input == accepted);
  BOOST_TEST(got.value()->summary.actor == "hy-sandbox");
  auto doc = json::parse(got.value()->traceJson);
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(std::string(doc.value()["events"][0]["verdict"].GetString()) == "accepted");
  SessionQuery q;
  q.system = "marriage";
  q.limit = 2;
  auto page = store.value()->sessions(q);
  BOOST_REQUIRE(page.ok());
  BOOST_TEST(page.value().sessions.size() == 2u);
  BOOST_TEST(page.value().nextAfterSeq > 0);
  q.afterSeq = page.value().nextAfterSeq;
  q.limit = 10;
  page = store.value()->sessions(q);
  BOOST_TEST(page.value().sessions.size() == 3u);
  BOOST_TEST(page.value().nextAfterSeq == 0);
  q = SessionQuery{};
  q.item = "1244200045586317954442071002000";
  BOOST_TEST(store.value()->sessions(q).value().sessions.size() == 4u);  // not the unreadable
  q.system = "funeral";
  BOOST_TEST(store.value()->sessions(q).value().sessions.empty());
  q = SessionQuery{};
  q.limit = 0;
  BOOST_TEST(store.value()->sessions(q).error().code == "sandbox.limit");

  // Evidence: accept and the invalid message pass; the other stages do not yet.
  auto report =
      service.evidence("marriage", "1244200045586317954442071002000", draft.value().version);
  BOOST_REQUIRE(report.ok());
  BOOST_TEST(!report.value().passed);
  BOOST_REQUIRE(report.value().scenarios.size() == 7u);
  for (const auto& s : report.value().scenarios) {
    const bool expected = s.name == "stage:accept" || s.name == "invalid";
    BOOST_TEST(s.passed == expected, s.name);
  }
  BOOST_TEST(!service.passed("marriage", "1244200045586317954442071002000", draft.value().version));
  BOOST_TEST(report.value().required == "defaults");
  {
    // A filing of the item that requires only what has passed: the evidence follows the filing.
    registry::Filing f;
    f.system = "marriage";
    f.itemCode = "1244200045586317954442071002000";
    f.itemName = "内地居民离婚登记";
    f.createdAt = f.updatedAt = clock.now();
    auto d = json::parse(R"([{"name": "accepted", "stage": "accept"},
                             {"name": "resent", "verdict": "duplicate"},
                             {"name": "wrong-id", "verdict": "rejected",
                              "rule": "resident_id_checksum"}])");
    BOOST_REQUIRE(d.ok());
    f.scenarios = registry::normalizeScenarios(d.value()).value();
    BOOST_REQUIRE(registry.value()->createFiling(f, std::nullopt).ok());
    SandboxService withFilings(versions, *store.value(), clock, registry.value().get());
    auto own = withFilings.evidence("marriage", f.itemCode, draft.value().version);
    BOOST_REQUIRE(own.ok());
    BOOST_TEST(own.value().required == "filing");
    BOOST_REQUIRE(own.value().scenarios.size() == 3u);
    BOOST_TEST(own.value().passed);
    BOOST_TEST(withFilings.passed("marriage", f.itemCode, draft.value().version));
    BOOST_TEST(evidenceJson(own.value()).find("\"required\":\"filing\"") != std::string::npos);
  }
  BOOST_TEST(service.evidence("marriage", "x", "no-such").error().code == "sandbox.version");
  const std::string j = evidenceJson(report.value());
  BOOST_TEST(j.find("\"name\":\"stage:submit\"") != std::string::npos);

  // A restart: a new service on the same store remembers what the platform accepted — the first
  // message again is a duplicate with its first receipt, the changed one still a conflict.
  clock.set(clock.now() + 3600 * 1000);
  SandboxService restarted(versions, *store.value(), clock);
  m.bytes = accepted;
  m.receivedAt = clock.now();
  Session afterRestart = restarted.run(m, "hy-sandbox", chosen.value());
  BOOST_REQUIRE(afterRestart.events.size() == 1u);
  BOOST_TEST(std::string(toString(afterRestart.events[0].verdict)) ==
             toString(Verdict::kDuplicate));
  BOOST_TEST(afterRestart.events[0].receiptNo == first.events[0].receiptNo);
  m.bytes = changed;
  Session conflictAfterRestart = restarted.run(m, "hy-sandbox", chosen.value());
  BOOST_TEST(std::string(toString(conflictAfterRestart.events[0].verdict)) ==
             toString(Verdict::kConflict));
  BOOST_TEST(store.value()->history("marriage", 0, 0).error().code == "sandbox.limit");
  BOOST_TEST(store.value()->history("marriage", 0, 200).value().size() == 7u);
}
