// social-assistance through its natural adapter: the real gateway with a `file_drop` block on a
// temp folder and the real mock platform. Every sample of ../shared/departments/
// social-assistance/samples is renamed into the folder (read from there at run time, never
// copied into the repository): the platform must hold exactly the expected events, the
// invalid samples must be in error/ beside a .error.json naming the expected broken rules,
// and a file whose trailer does not match is unreadable (error/, with the line). Then a
// restart with a journaled file still in the folder (a crash between commit and move) and
// the same bytes under another name: moved to done/, nothing delivered twice. A folder that
// is missing at start is reported unreachable and taken once it appears. Last, SIGKILL while
// a 30,000-row file is being journaled: after the restart every row arrives exactly once.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

namespace fs = std::filesystem;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

const std::string kSystem = "social-assistance";

fs::path samplesDir() {
  return sharedDir() / "departments" / kSystem / "samples";
}
fs::path expectedDir() {
  return sharedDir() / "departments" / kSystem / "expected";
}

std::vector<fs::path> samples() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(samplesDir())) {
    if (e.path().extension() == ".csv")
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// As the department's export job does: written under a temp name, then renamed in.
void dropFile(const fs::path& folder, const fs::path& source, const std::string& name = "") {
  const std::string target = name.empty() ? source.filename().string() : name;
  const fs::path tmp = folder / (target + ".tmp");
  fs::copy_file(source, tmp, fs::copy_options::overwrite_existing);
  fs::rename(tmp, folder / target);
}

std::string adapterBlock(const fs::path& folder) {
  return "{\"kind\": \"file_drop\", \"folder\": \"" + folder.string() +
         "\", \"encoding\": \"GB18030\", \"poll_ms\": 100, \"stable_ms\": 500}";
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << text.substr(0, 300));
  return d;
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition())
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return condition();
}

bool folderEmpty(const fs::path& folder) {
  for (const auto& e : fs::directory_iterator(folder)) {
    if (e.is_regular_file())
      return false;
  }
  return true;
}

// Every event the platform holds, by event id, with how many times it arrived.
struct Held {
  std::map<std::string, rapidjson::Document> events;
  std::map<std::string, int> count;
};

Held held(MockPlatformProcess& platform) {
  Held h;
  std::int64_t since = 0;
  for (;;) {
    Answer a = platform.control(
        "GET", "/control/v1/received?since=" + std::to_string(since) + "&limit=1000");
    rapidjson::Document d = parse(a.body);
    const auto& events = d["events"];
    if (events.Empty())
      break;
    for (const auto& e : events.GetArray()) {
      const std::string id = e["event_id"].GetString();
      ++h.count[id];
      rapidjson::Document copy;
      copy.CopyFrom(e["event"], copy.GetAllocator());
      // The gateway sets source.received_at when it takes the file; expected/ leaves it out.
      if (copy.HasMember("source") && copy["source"].IsObject())
        copy["source"].RemoveMember("received_at");
      h.events[id] = std::move(copy);
    }
    since = d["next_since"].GetInt64();
  }
  return h;
}

rapidjson::Document systemsView(GatewayProcess& gateway) {
  HttpClient c(gateway.port());
  Answer a = c.send("GET", "/ops/v1/systems", "", "", {{"Authorization", "Bearer it-ops-token"}});
  BOOST_REQUIRE_MESSAGE(a.status == 200, a.status << " " << a.body);
  return parse(a.body);
}

