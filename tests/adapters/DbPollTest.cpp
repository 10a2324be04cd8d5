// db_poll on SQLite temp files: config checks, what a poll submits, REC_FLAG set only after a
// durable outcome, invalid rows left unflagged and not sent again, retries, a table that goes
// away, and the watermark mode's state file. (tests/integration/DbPollTest.cpp runs it inside
// the real gateway on SQLite and PostgreSQL.)
#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "adapters/register_adapters.h"
#include "gateway/core/Json.h"
#include "tests/adapters/FakeHost.h"

namespace fs = std::filesystem;
using namespace huitong;
using Outcome = adapter::Submission::Outcome;
using namespace std::chrono_literals;

namespace {

struct TempDb {
  fs::path dir;
  fs::path file;
  TempDb() {
    dir = fs::temp_directory_path() /
          ("huitong-dbpoll-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    file = dir / "front.db";
    exec(
        "CREATE TABLE EX_CASE_STAGE (ID INTEGER PRIMARY KEY, SBLSH VARCHAR(64), SXMC "
        "VARCHAR(200), SFJE_YUAN REAL, VERSION INTEGER DEFAULT 1 NOT NULL, REC_FLAG INTEGER "
        "DEFAULT 0 NOT NULL);");
  }
  ~TempDb() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  void exec(const std::string& sql) const {
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string message = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << message);
  }
  long long scalar(const std::string& sql) const {
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
  }
  void insert(int id, const std::string& sblsh, int flag = 0, int version = 1) const {
    exec("INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXMC, SFJE_YUAN, VERSION, REC_FLAG) VALUES (" +
         std::to_string(id) + ", '" + sblsh + "', '骨灰寄存服务', 187.6, " +
         std::to_string(version) + ", " + std::to_string(flag) + ");");
  }
  long long flag(int id) const {
    return scalar("SELECT REC_FLAG FROM EX_CASE_STAGE WHERE ID = " + std::to_string(id));
  }
};

struct Made {
  test::FakeHost host;
  rapidjson::Document config;
  std::unique_ptr<adapter::Adapter> adapter;
};

Result<std::unique_ptr<adapter::Adapter>> create(Made& m, const std::string& config,
                                                 const std::string& format = "rows") {
  adapter::AdapterRegistry registry;
  BOOST_REQUIRE(adapters::registerBuiltinAdapters(registry).ok());
  m.config = test::parseJson(config.c_str());
  BOOST_REQUIRE(!m.config.HasParseError());
  return registry.find("db_poll")->create(
      adapter::AdapterSpec{"funeral", format, test::configOf(m.config), &m.host});
}

std::unique_ptr<Made> make(const std::string& config) {
  auto m = std::make_unique<Made>();
  auto made = create(*m, config);
  if (!made.ok())
    BOOST_FAIL(made.error().describe());
  m->adapter = std::move(made).value();
  return m;
}

std::string flagConfig(const TempDb& db, const std::string& extra = "") {
  return R"({"kind": "db_poll", "connector": "sqlite", "connection": ")" + db.file.string() +
         R"(", "table": "EX_CASE_STAGE", "poll_ms": 20, "max_backoff_ms": 50)" + extra + "}";
}

bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done())
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

std::string fact(const adapter::SourceStatus& s, const std::string& key) {
  for (const auto& [k, v] : s.facts) {
    if (k == key)
      return v;
  }
  return "";
}

// The latest status with a fact `key`, or an empty one.
adapter::SourceStatus lastWith(const test::FakeHost& host, const std::string& key) {
  const auto all = host.sources();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (!fact(*it, key).empty())
      return *it;
  }
  return {};
}

adapter::Submission accepted(std::vector<adapter::RejectedRule> rejected = {}) {
  adapter::Submission s;
  s.outcome = Outcome::kAccepted;
  s.messageId = "m-1";
  s.rejected = std::move(rejected);
  return s;
}

