// The joint-debug sandbox (issue 6 items 1-3) against the real binaries: a department sends its
// marriage messages to /sandbox/v1/marriage with its sandbox key on a draft uploaded through the
// API and gets the trace back (JSON, and HTML for a browser); nothing reaches production (the
// journal, the outbox, the mock platform, the intake metrics); the evidence scenarios pass one
// by one, and the filing goes online on that version once it is published (and not before, nor
// for an item without evidence); sessions are read by staff, a department only its own system's
// (another system's session is 404); a broken draft answers a trace of failures; keys never
// cross between sandbox and production.
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace std::chrono_literals;
using namespace huitong;
using namespace huitong::integration;
namespace fs = std::filesystem;

namespace {

const std::string kItem = "1244200045586317954442071001000";  // 内地居民结婚登记
const std::string kOtherItem = "1244200045586317954442071003000";
const std::string kPassword = "a long enough password";

rapidjson::Document parse(const Answer& a) {
  auto d = json::parse(a.body);
  BOOST_TEST_REQUIRE(d.ok(), "not JSON: " + a.body.substr(0, 300));
  return std::move(d).value();
}

std::string str(const rapidjson::Value& v, const char* key) {
  return v.IsObject() && v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

Answer ops(int port, const std::string& method, const std::string& path,
           const std::string& body = "", const std::string& token = "it-ops-token",
           const std::vector<std::pair<std::string, std::string>>& more = {}) {
  HttpClient c(port);
  std::vector<std::pair<std::string, std::string>> h{{"Authorization", "Bearer " + token}};
  h.insert(h.end(), more.begin(), more.end());
  return c.send(method, path, body, body.empty() ? "" : "application/json", h);
}

// The marriage folder in the API's upload form as `version`, with `from` replaced by `to`
// everywhere in mapping.json.
std::string marriageUpload(const std::string& version, const std::string& from = "",
                           const std::string& to = "") {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value files(rapidjson::kObjectType);
  for (const auto& e : fs::recursive_directory_iterator("mappings/marriage")) {
    if (!e.is_regular_file())
      continue;
    std::string text = readFile(e.path());
    const std::string rel = fs::relative(e.path(), "mappings/marriage").generic_string();
    if (rel == "mapping.json") {
      const std::string v1 = "\"version\": \"1\"";
      BOOST_TEST_REQUIRE(text.find(v1) != std::string::npos);
      text.replace(text.find(v1), v1.size(), "\"version\": \"" + version + "\"");
      for (auto at = from.empty() ? std::string::npos : text.find(from); at != std::string::npos;
           at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    }
    files.AddMember(json::string(rel, a), json::string(text, a), a);
  }
  d.AddMember("files", files, a);
  return json::write(d);
}

std::string sample(const std::string& name) {
  return readFile(sharedDir() / "departments" / "marriage" / "samples" / name);
}

// Samples 06 and 07 are of the divorce item: the same stages for the marriage item.
std::string asMarriageItem(std::string body) {
  const std::string divorce = "1244200045586317954442071002000";
  body.replace(body.find(divorce), divorce.size(), kItem);
  return body;
}

int runHuitong(const fs::path& dir, const std::vector<std::string>& args,
               const std::string& input) {
  const fs::path in = dir / "stdin.txt";
  std::ofstream(in) << input;
  std::vector<std::string> all{huitongBinary().string()};
  all.insert(all.end(), args.begin(), args.end());
  Process p(all, dir, "cli", in.string());
  const int status = p.wait(60s);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string login(int port, const std::string& name) {
  HttpClient c(port);
  const Answer a =
      c.send("POST", "/auth/v1/login",
             "{\"name\":\"" + name + "\",\"password\":\"" + kPassword + "\"}", "application/json");
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  return str(parse(a), "token");
}

// The evidence scenarios of the marriage item on `version`: name -> passed.
std::map<std::string, bool> scenarios(int port, const std::string& version, bool* passed) {
  const Answer a =
      ops(port, "GET", "/ops/v1/filings/marriage/" + kItem + "/evidence?version=" + version);
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  const auto d = parse(a);
  std::map<std::string, bool> out;
  for (const auto& s : d["scenarios"].GetArray())
    out[s["name"].GetString()] = s["passed"].GetBool();
  if (passed != nullptr)
    *passed = d["passed"].GetBool();
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sandbox)

BOOST_AUTO_TEST_CASE(departments_debug_on_a_draft_and_the_evidence_lets_the_item_go_online) {
  TempDir dir("huitong-it-sandbox");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential marriage = makeCredential("marriage");
  const DepartmentCredential elderly = makeCredential("elderly-subsidy");
  const DepartmentCredential funeral = makeCredential("funeral");
  DepartmentCredential marriageSandbox{"marriage", "marriage-sandbox", "sandbox-secret-0123456789"};
  DepartmentCredential elderlySandbox{"elderly-subsidy", "elderly-sandbox",
                                      "sandbox-secret-9876543210"};
  GatewayOptions o = deliveringTo(dir.path(), platform, {marriage, elderly, funeral});
  o.onlineItems = std::vector<OnlineItem>{};  // nothing online: the evidence decides
  std::string config = gatewayConfigJson(o, dir.path());
  // Sandbox keys for marriage and elderly-subsidy (funeral has none); no assumed evidence.
  auto addSandbox = [&](const DepartmentCredential& cred) {
    const std::string at = "\"" + cred.system + "\": {";
    const auto pos = config.find(at);
    BOOST_TEST_REQUIRE(pos != std::string::npos);
    config.insert(pos + at.size(), "\"sandbox\": {\"keys\": [{\"key_id\": \"" + cred.keyId +
                                       "\", \"alg\": \"hmac-sha256\", \"secret\": \"" +
                                       cred.secret + "\"}]}, ");
  };
  addSandbox(marriageSandbox);
  addSandbox(elderlySandbox);
  const std::string assume = "\"assume_sandbox_evidence\": true";
  BOOST_TEST_REQUIRE(config.find(assume) != std::string::npos);
  config.replace(config.find(assume), assume.size(), "\"assume_sandbox_evidence\": false");
  o.configText = config;
  GatewayProcess gateway(dir.path(), o);
  const int port = gateway.port();
  HttpClient c(port);

  // A draft, version 2, uploaded through the API; the sandbox runs it by default.
  {
    const Answer drafted =
        ops(port, "POST", "/ops/v1/mappings/marriage/versions", marriageUpload("2"));
    BOOST_TEST_REQUIRE(drafted.status == 201, drafted.body);
  }
  // A filing for the item, in joint debugging on the live version 1.
  {
    BOOST_TEST_REQUIRE(ops(port, "POST", "/ops/v1/filings",
                           "{\"system\":\"marriage\",\"item_code\":\"" + kItem +
                               "\",\"item_name\":\"内地居民结婚登记\",\"contact_name\":\"IT\"}")
                           .status == 201);
    for (const char* to : {"configuring", "joint_debugging"}) {
      const auto f = parse(ops(port, "GET", "/ops/v1/filings/marriage/" + kItem));
      const Answer moved =
          ops(port, "POST", "/ops/v1/filings/marriage/" + kItem + ":move",
              std::string("{\"to\":\"") + to + "\",\"expected_version\":" +
                  std::to_string(f["version"].GetInt64()) + ",\"mapping_version\":\"1\"}");
      BOOST_TEST_REQUIRE(moved.status == 200, moved.body);
    }
  }

  // (1) Keys never cross: a production key in the sandbox, a sandbox key in production.
  {
    const Answer a = signedPost(c, marriage, "/sandbox/v1/marriage", sample("01-submitted.json"));
    BOOST_TEST(a.status == 401, a.body);
    const Answer b =
        signedPost(c, marriageSandbox, "/intake/v1/marriage", sample("01-submitted.json"));
    BOOST_TEST(b.status == 401, b.body);
    const Answer wrongSystem =
        signedPost(c, elderlySandbox, "/sandbox/v1/marriage", sample("01-submitted.json"));
    BOOST_TEST(wrongSystem.status == 403, wrongSystem.body);
    const Answer none = signedPost(c, funeral, "/sandbox/v1/funeral", "[]", "application/json");
    BOOST_TEST(none.status == 404, none.body);
    BOOST_TEST(none.header("content-type").find("application/problem+json") == 0);
    BOOST_TEST(none.body.find("no sandbox") != std::string::npos, none.body);
  }

  // (2) The answer is the trace; the scenarios pass one by one.
  bool passed = true;
  auto s = scenarios(port, "2", &passed);
  BOOST_TEST(s.size() == 7u);
  BOOST_TEST(!passed);
  std::vector<std::string> sessionIds;
  const std::vector<std::pair<std::string, std::string>> steps{
      {"01-submitted.json", "stage:submit"},
      {"02-accepted.json", "stage:accept"},
      {"03-approved.json", "stage:approve"},
      {"06-need-supplement.json", "stage:supplement_notice"},
      {"07-supplemented.json", "stage:supplement_accept"},
      {"04-cert-issued.json", "stage:complete"},
      {"10-invalid-id-checksum.json", "invalid"}};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    std::string body = sample(steps[i].first);
    if (steps[i].first.rfind("06", 0) == 0 || steps[i].first.rfind("07", 0) == 0)
      body = asMarriageItem(body);
    const Answer a = signedPost(c, marriageSandbox, "/sandbox/v1/marriage", body);
    BOOST_TEST_REQUIRE(a.status == 201, steps[i].first + ": " + a.body);
    BOOST_TEST(a.header("content-type").find("application/json") == 0);
    const auto d = parse(a);
    sessionIds.push_back(str(d, "session_id"));
    BOOST_TEST(a.header("location") == "/sandbox/v1/sessions/" + sessionIds.back());
    BOOST_TEST(str(d, "mapping_version") == "2");
    BOOST_TEST(str(d, "mapping_state") == "draft");
    BOOST_TEST(str(d, "actor") == "marriage-sandbox");
    BOOST_TEST_REQUIRE(d["events"].Size() == 1u);
    const auto& e = d["events"][0];
    BOOST_TEST(str(e, "item_code") == kItem);
    BOOST_TEST(e["fields"].Size() > 10u);
    const auto& first = e["fields"][0];
    BOOST_TEST(first.HasMember("source"));
    BOOST_TEST(first.HasMember("source_paths"));
    BOOST_TEST(first.HasMember("found"));
    BOOST_TEST(first.HasMember("steps"));
    BOOST_TEST(first.HasMember("value"));
    if (steps[i].second == "invalid") {
      BOOST_TEST(str(e, "verdict") == "rejected");
      BOOST_TEST_REQUIRE(e["rules"].Size() >= 1u);
      BOOST_TEST(str(e["rules"][0], "code") == "resident_id_checksum");
      BOOST_TEST(str(e["rules"][0], "source_path").find("idCardNo") != std::string::npos);
    } else {
      BOOST_TEST(str(e, "verdict") == "accepted", steps[i].first + ": " + a.body.substr(0, 600));
      BOOST_TEST(!str(e, "receipt_no").empty());
    }
    s = scenarios(port, "2", &passed);
    for (std::size_t k = 0; k < steps.size(); ++k)
      BOOST_TEST(s[steps[k].second] == (k <= i), steps[k].second + " after " + steps[i].first);
    BOOST_TEST(passed == (i + 1 == steps.size()));
  }
  // The same message again: duplicate; a changed event under the same id: conflict.
  {
    const auto d =
        parse(signedPost(c, marriageSandbox, "/sandbox/v1/marriage", sample("01-submitted.json")));
    BOOST_TEST(str(d["events"][0], "verdict") == "duplicate");
    std::string changed = sample("01-submitted.json");
    const std::string name = "梁志豪";
    BOOST_TEST_REQUIRE(changed.find(name) != std::string::npos);
    changed.replace(changed.find(name), name.size(), "梁志强");
    const auto x = parse(signedPost(c, marriageSandbox, "/sandbox/v1/marriage", changed));
    BOOST_TEST(str(x["events"][0], "verdict") == "conflict", json::write(x["events"][0]));
  }
  // The page for the person on the phone: the same session, escaped, self-contained.
  {
    const Answer html =
        signedPost(c, marriageSandbox, "/sandbox/v1/marriage",
                   "{\"bizNo\": \"<script>alert(1)</script>\"}", "application/json");
    BOOST_TEST(html.status == 201);
    const Answer again =
        c.send("GET", html.header("location"), "", "",
               {{"Authorization", "Bearer it-ops-token"}, {"Accept", "text/html"}});
    BOOST_TEST(again.status == 200, again.body);
    BOOST_TEST(again.header("content-type").find("text/html") == 0);
    BOOST_TEST(again.body.find("联调会话") != std::string::npos);
    BOOST_TEST(again.body.find("<script") == std::string::npos);
    BOOST_TEST(again.body.find("&lt;script&gt;") != std::string::npos);
  }

  // (3) Nothing reached production.
  BOOST_TEST(platform.receivedTotal() == 0);
  BOOST_TEST(gateway.metric("huitong_journal_messages").value_or(-1) == 0);
  BOOST_TEST(gateway.metric("huitong_outbox_pending").value_or(-1) == 0);
  BOOST_TEST(
      !gateway.metric("huitong_intake_messages_total{system=\"marriage\",outcome=\"accepted\"}"));
  BOOST_TEST(
      gateway.metric("huitong_sandbox_sessions_total{system=\"marriage\",outcome=\"judged\"}")
          .value_or(0) >= 9);

  // (4) Going online on version 2: not while it is a draft, then once published; another item
  // without evidence stays out.
  auto moveOnline = [&](const std::string& item) {
    const auto f = parse(ops(port, "GET", "/ops/v1/filings/marriage/" + item));
    return ops(port, "POST", "/ops/v1/filings/marriage/" + item + ":move",
               "{\"to\":\"online\",\"expected_version\":" +
                   std::to_string(f["version"].GetInt64()) + ",\"mapping_version\":\"2\"}");
  };
  BOOST_TEST(moveOnline(kItem).status == 422);
  BOOST_TEST_REQUIRE(ops(port, "POST", "/ops/v1/mappings/marriage/versions/2:test").status == 200);
  {
    const Answer published = ops(port, "POST", "/ops/v1/mappings/marriage/versions/2:publish");
    BOOST_TEST_REQUIRE(published.status == 200, published.body);
  }
  {
    BOOST_TEST_REQUIRE(ops(port, "POST", "/ops/v1/filings",
                           "{\"system\":\"marriage\",\"item_code\":\"" + kOtherItem +
                               "\",\"item_name\":\"x\",\"contact_name\":\"IT\"}")
                           .status == 201);
    for (const char* to : {"configuring", "joint_debugging"}) {
      const auto f = parse(ops(port, "GET", "/ops/v1/filings/marriage/" + kOtherItem));
      BOOST_TEST_REQUIRE(ops(port, "POST", "/ops/v1/filings/marriage/" + kOtherItem + ":move",
                             std::string("{\"to\":\"") + to + "\",\"expected_version\":" +
                                 std::to_string(f["version"].GetInt64()) +
                                 ",\"mapping_version\":\"2\"}")
                             .status == 200);
    }
    const Answer refused = moveOnline(kOtherItem);
    BOOST_TEST(refused.status == 422, refused.body);
    BOOST_TEST(refused.body.find("evidence") != std::string::npos, refused.body);
  }
  {
    const Answer online = moveOnline(kItem);
    BOOST_TEST(online.status == 200, online.body);
    // And production takes the item now.
    const Answer taken =
        signedPost(c, marriage, "/intake/v1/marriage", sample("01-submitted.json"));
    BOOST_TEST(taken.status == 202, taken.body);
  }

  // (5) Sessions for staff: filtered and paged; a department sees its own system only.
  {
    const auto all = parse(ops(
        port, "GET", "/sandbox/v1/sessions?system=marriage&item=" + kItem + "&version=2&limit=4"));
    BOOST_TEST(all["sessions"].Size() == 4u);
    BOOST_TEST_REQUIRE(all["next_after"].IsInt64());
    const auto rest =
        parse(ops(port, "GET",
                  "/sandbox/v1/sessions?system=marriage&item=" + kItem +
                      "&version=2&limit=50&after=" + std::to_string(all["next_after"].GetInt64())));
    BOOST_TEST(rest["sessions"].Size() >= 5u);
    BOOST_TEST(rest["next_after"].IsNull());
    BOOST_TEST(ops(port, "GET", "/sandbox/v1/sessions?limit=0").status == 400);
    BOOST_TEST(ops(port, "GET", "/sandbox/v1/sessions?after=x").status == 400);
    BOOST_TEST(ops(port, "GET", "/sandbox/v1/sessions", "", "").status == 401);
  }
  const fs::path cfg = gateway.configPath();
  for (const auto& [name, system] : std::vector<std::pair<std::string, std::string>>{
           {"mz", "marriage"}, {"ez", "elderly-subsidy"}}) {
    BOOST_TEST_REQUIRE(runHuitong(dir.path(),
                                  {"user", "create", "--config", cfg.string(), "--name", name,
                                   "--role", "department", "--system", system},
                                  kPassword + "\n") == 0);
  }
  const std::string mz = login(port, "mz");
  const std::string ez = login(port, "ez");
  // elderly-subsidy debugs at the same time, through its SOAP adapter.
  std::string elderlySession;
  {
    const std::string xml =
        readFile(sharedDir() / "departments" / "elderly-subsidy" / "samples" / "01-submit.xml");
    const Answer a = signedPost(c, elderlySandbox, "/sandbox/v1/elderly-subsidy", xml,
                                "text/xml; charset=utf-8");
    BOOST_TEST_REQUIRE(a.status == 201, a.body);
    const auto d = parse(a);
    elderlySession = str(d, "session_id");
    BOOST_TEST(str(d["events"][0], "verdict") == "accepted", a.body.substr(0, 600));
  }
  {
    const std::string path = "/sandbox/v1/sessions/" + sessionIds[0];
    BOOST_TEST(ops(port, "GET", path, "", mz).status == 200);
    const Answer hidden = ops(port, "GET", path, "", ez);
    BOOST_TEST(hidden.status == 404, hidden.body);
    BOOST_TEST(ops(port, "GET", "/sandbox/v1/sessions/" + elderlySession, "", mz).status == 404);
    BOOST_TEST(ops(port, "GET", "/sandbox/v1/sessions/" + elderlySession, "", ez).status == 200);
    const auto own = parse(ops(port, "GET", "/sandbox/v1/sessions", "", ez));
    BOOST_TEST(own["sessions"].Size() == 1u);
    BOOST_TEST(ops(port, "GET", "/sandbox/v1/sessions?system=marriage", "", ez).status == 404);
    BOOST_TEST(ops(port, "GET", "/ops/v1/filings/marriage/" + kItem + "/evidence?version=2", "", ez)
                   .status == 404);
    BOOST_TEST(ops(port, "GET", "/ops/v1/filings/marriage/" + kItem + "/evidence?version=2", "", mz)
                   .status == 200);
  }

  // (6) A broken draft (every selector points nowhere) answers a trace of failures.
  {
    const Answer drafted = ops(port, "POST", "/ops/v1/mappings/marriage/versions",
                               marriageUpload("3", "\"$.", "\"$.nothing_"));
    BOOST_TEST_REQUIRE(drafted.status == 201, drafted.body);
    const Answer a = signedPost(c, marriageSandbox, "/sandbox/v1/marriage?version=3",
                                sample("01-submitted.json"));
    BOOST_TEST_REQUIRE(a.status == 201, a.body);
    const auto d = parse(a);
    BOOST_TEST(str(d, "mapping_version") == "3");
    BOOST_TEST_REQUIRE(d["events"].Size() >= 1u);
    BOOST_TEST(str(d["events"][0], "verdict") == "rejected");
    BOOST_TEST(d["events"][0]["rules"].Size() >= 3u);
    const Answer unknown = signedPost(c, marriageSandbox, "/sandbox/v1/marriage?version=99",
                                      sample("01-submitted.json"));
    BOOST_TEST(unknown.status == 404, unknown.body);
    BOOST_TEST(unknown.body.find("99") != std::string::npos);
    const Answer unreadable = signedPost(c, marriageSandbox, "/sandbox/v1/marriage", "{not json");
    BOOST_TEST(unreadable.status == 201, unreadable.body);
    BOOST_TEST(str(parse(unreadable), "outcome") == "unreadable");
    const Answer refused =
        signedPost(c, marriageSandbox, "/sandbox/v1/marriage", "plain", "text/plain");
    BOOST_TEST(refused.status == 201, refused.body);
    const auto r = parse(refused);
    BOOST_TEST(str(r, "outcome") == "refused");
    BOOST_TEST(r["adapter_answer"]["status"].GetInt() == 415);
    HttpClient probe(port);
    BOOST_TEST(probe.send("GET", "/healthz").status == 200);
    BOOST_TEST(gateway.process().running());
  }
}

// A pulled system (file_drop) debugs through a sandbox folder of its own: the department's export
// job drops its file there; a second file_drop instance reads it into the sandbox (newest draft,
// here the published folder's version), files it under done/ with the session named in its
// report, writes the trace as JSON and HTML into trace_dir, and nothing reaches production.
// A sandbox block that shares production's folder stops the start with its file:line.
BOOST_AUTO_TEST_CASE(a_pulled_system_debugs_through_a_sandbox_folder_of_its_own) {
  TempDir dir("huitong-it-sandbox-pull");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const std::string system = "social-assistance";
  const fs::path production = dir.path() / "drop", sandboxFolder = dir.path() / "drop-sandbox",
                 traces = dir.path() / "traces";
  for (const auto& f : {production, sandboxFolder, traces, dir.path() / "store"})
    fs::create_directories(f);
  auto block = [](const fs::path& folder) {
    return "{\"kind\": \"file_drop\", \"folder\": \"" + folder.string() +
           "\", \"encoding\": \"GB18030\", \"poll_ms\": 100, \"stable_ms\": 300}";
  };
  GatewayOptions o = deliveringTo(dir.path(), platform, {});
  o.adapters[system] = block(production);
  const std::string base = gatewayConfigJson(o, dir.path());
  auto withSandboxBlock = [&](const std::string& sandboxBlock) {
    std::string config = base;
    const std::string at = "\"" + system + "\": {";
    const auto pos = config.find(at);
    BOOST_TEST_REQUIRE(pos != std::string::npos);
    config.insert(pos + at.size(), "\"sandbox\": {\"adapter\": " + sandboxBlock +
                                       ", \"trace_dir\": \"" + traces.string() + "\"}, ");
    return config;
  };

  // Production's folder as the sandbox's: refused before anything is read.
  {
    const fs::path bad = dir.write("shared-folder.json", withSandboxBlock(block(production)));
    Process serve({huitongBinary().string(), "serve", "--config", bad.string()}, dir.path(),
                  "serve-shared");
    const int status = serve.wait(60s);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 2);
    const std::string err = readFile(serve.errPath());
    BOOST_TEST(err.find("the sandbox reads a folder of its own") != std::string::npos, err);
    BOOST_TEST(err.find("shared-folder.json:") != std::string::npos, err);
  }

  o.configText = withSandboxBlock(block(sandboxFolder));
  GatewayProcess gateway(dir.path(), o);
  const int port = gateway.port();
  fs::path sample;
  for (const auto& e : fs::directory_iterator(sharedDir() / "departments" / system / "samples")) {
    if (e.path().extension() == ".csv" && (sample.empty() || e.path() < sample))
      sample = e.path();
  }
  BOOST_TEST_REQUIRE(!sample.empty());
  fs::copy_file(sample, sandboxFolder / (sample.filename().string() + ".tmp"));
  fs::rename(sandboxFolder / (sample.filename().string() + ".tmp"),
             sandboxFolder / sample.filename());

  const auto until = std::chrono::steady_clock::now() + 30s;
  std::string sessionId;
  while (std::chrono::steady_clock::now() < until && sessionId.empty()) {
    const Answer list = ops(port, "GET", "/sandbox/v1/sessions?system=" + system);
    if (list.status == 200) {
      const auto d = parse(list);
      if (d["sessions"].Size() > 0)
        sessionId = str(d["sessions"][0], "session_id");
    }
    if (sessionId.empty())
      std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST_REQUIRE(!sessionId.empty(), "no sandbox session for the dropped file");
  const auto s = parse(ops(port, "GET", "/sandbox/v1/sessions/" + sessionId));
  BOOST_TEST(str(s, "actor") == "file_drop:" + system);
  BOOST_TEST(str(s, "outcome") == "judged");
  BOOST_TEST_REQUIRE(s["events"].Size() > 0u);
  BOOST_TEST(s["events"][0]["fields"].Size() > 0u);  // the field-by-field trace
  // The file is filed as production files it: out of the folder, into done/ (or error/ when a
  // row was rejected), beside the report.
  auto filedAt = [&] {
    for (const char* sub : {"done", "error"}) {
      if (fs::exists(sandboxFolder / sub / sample.filename()))
        return std::string(sub);
    }
    return std::string();
  };
  const auto filed = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < filed &&
         (filedAt().empty() || !fs::exists(traces / (sessionId + ".html"))))
    std::this_thread::sleep_for(100ms);
  BOOST_TEST(!filedAt().empty());
  BOOST_TEST(!fs::exists(sandboxFolder / sample.filename()));
  BOOST_TEST(readFile(traces / (sessionId + ".json")).find(sessionId) != std::string::npos);
  BOOST_TEST(readFile(traces / (sessionId + ".html")).find("<html") != std::string::npos);
  // Nothing in production: no delivery, the production folder untouched.
  BOOST_TEST(platform.receivedTotal() == 0);
  BOOST_TEST(!fs::exists(production / sample.filename()));
  BOOST_TEST(!fs::exists(production / "done" / sample.filename()));
  // Its sandbox takes no HTTP requests: the answer says where it is.
  HttpClient c(port);
  const Answer pushed = c.send("POST", "/sandbox/v1/" + system, "x", "text/csv");
  BOOST_TEST(pushed.status == 404);
  BOOST_TEST(pushed.body.find("sandbox.adapter") != std::string::npos, pushed.body);
}

BOOST_AUTO_TEST_SUITE_END()