// The `source` member of the system in /ops/v1/systems (null when not reported yet).
std::string sourceFact(GatewayProcess& gateway, const std::string& key) {
  rapidjson::Document d = systemsView(gateway);
  for (const auto& s : d.GetArray()) {
    if (std::string(s["system"].GetString()) != kSystem || !s.HasMember("source"))
      continue;
    const auto& v = s["source"][key.c_str()];
    return v.IsBool() ? (v.GetBool() ? "true" : "false") : v.IsString() ? v.GetString() : "";
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(file_drop)

BOOST_AUTO_TEST_CASE(every_sample_dropped_arrives_exactly_as_expected) {
  if (!fs::exists(samplesDir())) {
    BOOST_TEST_MESSAGE("no " << samplesDir() << ": skipped");
    return;
  }
  TempDir dir("huitong-it-filedrop");
  const fs::path folder = dir.path() / "drop";
  fs::create_directories(folder);
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  GatewayOptions o = deliveringTo(dir.path(), platform, {});
  o.adapters[kSystem] = adapterBlock(folder);
  GatewayProcess gateway(dir.path(), o);

  // What must arrive, and which samples must be refused.
  std::map<std::string, rapidjson::Document> expectedEvents;
  std::map<std::string, std::multiset<std::pair<std::string, std::string>>> expectedRejections;
  for (const auto& sample : samples()) {
    const std::string stem = sample.stem().string();
    const fs::path events = expectedDir() / (stem + ".events.json");
    const fs::path rejected = expectedDir() / (stem + ".rejected.json");
    if (fs::exists(events)) {
      rapidjson::Document d = parse(readFile(events));
      for (auto& e : d.GetArray()) {
        rapidjson::Document copy;
        copy.CopyFrom(e, copy.GetAllocator());
        const std::string id = copy["event_id"].GetString();
        BOOST_TEST(expectedEvents.count(id) == 0u, "event " << id << " expected twice");
        expectedEvents[id] = std::move(copy);
      }
    } else {
      BOOST_TEST_REQUIRE(fs::exists(rejected), "no expected/ file for " << sample);
      rapidjson::Document d = parse(readFile(rejected));
      auto& rules = expectedRejections[sample.filename().string()];
      for (const auto& r : d.GetArray())
        rules.emplace(r["field"].GetString(), r["code"].GetString());
    }
  }
  BOOST_TEST_REQUIRE(!expectedEvents.empty());
  BOOST_TEST_REQUIRE(!expectedRejections.empty());

  const auto start = std::chrono::steady_clock::now();
  for (const auto& sample : samples())
    dropFile(folder, sample);
  // A file whose trailer does not match the rows (the mapping's own test file).
  dropFile(folder, "mappings/social-assistance/tests/DB_20261103-truncated.csv");

  BOOST_REQUIRE_MESSAGE(waitUntil([&] { return folderEmpty(folder); }, 60s),
                        "files still in the folder; gateway log:\n"
                            << gateway.stderrText().substr(0, 4000));
  BOOST_REQUIRE(
      waitForDrain(platform, gateway, static_cast<std::int64_t>(expectedEvents.size()), 120s));
  BOOST_TEST_MESSAGE(samples().size() << " samples taken and " << expectedEvents.size()
                                      << " events delivered in " << secondsSince(start) << " s");

  // Exactly the expected events, each once, equal but for source.received_at.
  const Held h = held(platform);
  BOOST_TEST(h.events.size() == expectedEvents.size());
  for (const auto& [id, expected] : expectedEvents) {
    auto it = h.events.find(id);
    if (it == h.events.end()) {
      BOOST_ERROR("event " << id << " not delivered");
      continue;
    }
    BOOST_TEST(h.count.at(id) == 1, id << " delivered " << h.count.at(id) << " times");
    BOOST_TEST((it->second == expected), id << " differs:\n  got "
                                            << huitong::json::write(it->second) << "\n  expected "
                                            << huitong::json::write(expected));
  }
  for (const auto& [id, n] : h.count)
    BOOST_TEST(expectedEvents.count(id) == 1u, "unexpected event " << id);

  // Valid samples in done/ without a report; invalid ones in error/ with the expected rules.
  for (const auto& sample : samples()) {
    const std::string name = sample.filename().string();
    const auto rejected = expectedRejections.find(name);
    if (rejected == expectedRejections.end()) {
      BOOST_TEST(fs::exists(folder / "done" / name), name);
      BOOST_TEST(!fs::exists(folder / "done" / (name + ".error.json")), name);
      BOOST_TEST(readFile(folder / "done" / name) == readFile(sample), name << " changed");
      continue;
    }
    BOOST_TEST_REQUIRE(fs::exists(folder / "error" / name), name);
    BOOST_TEST_REQUIRE(fs::exists(folder / "error" / (name + ".error.json")), name);
    rapidjson::Document report = parse(readFile(folder / "error" / (name + ".error.json")));
    BOOST_TEST(std::string(report["outcome"].GetString()) == "rejected", name);
    BOOST_TEST(std::string(report["file"].GetString()) == name);
    std::multiset<std::pair<std::string, std::string>> got;
    for (const auto& r : report["rejected"].GetArray()) {
      got.emplace(r["field"].GetString(), r["code"].GetString());
      BOOST_TEST(r["line"].GetUint64() >= 2u, name << ": a data row's line");
      BOOST_TEST(!std::string(r["source_path"].GetString()).empty(), name);
      BOOST_TEST(!std::string(r["message"].GetString()).empty(), name);
    }
    BOOST_TEST((got == rejected->second),
               name << ": " << readFile(folder / "error" / (name + ".error.json")));
  }
  const std::string truncated = "DB_20261103-truncated.csv";
  BOOST_TEST_REQUIRE(fs::exists(folder / "error" / (truncated + ".error.json")));
  rapidjson::Document report = parse(readFile(folder / "error" / (truncated + ".error.json")));
  BOOST_TEST(std::string(report["outcome"].GetString()) == "unreadable");
  BOOST_TEST(std::string(report["error"]["code"].GetString()) == "csv.trailer");
  BOOST_TEST(report["error"].HasMember("line"),
             readFile(folder / "error" / (truncated + ".error.json")));

  // The health view: reachable, nothing pending.
  BOOST_TEST(waitUntil([&] { return sourceFact(gateway, "pending_files") == "0"; }, 10s));
  BOOST_TEST(sourceFact(gateway, "reachable") == "true");
  BOOST_TEST(platform.stats()["rejected"].GetInt64() == 0);
}

BOOST_AUTO_TEST_CASE(a_journaled_file_still_in_the_folder_is_not_delivered_twice) {
  if (!fs::exists(samplesDir())) {
    BOOST_TEST_MESSAGE("no " << samplesDir() << ": skipped");
    return;
  }
  TempDir dir("huitong-it-filedrop-restart");
  const fs::path folder = dir.path() / "drop";  // created only after the gateway started
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  GatewayOptions o = deliveringTo(dir.path(), platform, {});
  o.adapters[kSystem] = adapterBlock(folder);
  GatewayProcess gateway(dir.path(), o);

  // A missing folder: the gateway is up, the source is reported unreachable.
  BOOST_TEST(waitUntil([&] { return sourceFact(gateway, "reachable") == "false"; }, 10s));
  BOOST_TEST(sourceFact(gateway, "detail").find("not reachable") != std::string::npos);

  fs::create_directories(folder);
  const fs::path sample = samplesDir() / "DB_20261116.csv";
  const std::int64_t events =
      static_cast<std::int64_t>(parse(readFile(expectedDir() / "DB_20261116.events.json")).Size());
  dropFile(folder, sample);
  BOOST_REQUIRE(waitUntil([&] { return fs::exists(folder / "done" / "DB_20261116.csv"); }, 30s));
  BOOST_REQUIRE(waitForDrain(platform, gateway, events, 60s));
  BOOST_TEST(sourceFact(gateway, "reachable") == "true");

  // Stopped after the commit but before the move: the file is back in the folder.
  gateway.stop();
  fs::rename(folder / "done" / "DB_20261116.csv", folder / "DB_20261116.csv");
  const std::size_t logFrom = gateway.stderrText().size();
  gateway.start();
  BOOST_REQUIRE(waitUntil([&] { return fs::exists(folder / "done" / "DB_20261116.csv"); }, 30s));
  BOOST_TEST(!fs::exists(folder / "DB_20261116.csv"));

  // The same bytes under another name: the journal's first answer, nothing new.
  dropFile(folder, sample, "DB_20261116-again.csv");
  BOOST_REQUIRE(
      waitUntil([&] { return fs::exists(folder / "done" / "DB_20261116-again.csv"); }, 30s));

  std::this_thread::sleep_for(1s);  // time for a wrong delivery to show
  BOOST_REQUIRE(waitForDrain(platform, gateway, events, 30s));
  BOOST_TEST(platform.receivedTotal() == events);
  BOOST_TEST(platform.stats()["duplicate"].GetInt64() == 0);
  const std::string log = gateway.stderrText().substr(logFrom);
  std::size_t repeats = 0;
  for (auto at = log.find("\"repeated\":\"true\""); at != std::string::npos;
       at = log.find("\"repeated\":\"true\"", at + 1))
    ++repeats;
  BOOST_TEST(repeats == 2u, log.substr(0, 3000));
}

BOOST_AUTO_TEST_CASE(killed_while_a_large_file_is_journaled_delivers_each_row_once) {
  // SIGKILL a second into the journaling of a 30,000-row export: whether the commit happened
  // or not, the restarted gateway takes the file again and every row arrives exactly once.
  if (!fs::exists(samplesDir())) {
    BOOST_TEST_MESSAGE("no " << samplesDir() << ": skipped");
    return;
  }
  constexpr int kRows = 30000;
  TempDir dir("huitong-it-filedrop-kill");
  const fs::path folder = dir.path() / "drop";
  fs::create_directories(folder);
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  GatewayOptions o = deliveringTo(dir.path(), platform, {});
  o.adapters[kSystem] = adapterBlock(folder);
  GatewayProcess gateway(dir.path(), o);

  // The GB18030 bytes of the header, of an application row and of the trailer's label come
  // from a sample; case numbers and resident IDs are ASCII, the same in GB18030.
  const std::string sample = readFile(samplesDir() / "DB_20261116.csv");
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < sample.size();) {
    const std::size_t end = sample.find("\r\n", at);
    lines.push_back(sample.substr(at, end - at));
    at = end == std::string::npos ? sample.size() : end + 2;
  }
  const std::string row = lines.at(1);
  BOOST_TEST_REQUIRE(row.find("ZSDB-2026-0381") != std::string::npos, row);
  BOOST_TEST_REQUIRE(row.find("442000196809030425") != std::string::npos, row);
  const std::string label = lines.back().substr(0, lines.back().find(','));
  std::string file = lines.at(0) + "\r\n";
  for (int i = 0; i < kRows; ++i) {
    std::string r = row;
    r.replace(r.find("ZSDB-2026-0381"), 14, "ZSDB-2026-K" + digits(i, 6));
    r.replace(r.find("442000196809030425"), 18,
              residentId("4420001968" + digits(i % 12 + 1, 2) + digits(i / 12 % 28 + 1, 2) +
                         digits(i % 1000, 3)));
    file += r + "\r\n";
  }
  file += label + "," + std::to_string(kRows) + "\r\n";
  const fs::path big = dir.write("DB_20261129.csv", file);

  dropFile(folder, big);
  std::this_thread::sleep_for(1s);
  const bool journaling = fs::exists(folder / "DB_20261129.csv");
  gateway.crash();
  BOOST_TEST_MESSAGE("killed " << (journaling ? "while the file was still in the folder"
                                              : "after the file was moved"));
  const std::size_t logFrom = gateway.stderrText().size();
  gateway.start();
  BOOST_REQUIRE(waitUntil([&] { return fs::exists(folder / "done" / "DB_20261129.csv"); }, 120s));
  BOOST_TEST(!fs::exists(folder / "done" / "DB_20261129.csv.error.json"), "rows were rejected");
  BOOST_REQUIRE(waitForDrain(platform, gateway, kRows, 300s));
  const Held h = held(platform);
  BOOST_TEST(h.count.size() == static_cast<std::size_t>(kRows));
  int twice = 0;
  for (const auto& [id, n] : h.count)
    twice += n > 1 ? 1 : 0;
  BOOST_TEST(twice == 0, twice << " events delivered more than once");
  // A batch the platform stored just before the kill, but the gateway had not settled, is sent
  // again and answered "duplicate" (at-least-once delivery to an idempotent platform): the
  // platform still holds each event once, checked above.
  BOOST_TEST_MESSAGE("re-sent after the kill and answered duplicate: "
                     << platform.stats()["duplicate"].GetInt64());
  BOOST_TEST(!fs::exists(folder / "done" / "DB_20261129.2.csv"), "the file was moved twice");
  BOOST_TEST_MESSAGE(
      "after the restart: " << (gateway.stderrText().find("\"repeated\":\"true\"", logFrom) !=
                                        std::string::npos
                                    ? "the journal answered repeated (committed before the kill)"
                                    : "journaled for the first time"));
}

BOOST_AUTO_TEST_SUITE_END()
