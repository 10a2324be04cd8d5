// The demo's department simulator: its messages are valid for the real mappings (what the demo
// shows must be what the departments' systems send), files arrive whole in GB18030, rows land in
// the front-end table, and bad scripts or configs are clear errors.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/mapping/Mapping.h"
#include "sandbox/simulator/Simulator.h"

namespace fs = std::filesystem;
using namespace huitong;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("huitong-sim-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string readAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const fs::path kSource = HUITONG_SOURCE_DIR;

// A config with the folder and table departments of the demo, in `dir`.
fs::path writeConfig(const fs::path& dir) {
  const fs::path cfg = dir / "simulator.json";
  std::ofstream(cfg) << R"({"interval_ms": 10, "scripts": ")"
                     << (kSource / "sandbox/simulator/scripts").string() << R"(",
    "departments": {
      "social-assistance": {"via": "folder", "folder": "drop", "charset": "GB18030"},
      "funeral": {"via": "table", "database": "frontend.db", "table": "EX_CASE_STAGE",
                  "schema_file": ")"
                     << (kSource / "sandbox/simulator/scripts/funeral/schema.sql").string()
                     << R"("}}})";
  return cfg;
}

std::shared_ptr<const mapping::Mapping> mappingOf(const std::string& system) {
  auto m = mapping::Mapping::load((kSource / "mappings" / system / "mapping.json").string());
  BOOST_REQUIRE(m.ok());
  return m.value();
}

// The rows of the table as the db_poll adapter hands them on: a JSON array of row objects.
std::string rowsJson(const fs::path& db) {
  sqlite3* h = nullptr;
  BOOST_REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  BOOST_REQUIRE(sqlite3_prepare_v2(h, "SELECT * FROM EX_CASE_STAGE ORDER BY ID", -1, &st,
                                   nullptr) == SQLITE_OK);
  rapidjson::Document d(rapidjson::kArrayType);
  auto& a = d.GetAllocator();
  while (sqlite3_step(st) == SQLITE_ROW) {
    rapidjson::Value row(rapidjson::kObjectType);
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      rapidjson::Value v;
      switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER:
          v.SetInt64(sqlite3_column_int64(st, c));
          break;
        case SQLITE_FLOAT:
          v.SetDouble(sqlite3_column_double(st, c));
          break;
        case SQLITE_TEXT:
          v = json::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)), a);
          break;
        default:
          break;
      }
      row.AddMember(json::string(sqlite3_column_name(st, c), a), v, a);
    }
    d.PushBack(row, a);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return json::write(d);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(department_simulator)

BOOST_AUTO_TEST_CASE(resident_ids_carry_their_check_character) {
  BOOST_TEST(huitong::simulator::residentId(1990, 1, 1, 2) == "44200019900101002X");
  BOOST_TEST(huitong::simulator::residentId(1988, 2, 15, 31) == "442000198802150319");
}

BOOST_AUTO_TEST_CASE(times_are_written_in_beijing_time_with_the_department_pattern) {
  EpochMillis t = 0;
  BOOST_REQUIRE(parseRfc3339("2026-11-22T23:20:05Z", t));  // 2026-11-23 07:20:05 in Beijing
  BOOST_TEST(huitong::simulator::formatTime(t, "yyyy-MM-dd HH:mm:ss") == "2026-11-23 07:20:05");
  BOOST_TEST(huitong::simulator::formatTime(t, "yyyy/M/d H:mm") == "2026/11/23 7:20");
  BOOST_TEST(huitong::simulator::formatTime(t, "yyyyMMddHHmmss") == "20261123072005");
  huitong::simulator::Variables v;
  v.set("case_no", "HY1");
  BOOST_TEST(v.fill("${case_no} at ${now:HH:mm}", t).value() == "HY1 at 07:20");
  auto bad = v.fill("${nope}", t);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().message == "unknown variable ${nope}");
}