Error configError(const std::string& config) {
  Made m;
  auto made = create(m, config);
  BOOST_REQUIRE(!made.ok());
  return made.error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(db_poll)

BOOST_AUTO_TEST_CASE(bad_config_names_the_key) {
  TempDb db;
  const std::string conn = R"("connection": ")" + db.file.string() + R"(")";
  auto e = configError(R"({"kind": "db_poll", "table": "T", )" + conn + "}");
  BOOST_TEST(e.message.find("connector") != std::string::npos, e.describe());
  e = configError(R"({"kind": "db_poll", "connector": "oracle", "table": "T", )" + conn + "}");
  BOOST_TEST(e.describe().find("/connector") != std::string::npos, e.describe());
  e = configError(R"({"kind": "db_poll", "connector": "sqlite", "table": "T; DROP TABLE T", )" +
                  conn + "}");
  BOOST_TEST(e.describe().find("/table") != std::string::npos, e.describe());
  e = configError(
      R"({"kind": "db_poll", "connector": "sqlite", "table": "T", "id_column": "ID--", )" + conn +
      "}");
  BOOST_TEST(e.describe().find("/id_column") != std::string::npos, e.describe());
  e = configError(
      R"({"kind": "db_poll", "connector": "sqlite", "table": "T", "columns": ["SBLSH"], )" + conn +
      "}");
  BOOST_TEST(e.message.find("columns must include ID") != std::string::npos, e.describe());
  e = configError(
      R"({"kind": "db_poll", "connector": "sqlite", "table": "T", "mode": "watermark", "watermark_column": "ID", )" +
      conn + "}");
  BOOST_TEST(e.describe().find("/state_dir") != std::string::npos, e.describe());
  e = configError(R"({"kind": "db_poll", "connector": "sqlite", "table": "T", "poll_ms": 1, )" +
                  conn + "}");
  BOOST_TEST(e.describe().find("/poll_ms") != std::string::npos, e.describe());
  e = configError(R"({"kind": "db_poll", "connector": "sqlite", "table": "T", "batch": 5, )" +
                  conn + "}");
  BOOST_TEST(e.message.find("batch") != std::string::npos, e.describe());
  e = configError(
      R"({"kind": "db_poll", "connector": "sqlite", "table": "T", "connection_file": "/nonexistent/x"})");
  BOOST_TEST(e.describe().find("/connection_file") != std::string::npos, e.describe());
}

BOOST_AUTO_TEST_CASE(the_connection_may_come_from_a_file) {
  TempDb db;
  std::ofstream(db.dir / "conn.txt") << db.file.string() << "\n";
  db.insert(1, "BZ1");
  auto m = make(R"({"kind": "db_poll", "connector": "sqlite", "connection_file": ")" +
                (db.dir / "conn.txt").string() + R"(", "table": "EX_CASE_STAGE", "poll_ms": 20})");
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_TEST(waitFor([&] { return db.flag(1) == 1; }));
  m->adapter->stop();
}

BOOST_AUTO_TEST_CASE(a_poll_submits_unflagged_rows_as_one_json_array_then_flags_them) {
  TempDb db;
  db.insert(1, "BZ1", 1);
  db.insert(2, "BZ2");
  db.insert(4, "BZ4");
  db.exec("INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXMC, SFJE_YUAN) VALUES (7, 'BZ7', NULL, NULL);");
  auto m = make(flagConfig(db));
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] { return db.flag(7) == 1; }));
  BOOST_REQUIRE(waitFor([&] { return !lastWith(m->host, "unflagged_rows").facts.empty(); }));
  m->adapter->stop();

  const auto sent = m->host.submitted();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].adapter == "db_poll");
  BOOST_TEST(sent[0].contentType == "application/json");
  BOOST_TEST(sent[0].sourceRef == "EX_CASE_STAGE ID 2..7");
  auto doc = json::parse(sent[0].bytes);
  BOOST_REQUIRE(doc.ok());
  const auto& rows = doc.value();
  BOOST_REQUIRE(rows.IsArray());
  BOOST_REQUIRE_EQUAL(rows.Size(), 3u);
  BOOST_TEST(rows[0]["ID"].IsInt64());
  BOOST_TEST(rows[0]["ID"].GetInt64() == 2);
  BOOST_TEST(std::string(rows[0]["SXMC"].GetString()) == "骨灰寄存服务");
  BOOST_TEST(rows[0]["SFJE_YUAN"].GetDouble() == 187.6);
  BOOST_TEST(rows[2]["SXMC"].IsNull());
  BOOST_TEST(rows[2]["SFJE_YUAN"].IsNull());
  BOOST_TEST(rows[2]["REC_FLAG"].GetInt64() == 0);
  BOOST_TEST(db.scalar("SELECT COUNT(*) FROM EX_CASE_STAGE WHERE REC_FLAG = 0") == 0);

  const auto status = lastWith(m->host, "unflagged_rows");
  BOOST_TEST(status.reachable);
  BOOST_TEST(fact(status, "unflagged_rows") == "0");
  BOOST_TEST(!fact(status, "query_ms").empty());
  BOOST_TEST(!fact(status, "connect_ms").empty());
}

