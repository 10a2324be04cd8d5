// Replay before publishing (issue 6 item 4) on a running gateway: journaled marriage messages
// run through a draft that changes one field, by `huitong sandbox replay` (text and JSON
// lines, exit codes) and page by page through GET /ops/v1/mappings/.../replay (cursor, summary,
// problem+json for bad ranges, 404 for an unknown version). On SQLite and PostgreSQL.
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = huitong::json;

namespace {

const std::string kOps = "it-ops-token";  // the break-glass token gatewayConfigJson writes (admin)

Answer ops(HttpClient& c, const std::string& method, const std::string& path,
           const std::string& body = "") {
  return c.send(method, path, body, body.empty() ? "" : "application/json",
                {{"Authorization", "Bearer " + kOps}});
}

rapidjson::Document parsed(const std::string& text) {
  auto d = json::parse(text);
  BOOST_TEST_REQUIRE(d.ok(), text);
  return std::move(d).value();
}

// The marriage mapping folder in the API's upload form as version `version`, with `from`
// replaced by `to` in mapping.json.
std::string marriageUpload(const std::string& version, const std::string& from,
                           const std::string& to) {
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
      BOOST_TEST_REQUIRE(text.find(from) != std::string::npos);
      text.replace(text.find(from), from.size(), to);
    }
    files.AddMember(json::string(rel, a), json::string(text, a), a);
  }
  d.AddMember("files", files, a);
  return json::write(d);
}

struct CliRun {
  int exit = -1;
  std::string out;
  std::string err;
};