BOOST_AUTO_TEST_CASE(files_and_rows_it_makes_are_valid_for_the_real_mappings) {
  TempDir dir;
  const fs::path cfg = writeConfig(dir.path);
  std::vector<std::string> lines;
  huitong::simulator::Options o;
  o.configFile = cfg.string();
  o.ticks = 6;  // more than one case: every stage of a case and the next case's first
  o.intervalMs = 0;
  o.print = [&](const std::string& l) { lines.push_back(l); };
  std::atomic<bool> stop{false};
  SystemClock clock;
  auto r = huitong::simulator::run(o, stop, clock);
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
  BOOST_TEST(r.value() == 0);
  BOOST_TEST(lines.size() == 12u);

  // Every export is whole (nothing half-written left aside) and maps without a rejection.
  const auto sa = mappingOf("social-assistance");
  std::size_t files = 0, events = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "drop")) {
    BOOST_TEST(e.path().extension() == ".csv", e.path());
    ++files;
    auto out = sa->run(readAll(e.path()), clock);
    BOOST_REQUIRE_MESSAGE(out.ok(),
                          e.path().string() + ": " + (out.ok() ? "" : out.error().describe()));
    BOOST_TEST(out.value().rejected.empty(), e.path());
    events += out.value().events.size();
  }
  BOOST_TEST(files == 6u);
  BOOST_TEST(events == 6u);

  const auto funeral = mappingOf("funeral");
  auto rows = json::parse(rowsJson(dir.path / "frontend.db"));
  BOOST_REQUIRE(rows.ok());
  BOOST_TEST(rows.value().Size() == 6u);
  const auto out = funeral->runTree(rows.value(), clock);
  BOOST_TEST(out.rejected.empty());
  BOOST_TEST(out.events.size() == 6u);
}

BOOST_AUTO_TEST_CASE(the_demo_messages_of_push_departments_map_without_rejection) {
  // The http departments' templates, filled as the simulator fills them.
  for (const std::string system : {"marriage", "elderly-subsidy"}) {
    const fs::path dir = kSource / "sandbox/simulator/scripts" / system;
    auto script = json::parse(readAll(dir / "script.json"));
    BOOST_REQUIRE(script.ok());
    const auto m = mappingOf(system);
    huitong::simulator::Variables v;
    v.set("case_no", "DEMO0001");
    v.set("serial", "0001");
    v.set("name", "陈志明");
    v.set("name2", "李秀英");
    v.set("id_no", huitong::simulator::residentId(1990, 1, 1, 2));
    v.set("id_no2", huitong::simulator::residentId(1988, 2, 15, 31));
    v.set("id_no_elder", huitong::simulator::residentId(1940, 3, 5, 12));
    v.set("mobile", "13800138000");
    SystemClock clock;
    for (const auto& stage : script.value()["stages"].GetArray()) {
      auto text = v.fill(readAll(dir / stage.GetString()), clock.now());
      BOOST_REQUIRE(text.ok());
      auto out = m->run(text.value(), clock);
      BOOST_REQUIRE_MESSAGE(out.ok(), stage.GetString());
      BOOST_TEST(out.value().rejected.empty(), system << " " << stage.GetString());
      BOOST_TEST(out.value().events.size() == 1u, system << " " << stage.GetString());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_bad_config_names_file_and_line) {
  TempDir dir;
  const fs::path cfg = dir.path / "simulator.json";
  std::ofstream(cfg)
      << "{\n  \"scripts\": \"x\",\n  \"departments\": {\"a\": {\"via\": \"fax\"}}\n}";
  huitong::simulator::Options o;
  o.configFile = cfg.string();
  o.print = [](const std::string&) {};
  std::atomic<bool> stop{false};
  SystemClock clock;
  auto r = huitong::simulator::run(o, stop, clock);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path.find("simulator.json:3:") != std::string::npos, r.error().path);
  BOOST_TEST(r.error().message.find("via is one of http, folder, table") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