BOOST_AUTO_TEST_CASE(invalid_rows_stay_unflagged_are_recorded_and_not_sent_again) {
  TempDb db;
  for (int id = 1; id <= 4; ++id)
    db.insert(id, "BZ" + std::to_string(id));
  auto m = make(flagConfig(db));
  m->host.answer = [](const RawMessage&) {
    adapter::RejectedRule r;
    r.record = "$[1]";
    r.field = "applicant.id_no";
    r.code = "resident_id_checksum";
    r.message = "the check character is wrong";
    return accepted({r});
  };
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] { return db.flag(4) == 1; }));
  std::this_thread::sleep_for(200ms);  // several more polls
  m->adapter->stop();

  BOOST_TEST(m->host.submitted().size() == 1u);
  BOOST_TEST(db.flag(1) == 1);
  BOOST_TEST(db.flag(2) == 0);
  BOOST_TEST(db.flag(3) == 1);
  const auto status = lastWith(m->host, "unflagged_rows");
  BOOST_TEST(fact(status, "unflagged_rows") == "1");
  BOOST_TEST(fact(status, "known_bad_rows") == "1");
  BOOST_TEST(fact(status, "bad_rows") == "2 v1");
  const auto logs = m->host.logs();
  BOOST_TEST(std::count(logs.begin(), logs.end(), "invalid row left unflagged") == 1);

  // The department corrects the row by inserting VERSION 2: that one is sent.
  auto again = make(flagConfig(db));
  db.exec(
      "INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXMC, VERSION) VALUES (9, 'BZ2', '骨灰寄存服务', 2);");
  BOOST_REQUIRE(again->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] { return db.flag(9) == 1; }));
  again->adapter->stop();
  // A new run without state_dir has forgotten row 2: it is offered once more, with row 9.
  BOOST_TEST(again->host.submitted().size() == 1u);
  BOOST_TEST(again->host.submitted()[0].sourceRef == "EX_CASE_STAGE ID 2..9");
}

BOOST_AUTO_TEST_CASE(known_bad_rows_survive_a_restart_with_a_state_dir) {
  TempDb db;
  db.insert(1, "BZ1");
  db.insert(2, "BZ2");
  const std::string config =
      flagConfig(db, R"(, "state_dir": ")" + (db.dir / "state").string() + R"(")");
  {
    auto m = make(config);
    m->host.answer = [](const RawMessage&) {
      adapter::RejectedRule r;
      r.record = "$[0]";
      r.field = "item.name";
      r.code = "required";
      adapter::Submission s = accepted({r});
      return s;
    };
    BOOST_REQUIRE(m->adapter->start().ok());
    BOOST_REQUIRE(waitFor([&] { return db.flag(2) == 1; }));
    m->adapter->stop();
  }
  BOOST_TEST(fs::exists(db.dir / "state" / "funeral.db_poll.json"));
  auto m = make(config);
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] { return !lastWith(m->host, "unflagged_rows").facts.empty(); }));
  m->adapter->stop();
  BOOST_TEST(m->host.submitted().empty());
  BOOST_TEST(db.flag(1) == 0);
  BOOST_TEST(fact(lastWith(m->host, "unflagged_rows"), "bad_rows") == "1 v1");
}

