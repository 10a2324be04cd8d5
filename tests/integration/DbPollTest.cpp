// funeral through db_poll inside the real gateway: the department's front-end table (SQLite
// file, or a database on the private PostgreSQL server in the _postgres build) loaded from
// ../shared/departments/funeral/schema.sql and rows.sql; the mock platform must hold exactly
// the expected events, valid rows end REC_FLAG = 1, invalid rows stay 0 and are recorded with
// the expected errors. The department refuses the flag UPDATE at first, and the gateway is
// killed after the journal commit: the restarted gateway reads the rows again and nothing is
// delivered twice. Then the table goes away and comes back: reported, and the gateway stays up.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

fs::path funeralDir() {
  return sharedDir() / "departments" / "funeral";
}

// The department's database, as the test (playing the department) reaches it.
class DepartmentDb {
 public:
  explicit DepartmentDb(const fs::path& dir) {
    if (onPostgres()) {
      // A second database on the server main.cpp started (the first one is the store).
      connection_ = freshStore(dir).connection;
    } else {
      file_ = dir / "funeral-front.db";
    }
  }

  // The gateway's adapter block for this database.
  std::string adapterBlock(const fs::path& stateDir) const {
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("kind", "db_poll", a);
    d.AddMember("connector", json::string(onPostgres() ? "postgresql" : "sqlite", a), a);
    d.AddMember("connection", json::string(onPostgres() ? connection_ : file_.string(), a), a);
    d.AddMember("table", "EX_CASE_STAGE", a);
    d.AddMember("poll_ms", 100, a);
    d.AddMember("max_backoff_ms", 400, a);
    d.AddMember("state_dir", json::string(stateDir.string(), a), a);
    return json::write(d);
  }

  void exec(const std::string& sql) const {
    if (onPostgres()) {
      PGconn* c = PQconnectdb(connection_.c_str());
      BOOST_REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, PQerrorMessage(c));
      PQsetClientEncoding(c, "UTF8");
      PGresult* r = PQexec(c, sql.c_str());
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
      const std::string error = PQresultErrorMessage(r);
      PQclear(r);
      PQfinish(c);
      BOOST_REQUIRE_MESSAGE(ok, sql.substr(0, 200) << ": " << error);
      return;
    }
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(file_.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string error = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, sql.substr(0, 200) << ": " << error);
  }

  // id -> REC_FLAG of every row.
  std::map<long long, int> flags() const {
    std::map<long long, int> out;
    const char* sql = "SELECT ID, REC_FLAG FROM EX_CASE_STAGE ORDER BY ID";
    if (onPostgres()) {
      PGconn* c = PQconnectdb(connection_.c_str());
      BOOST_REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, PQerrorMessage(c));
      PGresult* r = PQexec(c, sql);
      if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        for (int i = 0; i < PQntuples(r); ++i)
          out[std::atoll(PQgetvalue(r, i, 0))] = std::atoi(PQgetvalue(r, i, 1));
      }
      PQclear(r);
      PQfinish(c);
      return out;
    }
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(file_.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW)
        out[sqlite3_column_int64(st, 0)] = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  // Makes the department refuse every UPDATE of the table (or accept them again).
  void refuseUpdates(bool refuse) const {
    if (onPostgres()) {
      exec(refuse ? "CREATE FUNCTION it_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "RAISE EXCEPTION 'updates refused by the test'; END $$; "
                    "CREATE TRIGGER it_refuse BEFORE UPDATE ON EX_CASE_STAGE FOR EACH ROW "
                    "EXECUTE FUNCTION it_refuse();"
                  : "DROP TRIGGER it_refuse ON EX_CASE_STAGE; DROP FUNCTION it_refuse();");
    } else {
      exec(refuse ? "CREATE TRIGGER it_refuse BEFORE UPDATE ON EX_CASE_STAGE BEGIN SELECT "
                    "RAISE(ABORT, 'updates refused by the test'); END;"
                  : "DROP TRIGGER it_refuse;");
    }
  }

 private:
  fs::path file_;
  std::string connection_;
};