CliRun runCli(const fs::path& dir, const std::string& name, const std::vector<std::string>& args) {
  std::vector<std::string> all{huitongBinary().string()};
  all.insert(all.end(), args.begin(), args.end());
  Process p(all, dir, name);
  const int status = p.wait(120s);
  CliRun r;
  r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = readFile(p.outPath());
  r.err = readFile(p.errPath());
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      out.push_back(line);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_draft_replayed_through_the_cli_and_the_api) {
  TempDir dir;
  MockPlatformProcess platform(dir.path(), "tok");
  const DepartmentCredential cred = makeCredential("marriage");
  GatewayProcess gw(dir.path(), deliveringTo(dir.path(), platform, {cred}));
  HttpClient c(gw.port());

  const huitong::SystemClock clock;
  const std::string from = huitong::formatRfc3339(clock.now() - 60000);
  constexpr int kMessages = 6;
  for (int i = 0; i < kMessages; ++i) {
    const MarriageMessage m = marriageMessage("HYRPL" + digits(i + 1, 8), 900 + i, 0);
    const Answer a = signedPost(c, cred, "/intake/v1/marriage", m.body);
    BOOST_TEST_REQUIRE(a.status == 202, a.body);
  }
  const std::string to = huitong::formatRfc3339(clock.now() + 60000);

  // A draft that renames the registry office: every event changes in one field.
  const Answer drafted = ops(c, "POST", "/ops/v1/mappings/marriage/versions",
                             marriageUpload("2", "{\"const\": \"中山市婚姻登记处\"}",
                                            "{\"const\": \"中山市民政局婚姻登记处\"}"));
  BOOST_TEST_REQUIRE(drafted.status == 201, drafted.body);

  const std::string config = gw.configPath().string();
  const std::vector<std::string> base{"sandbox",  "replay", "--config", config, "--system",
                                      "marriage", "--from", from,       "--to", to};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> all = base;
    all.insert(all.end(), more.begin(), more.end());
    return all;
  };

  // The CLI, JSON lines: one per message, then the summary; exit 1 (something would change).
  CliRun run = runCli(dir.path(), "replay-json", with({"--version", "2", "--json"}));
  BOOST_TEST(run.exit == 1, run.err);
  auto out = lines(run.out);
  BOOST_TEST_REQUIRE(out.size() == static_cast<std::size_t>(kMessages + 1), run.out);
  const auto first = parsed(out[0]);
  BOOST_TEST(std::string(first["outcome"].GetString()) == "changed");
  const auto& field = first["events"][0]["fields"][0];
  BOOST_TEST(std::string(field["pointer"].GetString()) == "/department/name");
  BOOST_TEST(std::string(field["before"].GetString()) == "中山市婚姻登记处");
  BOOST_TEST(std::string(field["after"].GetString()) == "中山市民政局婚姻登记处");
  BOOST_TEST(first["events"][0]["matched_by_position"].GetBool() == false);
  const auto summary = parsed(out.back());
  BOOST_TEST(summary["summary"]["messages"].GetInt() == kMessages);
  BOOST_TEST(summary["summary"]["changed"].GetInt() == kMessages);
  // Progress on standard error: done / total and a rate.
  BOOST_TEST(run.err.find("replay: 6/6 messages") != std::string::npos, run.err);
  BOOST_TEST(run.err.find("msg/s") != std::string::npos, run.err);

  // Text, limited to 2 messages.
  run = runCli(dir.path(), "replay-text", with({"--version", "2", "--limit", "2"}));
  BOOST_TEST(run.exit == 1, run.err);
  BOOST_TEST(run.out.find("/department/name: \"中山市婚姻登记处\" -> \"中山市民政局婚姻登记处\"") !=
                 std::string::npos,
             run.out);
  BOOST_TEST(run.out.find("summary: marriage version 2, 2 messages: 0 same, 2 changed") !=
                 std::string::npos,
             run.out);

  // The live version against its own production: nothing would change (exit 0); with
  // --changed-only nothing but the summary is printed.
  run = runCli(dir.path(), "replay-same", with({"--version", "1", "--changed-only"}));
  BOOST_TEST(run.exit == 0, run.err);
  BOOST_TEST_REQUIRE(lines(run.out).size() == 1u, run.out);
  BOOST_TEST(run.out.find("6 messages: 6 same") != std::string::npos, run.out);

  // Bad usage: exit 2 with a sentence naming the option.
  run = runCli(dir.path(), "replay-bad",
               {"sandbox", "replay", "--config", config, "--system", "marriage", "--version", "2",
                "--from", to, "--to", from});
  BOOST_TEST(run.exit == 2);
  BOOST_TEST(run.err.find("--from") != std::string::npos, run.err);
  run = runCli(dir.path(), "replay-unknown", with({"--version", "9"}));
  BOOST_TEST(run.exit == 2);
  BOOST_TEST(run.err.find("no mapping version '9'") != std::string::npos, run.err);

  // The API, a page of 4 then the rest.
  auto encoded = [](std::string t) {
    std::string o;
    for (char ch : t)
      o += ch == '+' ? std::string("%2B") : std::string(1, ch);
    return o;
  };
  const std::string range = "from=" + encoded(from) + "&to=" + encoded(to);
  const std::string replay = "/ops/v1/mappings/marriage/versions/2/replay?" + range;
  Answer a = ops(c, "GET", replay + "&limit=4");
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  auto page = parsed(a.body);
  BOOST_TEST(page["total"].GetInt() == kMessages);
  BOOST_TEST(page["messages"].Size() == 4u);
  BOOST_TEST(page["summary"]["changed"].GetInt() == 4);
  BOOST_TEST_REQUIRE(page["next_after"].IsInt64());
  a = ops(c, "GET", replay + "&limit=4&after=" + std::to_string(page["next_after"].GetInt64()));
  BOOST_TEST_REQUIRE(a.status == 200, a.body);
  page = parsed(a.body);
  BOOST_TEST(page["messages"].Size() == 2u);
  BOOST_TEST(page["next_after"].IsNull());
  BOOST_TEST(!page.HasMember("total"));
  BOOST_TEST(std::string(page["messages"][0]["events"][0]["change"].GetString()) == "changed");

  // Bad ranges and limits: 400 naming the parameter; an unknown version: 404.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"from=" + encoded(to) + "&to=" + encoded(from), "from"},
      {"from=yesterday&to=" + encoded(to), "from"},
      {"from=" + encoded(from), "to"},
      {range + "&limit=0", "limit"},
      {range + "&limit=1001", "limit"},
      {range + "&after=x", "after"},
      {range + "&after=999999999", "after"},
  };
  for (const auto& [query, name] : bad) {
    a = ops(c, "GET", "/ops/v1/mappings/marriage/versions/2/replay?" + query);
    BOOST_TEST(a.status == 400, query + ": " + a.body);
    BOOST_TEST(a.header("content-type").find("application/problem+json") == 0u);
    BOOST_TEST(std::string(parsed(a.body)["field"].GetString()) == name, query);
  }
  a = ops(c, "GET", "/ops/v1/mappings/marriage/versions/9/replay?" + range);
  BOOST_TEST(a.status == 404, a.body);
  // Without credentials: 401.
  a = c.send("GET", replay);
  BOOST_TEST(a.status == 401, a.body);
}