BOOST_AUTO_TEST_CASE(full_batches_are_read_one_after_another_in_id_order) {
  TempDb db;
  for (int id = 1; id <= 7; ++id)
    db.insert(id * 10, "BZ" + std::to_string(id));
  auto m = make(flagConfig(db, R"(, "batch_rows": 3, "flag_batch": 2)"));
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] { return db.flag(70) == 1; }));
  m->adapter->stop();
  const auto sent = m->host.submitted();
  BOOST_REQUIRE_EQUAL(sent.size(), 3u);
  BOOST_TEST(sent[0].sourceRef == "EX_CASE_STAGE ID 10..30");
  BOOST_TEST(sent[1].sourceRef == "EX_CASE_STAGE ID 40..60");
  BOOST_TEST(sent[2].sourceRef == "EX_CASE_STAGE ID 70");
  BOOST_TEST(db.scalar("SELECT COUNT(*) FROM EX_CASE_STAGE WHERE REC_FLAG = 1") == 7);
}

BOOST_AUTO_TEST_CASE(rows_stay_unflagged_until_the_journal_commits) {
  TempDb db;
  db.insert(1, "BZ1");
  auto m = make(flagConfig(db));
  std::atomic<int> calls{0};
  m->host.answer = [&](const RawMessage&) {
    adapter::Submission s;
    const int n = ++calls;
    if (n == 1) {
      s.outcome = Outcome::kStoreFailed;
      s.error = Error{"store.unavailable", "journal down", ""};
    } else if (n == 2) {
      s.outcome = Outcome::kUnreadable;
      s.error = Error{"json.syntax", "bad", "line 1"};
    } else {
      s = accepted();
    }
    return s;
  };
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] { return calls >= 1; }));
  BOOST_TEST(db.flag(1) == 0);
  BOOST_REQUIRE(waitFor([&] { return db.flag(1) == 1; }));
  m->adapter->stop();
  BOOST_TEST(calls == 3);
  const auto logs = m->host.logs();
  BOOST_TEST(std::count(logs.begin(), logs.end(),
                        "rows not taken: the gateway did not journal them") == 2);
}

BOOST_AUTO_TEST_CASE(a_table_that_goes_away_is_reported_and_read_again_when_back) {
  TempDb db;
  db.insert(1, "BZ1");
  db.exec("ALTER TABLE EX_CASE_STAGE RENAME TO EX_AWAY;");
  auto m = make(flagConfig(db));
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] {
    const auto s = m->host.sources();
    return !s.empty() && !s.back().reachable;
  }));
  const auto down = m->host.sources().back();
  BOOST_TEST(down.detail.find("EX_CASE_STAGE") != std::string::npos, down.detail);
  BOOST_TEST(!fact(down, "last_error").empty());
  db.exec("ALTER TABLE EX_AWAY RENAME TO EX_CASE_STAGE;");
  BOOST_REQUIRE(waitFor([&] { return db.flag(1) == 1; }));
  BOOST_REQUIRE(waitFor([&] {
    const auto s = m->host.sources();
    return !s.empty() && s.back().reachable;
  }));
  m->adapter->stop();
}