// Every event the platform holds: event_id -> the event without the gateway's received_at.
std::map<std::string, std::vector<std::string>> heldEvents(MockPlatformProcess& platform) {
  std::map<std::string, std::vector<std::string>> out;
  Answer a = platform.control("GET", "/control/v1/received?since=0&limit=1000");
  auto d = json::parse(a.body);
  BOOST_REQUIRE(d.ok() && d.value().IsObject() && d.value().HasMember("events"));
  for (auto& e : d.value()["events"].GetArray()) {
    auto& ev = e["event"];
    if (ev.HasMember("source") && ev["source"].IsObject())
      ev["source"].RemoveMember("received_at");
    out[e["event_id"].GetString()].push_back(json::write(ev));
  }
  return out;
}

bool waitUntil(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done())
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

// The ID of the (first) row a sample file inserts.
long long sampleRowId(const fs::path& sample) {
  static const std::regex kValues(R"(VALUES\s*\(\s*([0-9]+))");
  std::smatch m;
  const std::string text = readFile(sample);
  BOOST_REQUIRE_MESSAGE(std::regex_search(text, m, kValues), sample);
  return std::stoll(m[1]);
}

std::string compact(const rapidjson::Value& v) {
  return json::write(v);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(db_poll)

BOOST_AUTO_TEST_CASE(funeral_rows_reach_the_platform_once_invalid_rows_stay_unflagged) {
  if (!fs::exists(funeralDir() / "rows.sql")) {
    BOOST_TEST_MESSAGE("no " << funeralDir() << ": skipped");
    return;
  }
  TempDir dir("huitong-it-dbpoll");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  DepartmentDb department(dir.path());
  department.exec(readFile(funeralDir() / "schema.sql"));
  department.exec(readFile(funeralDir() / "rows.sql"));
  const auto initial = department.flags();

  // What ../shared says must arrive, and what must be refused.
  std::map<std::string, std::string> expected;  // event_id -> compact event
  std::map<long long, std::vector<std::pair<std::string, std::string>>> rejected;  // id -> rules
  std::set<long long> validIds;
  for (const auto& entry : fs::directory_iterator(funeralDir() / "expected")) {
    const std::string name = entry.path().filename().string();
    const std::string sample = name.substr(0, name.find('.'));
    const long long id = sampleRowId(funeralDir() / "samples" / (sample + ".sql"));
    auto d = json::parse(readFile(entry.path()));
    BOOST_REQUIRE(d.ok() && d.value().IsArray());
    if (name.find(".events.json") != std::string::npos) {
      for (const auto& e : d.value().GetArray())
        expected[e["event_id"].GetString()] = compact(e);
      if (!d.value().Empty())
        validIds.insert(id);
    } else {
      for (const auto& r : d.value().GetArray())
        rejected[id].emplace_back(r["field"].GetString(), r["code"].GetString());
    }
  }
  BOOST_REQUIRE(!expected.empty());
  BOOST_REQUIRE(!rejected.empty());

  // The department refuses the flag UPDATE: the rows are journaled and delivered, not marked.
  department.refuseUpdates(true);
  GatewayOptions o = deliveringTo(dir.path(), platform, {});
  o.adapters["funeral"] = department.adapterBlock(dir.path() / "state");
  GatewayProcess gateway(dir.path(), o);
  BOOST_REQUIRE_MESSAGE(
      waitUntil([&] { return platform.receivedTotal() >= std::int64_t(expected.size()); }, 120s),
      "events held: " << platform.receivedTotal() << " of " << expected.size() << "\n"
                      << gateway.stderrText().substr(0, 4000));
  BOOST_REQUIRE(waitUntil(
      [&] {
        return gateway.stderrText().find("front-end table: rows cannot be marked") !=
               std::string::npos;
      },
      30s));
  BOOST_TEST(department.flags() == initial);  // nothing marked yet

  // Killed between the journal commit and the flag; the department takes updates again.
  gateway.crash();
  department.refuseUpdates(false);
  gateway.start();
  BOOST_REQUIRE_MESSAGE(waitUntil(
                            [&] {
                              const auto f = department.flags();
                              return std::all_of(validIds.begin(), validIds.end(),
                                                 [&](long long id) { return f.at(id) == 1; });
                            },
                            60s),
                        gateway.stderrText().substr(0, 4000));
  std::this_thread::sleep_for(1500ms);  // more polls, more delivery rounds

  // Exactly the expected events, each once.
  const auto held = heldEvents(platform);
  BOOST_TEST(held.size() == expected.size());
  for (const auto& [id, event] : expected) {
    auto it = held.find(id);
    if (it == held.end()) {
      BOOST_ERROR("missing event " << id);
      continue;
    }
    BOOST_TEST(it->second.size() == 1u, id << " held " << it->second.size() << " times");
    auto want = json::parse(event);
    auto got = json::parse(it->second.front());
    BOOST_REQUIRE(want.ok() && got.ok());
    BOOST_TEST((want.value() == got.value()),
               id << "\nexpected " << event << "\nheld     " << it->second.front());
  }
  for (const auto& [id, copies] : held)
    BOOST_TEST(expected.count(id) == 1u, "unexpected event " << id);
  BOOST_TEST(platform.receivedTotal() == std::int64_t(expected.size()));

  // Flags: valid rows 1, invalid rows still 0, the row taken earlier untouched.
  const auto flags = department.flags();
  for (const auto& [id, flag] : flags) {
    if (validIds.count(id))
      BOOST_TEST(flag == 1, "row " << id);
    else if (rejected.count(id))
      BOOST_TEST(flag == 0, "invalid row " << id << " must stay unflagged");
    else
      BOOST_TEST(flag == initial.at(id), "row " << id);
  }

  // Invalid rows recorded with the expected errors: the adapter's state file and its log.
  auto state = json::parse(readFile(dir.path() / "state" / "funeral.db_poll.json"));
  BOOST_REQUIRE(state.ok());
  std::map<long long, std::string> recorded;
  for (const auto& r : state.value()["bad_rows"].GetArray())
    recorded[r["id"].GetInt64()] = r["errors"].GetString();
  BOOST_TEST(recorded.size() == rejected.size());
  const std::string log = gateway.stderrText();
  for (const auto& [id, rules] : rejected) {
    BOOST_REQUIRE_MESSAGE(recorded.count(id), "row " << id << " not recorded");
    for (const auto& [field, code] : rules) {
      BOOST_TEST(recorded[id].find(field + " " + code) != std::string::npos,
                 "row " << id << ": " << recorded[id]);
    }
    BOOST_TEST(log.find("\"id\":\"" + std::to_string(id) + "\"") != std::string::npos,
               "no log line names row " << id);
  }
  BOOST_TEST(log.find("invalid row left unflagged") != std::string::npos);
  BOOST_TEST(gateway.metric("huitong_source_up{system=\"funeral\"}").value_or(-1) == 1.0);

  // The table goes away mid-run and comes back: reported, the gateway stays up.
  department.exec("ALTER TABLE EX_CASE_STAGE RENAME TO EX_CASE_STAGE_AWAY;");
  BOOST_TEST(waitUntil(
      [&] { return gateway.metric("huitong_source_up{system=\"funeral\"}").value_or(-1) == 0.0; },
      30s));
  BOOST_TEST(gateway.stderrText().find("front-end table unreachable") != std::string::npos);
  department.exec("ALTER TABLE EX_CASE_STAGE_AWAY RENAME TO EX_CASE_STAGE;");
  department.exec(
      "INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, "
      "SQRZJHM, JG_CODE, YJ, VERSION) VALUES (1200, 'BZ2026112600004', "
      "'1244200045586402424442204001000', '骨灰寄存服务', 'SP', '2026-11-26 15:20:00', '简玉莲', "
      "'1', '44200019610618118X', '1', '同意寄存', 2);");
  BOOST_TEST(waitUntil([&] { return department.flags().at(1200) == 1; }, 30s));
  BOOST_TEST(waitUntil(
      [&] { return platform.receivedTotal() == std::int64_t(expected.size() + 1); }, 30s));
  BOOST_TEST(gateway.metric("huitong_source_up{system=\"funeral\"}").value_or(-1) == 1.0);
  BOOST_TEST(gateway.process().running());
}

BOOST_AUTO_TEST_SUITE_END()