BOOST_AUTO_TEST_CASE(watermark_mode_resumes_after_the_last_taken_row) {
  TempDb db;
  db.exec("CREATE TABLE LOG_ROWS (SEQ INTEGER PRIMARY KEY, AT TEXT, BODY TEXT);");
  db.exec(
      "INSERT INTO LOG_ROWS VALUES (1, '2026-11-17 10:00:00', 'a'), (2, '2026-11-17 10:00:00', "
      "'b'), (3, '2026-11-17 10:00:00', 'c'), (4, '2026-11-17 10:05:00', 'd');");
  const std::string config =
      R"({"kind": "db_poll", "connector": "sqlite", "connection": ")" + db.file.string() +
      R"(", "table": "LOG_ROWS", "mode": "watermark", "watermark_column": "AT", "id_column": "SEQ", "batch_rows": 2, "poll_ms": 20, "state_dir": ")" +
      (db.dir / "state").string() + R"("})";
  {
    auto m = make(config);
    BOOST_REQUIRE(m->adapter->start().ok());
    BOOST_REQUIRE(waitFor([&] { return m->host.submitted().size() == 2; }));
    std::this_thread::sleep_for(100ms);
    m->adapter->stop();
    const auto sent = m->host.submitted();
    BOOST_REQUIRE_EQUAL(sent.size(), 2u);
    // Ties on the timestamp across a batch boundary are not lost: (AT, SEQ) orders the rows.
    BOOST_TEST(sent[0].sourceRef == "LOG_ROWS SEQ 1..2");
    BOOST_TEST(sent[1].sourceRef == "LOG_ROWS SEQ 3..4");
    BOOST_TEST(fact(lastWith(m->host, "watermark"), "watermark") == "2026-11-17 10:05:00");
  }
  db.exec("INSERT INTO LOG_ROWS VALUES (5, '2026-11-17 10:06:00', 'e');");
  auto m = make(config);
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] { return m->host.submitted().size() == 1; }));
  std::this_thread::sleep_for(100ms);
  m->adapter->stop();
  BOOST_REQUIRE_EQUAL(m->host.submitted().size(), 1u);
  BOOST_TEST(m->host.submitted()[0].sourceRef == "LOG_ROWS SEQ 5");
  // No flag column was written.
  BOOST_TEST(db.scalar("SELECT COUNT(*) FROM LOG_ROWS") == 5);
}

BOOST_AUTO_TEST_CASE(a_row_with_text_that_is_not_utf8_is_left_alone_the_others_go) {
  TempDb db;
  db.insert(1, "BZ1");
  db.exec(
      "INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXMC) VALUES (2, 'BZ2', CAST(X'B9C7BBD2' AS TEXT));");
  db.insert(3, "BZ3");
  auto m = make(flagConfig(db));
  BOOST_REQUIRE(m->adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] { return db.flag(3) == 1; }));
  m->adapter->stop();
  BOOST_TEST(db.flag(1) == 1);
  BOOST_TEST(db.flag(2) == 0);
  BOOST_REQUIRE_EQUAL(m->host.submitted().size(), 1u);
  BOOST_TEST(m->host.submitted()[0].sourceRef == "EX_CASE_STAGE ID 1..3");
  auto doc = json::parse(m->host.submitted()[0].bytes);
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(doc.value().Size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

// MySQL is built in where cmake found POCO's DataMySQL and a client library; no server runs
// in the tests: a refused connection must be a reported source failure, not a crash.
BOOST_AUTO_TEST_SUITE(db_poll_mysql)

BOOST_AUTO_TEST_CASE(a_mysql_server_that_is_not_there_is_reported_unreachable) {
  Made m;
  auto made = create(m, R"({"kind": "db_poll", "connector": "mysql",
      "connection": "host=127.0.0.1;port=1;db=front;user=huitong;password=x",
      "table": "EX_CASE_STAGE", "poll_ms": 20, "max_backoff_ms": 50, "connect_timeout_s": 2})");
  if (!made.ok()) {
    BOOST_TEST(made.error().message.find("no MySQL connector") != std::string::npos,
               made.error().describe());
    return;
  }
  auto adapter = std::move(made).value();
  BOOST_REQUIRE(adapter->start().ok());
  BOOST_REQUIRE(waitFor([&] {
    const auto s = m.host.sources();
    return !s.empty() && !s.back().reachable;
  }));
  adapter->stop();
  const auto down = m.host.sources().back();
  BOOST_TEST(down.detail.find("mysql EX_CASE_STAGE") != std::string::npos, down.detail);
  BOOST_TEST(m.host.submitted().empty());
}

BOOST_AUTO_TEST_SUITE_END()
