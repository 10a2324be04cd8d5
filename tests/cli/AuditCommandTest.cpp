// `huitong audit` and `huitong filing` as operators and auditors use them, on a real SQLite
// file. The tamper tests write a chain through the registry store, then rewrite the database
// file behind the gateway's back with the sqlite3 C API — an edited, deleted, reordered
// (swapped seq) and cut-off row, each on a fresh copy — and `huitong audit verify` must name
// the first broken entry every time.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gateway/core/Json.h"
#include "gateway/registry/RegistryStore.h"
#include "tests/cli/Cli.h"

using namespace huitong::cli::test;
namespace fs = std::filesystem;
using huitong::registry::AuditEntry;
using huitong::registry::RegistryStore;

namespace {

constexpr huitong::EpochMillis kT0 = 1'790'000'000'000;

fs::path writeConfig(const TempDir& dir, const std::string& db) {
  return dir.write("gateway.json", R"({"mappings": "mappings", "systems": {},
  "store": {"kind": "sqlite", "path": ")" +
                                       db + R"("}})");
}

// Ten entries written through the store, the file left whole (WAL checkpointed into it).
std::string writeChain(const fs::path& db, int n = 10) {
  huitong::storage::StoreConfig config;
  config.path = db.string();
  std::string head;
  {
    auto store = RegistryStore::open(config);
    BOOST_TEST_REQUIRE(store.ok(), (store.ok() ? "" : store.error().message));
    for (int i = 0; i < n; ++i) {
      AuditEntry e;
      e.at = kT0 + i * 1000;
      e.actor = i % 2 ? "li.na" : "wang.wei";
      e.role = "operator";
      e.action = i == 0 ? "filing.create" : "filing.move";
      e.target = "filing marriage/1244";
      e.system = "marriage";
      e.item = "1244";
      e.before = i == 0 ? "null" : R"({"version":)" + std::to_string(i) + "}";
      e.after = R"({"version":)" + std::to_string(i + 1) + "}";
      auto r = store.value()->appendAudit(e);
      BOOST_TEST_REQUIRE(r.ok());
      head = r.value().hash;
    }
  }
  sqlite3* h = nullptr;
  BOOST_TEST_REQUIRE(sqlite3_open(db.string().c_str(), &h) == SQLITE_OK);
  BOOST_TEST_REQUIRE(
      sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(h);
  return head;
}

// Runs SQL on the file directly, as someone with access to the disk would.
void tamper(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  BOOST_TEST_REQUIRE(sqlite3_open(db.string().c_str(), &h) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &message);
  const std::string detail = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(h);
  BOOST_TEST_REQUIRE(rc == SQLITE_OK, detail);
}

// The append-only triggers are a guard rail, not the proof: whoever owns the file drops them.
const std::string kDropGuards =
    "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete;";

Outcome verifyCopy(const TempDir& dir, const fs::path& original, const std::string& name,
                   const std::string& sql) {
  const fs::path copy = dir.path() / (name + ".db");
  fs::copy_file(original, copy, fs::copy_options::overwrite_existing);
  if (!sql.empty())
    tamper(copy, kDropGuards + sql);
  const auto cfg = writeConfig(dir, copy.string());
  return runHuitong({"audit", "verify", "--config", cfg.string()});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_command)

BOOST_AUTO_TEST_CASE(verify_passes_an_untouched_chain_and_names_its_head) {
  TempDir dir;
  const auto db = dir.path() / "chain.db";
  const std::string head = writeChain(db);
  const auto o = verifyCopy(dir, db, "untouched", "");
  BOOST_TEST(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out == "audit chain ok: 10 entries, head " + head + "\n");
}

BOOST_AUTO_TEST_CASE(verify_names_the_first_broken_entry_of_each_tampering) {
  TempDir dir;
  const auto db = dir.path() / "chain.db";
  writeChain(db);
  struct Case {
    const char* name;
    std::string sql;
    std::string expected;  // the first lines of the verdict
  };
  const Case cases[] = {
      {"edited", "UPDATE audit_entry SET actor = 'mallory' WHERE seq = 4;",
       "audit chain BROKEN at entry 4: its content does not match its hash (the entry was "
       "edited)\n"},
      {"edited_time", "UPDATE audit_entry SET at = at + 1 WHERE seq = 9;",
       "audit chain BROKEN at entry 9: its content does not match its hash"},
      {"deleted", "DELETE FROM audit_entry WHERE seq = 6;",
       "audit chain BROKEN at entry 7: entry 7 found where entry 6 was expected"},
      {"reordered",
       "UPDATE audit_entry SET seq = -3 WHERE seq = 3; UPDATE audit_entry SET seq = 3 WHERE seq "
       "= 5; UPDATE audit_entry SET seq = 5 WHERE seq = -3;",
       "audit chain BROKEN at entry 3: its previous-hash does not match entry 2"},
      {"truncated", "DELETE FROM audit_entry WHERE seq > 7;",
       "audit chain BROKEN at entry 8: the chain ends at entry 7 but the anchor records 10"},
      {"truncated_with_anchor",
       "DELETE FROM audit_entry WHERE seq > 7; UPDATE audit_anchor SET entry_count = 7;",
       "audit chain BROKEN at entry 7: the anchor's head"},
      {"anchor_deleted", "DELETE FROM audit_anchor;",
       "audit chain BROKEN at entry 11: the audit anchor (entry count and head hash) was "
       "deleted"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const auto o = verifyCopy(dir, db, c.name, c.sql);
      BOOST_TEST(o.exitCode == 1, describe(o));
      BOOST_TEST(o.out.rfind(c.expected, 0) == 0u, o.out);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_database_refuses_updates_and_deletes_of_entries) {
  TempDir dir;
  const auto db = dir.path() / "chain.db";
  writeChain(db, 2);
  sqlite3* h = nullptr;
  BOOST_TEST_REQUIRE(sqlite3_open(db.string().c_str(), &h) == SQLITE_OK);
  BOOST_TEST(sqlite3_exec(h, "UPDATE audit_entry SET actor = 'x'", nullptr, nullptr, nullptr) ==
             SQLITE_CONSTRAINT);
  BOOST_TEST(sqlite3_exec(h, "DELETE FROM audit_entry", nullptr, nullptr, nullptr) ==
             SQLITE_CONSTRAINT);
  sqlite3_close(h);
}

BOOST_AUTO_TEST_CASE(query_exports_json_and_csv_with_filters) {
  TempDir dir;
  const auto db = dir.path() / "q.db";
  huitong::storage::StoreConfig config;
  config.path = db.string();
  {
    auto store = RegistryStore::open(config);
    BOOST_TEST_REQUIRE(store.ok());
    for (int i = 0; i < 30; ++i) {
      AuditEntry e;
      e.at = kT0 + i * 60000;
      e.actor = i == 5 ? "=HYPERLINK(\"x\")" : (i % 2 ? "li.na" : "wang.wei");
      e.role = "operator";
      e.action = i % 3 ? "filing.update" : "filing.move";
      e.target = i == 7 ? "filing marriage/a,b \"quoted\"\nnext line" : "filing marriage/1244";
      e.system = i % 2 ? "marriage" : "funeral";
      e.item = "1244";
      e.after = R"({"n":)" + std::to_string(i) + "}";
      BOOST_TEST_REQUIRE(store.value()->appendAudit(e).ok());
    }
  }
  const auto cfg = writeConfig(dir, db.string()).string();

  auto o = runHuitong({"audit", "query", "--config", cfg, "--system", "marriage"});
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  auto doc = huitong::json::parse(o.out);
  BOOST_TEST_REQUIRE(doc.ok(), o.out);
  BOOST_TEST_REQUIRE(doc.value().IsArray());
  BOOST_TEST(doc.value().Size() == 15u);
  BOOST_TEST(doc.value()[0]["seq"].GetInt64() == 2);
  BOOST_TEST(doc.value()[0]["after"]["n"].GetInt() == 1);  // before/after embedded as JSON

  o = runHuitong({"audit", "query", "--config", cfg, "--action", "filing.move", "--since",
                  "2026-09-21T22:18:20+08:00", "--until", "2026-09-21T22:30:20+08:00", "--format",
                  "csv"});
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  // Entries 5..17 by time, moves among them: i = 6, 9, 12, 15 (seq 7, 10, 13, 16).
  BOOST_TEST(o.out.rfind("seq,at,actor,role,action,target,system,item,before,after,alg,"
                         "prev_hash,hash\r\n7,2026-09-21T22:19:20+08:00,wang.wei,",
                         0) == 0u,
             o.out);
  BOOST_TEST(o.out.find("\r\n16,") != std::string::npos);
  BOOST_TEST(o.out.find("\r\n19,") == std::string::npos);

  o = runHuitong({"audit", "query", "--config", cfg, "--target", "quoted", "--format", "csv"});
  BOOST_TEST(o.out.find("\"filing marriage/a,b \"\"quoted\"\"\nnext line\"") != std::string::npos,
             o.out);
  o = runHuitong(
      {"audit", "query", "--config", cfg, "--actor", "=HYPERLINK(\"x\")", "--format", "csv"});
  BOOST_TEST(o.out.find(",\"'=HYPERLINK(\"\"x\"\")\",") != std::string::npos, o.out);

  o = runHuitong({"audit", "query", "--config", cfg, "--limit", "4", "--after", "20"});
  doc = huitong::json::parse(o.out);
  BOOST_TEST_REQUIRE(doc.ok());
  BOOST_TEST(doc.value().Size() == 4u);
  BOOST_TEST(doc.value()[0]["seq"].GetInt64() == 21);
  o = runHuitong({"audit", "query", "--config", cfg, "--actor", "nobody"});
  BOOST_TEST(o.out == "[]\n");

  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"--limit", "0"},
           {"--limit", "-3"},
           {"--since", "yesterday"},
           {"--format", "xml"},
           {"--after", "x"},
           {"--since", "2026-09-22T00:00:00Z", "--until", "2026-09-21T00:00:00Z"},
           {"--bogus", "1"}}) {
    std::vector<std::string> args{"audit", "query", "--config", cfg};
    args.insert(args.end(), bad.begin(), bad.end());
    o = runHuitong(args);
    BOOST_TEST(o.exitCode == 2, bad[0] + " " + describe(o));
  }
  o = runHuitong({"audit", "verify"});
  BOOST_TEST(o.exitCode == 2);
  o = runHuitong({"audit", "verify", "--config", writeConfig(dir, "missing.db").string()});
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find("no database") != std::string::npos, o.err);
}

BOOST_AUTO_TEST_CASE(filing_verbs_change_filings_and_leave_a_verifiable_trail) {
  TempDir dir;
  const auto db = dir.path() / "f.db";
  { std::ofstream(db.string()).flush(); }
  const auto cfg = writeConfig(dir, db.string()).string();
  const std::vector<std::string> op{"--config", cfg, "--actor", "li.na", "--role", "operator"};
  auto run = [&](std::vector<std::string> args, bool asOperator = true) {
    if (asOperator)
      args.insert(args.begin() + 2, op.begin(), op.end());
    else
      args.insert(args.begin() + 2, {"--config", cfg});
    return runHuitong(args);
  };
  auto o =
      run({"filing", "create", "--system", "marriage", "--item", "1244", "--name", "结婚登记"});
  BOOST_TEST_REQUIRE(o.exitCode == 0, describe(o));
  o = run({"filing", "create", "--system", "marriage", "--item", "1244"});
  BOOST_TEST(o.exitCode == 1);
  BOOST_TEST(o.err.find("filing.exists") != std::string::npos, o.err);
  o = run({"filing", "move", "--system", "marriage", "--item", "1244", "--to", "configuring",
           "--version", "1"});
  BOOST_TEST(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.find("configuring due") != std::string::npos, o.out);
  o = run({"filing", "move", "--system", "marriage", "--item", "1244", "--to", "configuring",
           "--version", "1"});
  BOOST_TEST(o.exitCode == 1);
  BOOST_TEST(o.err.find("filing.stale") != std::string::npos, o.err);
  o = run({"filing", "move", "--system", "marriage", "--item", "1244", "--to", "retired",
           "--version", "2", "--reason", "no longer needed"});
  BOOST_TEST(o.exitCode == 1);
  BOOST_TEST(o.err.find("filing.forbidden") != std::string::npos, o.err);
  o = run({"filing", "list", "--state", "configuring"}, false);
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(o.out.rfind("marriage\t1244\tconfiguring\tv2\t", 0) == 0u, o.out);
  o = run({"filing", "show", "--system", "marriage", "--item", "1244"}, false);
  BOOST_TEST(o.exitCode == 0);
  BOOST_TEST(huitong::json::parse(o.out).ok(), o.out);
  o = run({"filing", "move", "--system", "marriage", "--item", "1244", "--to", "configuring",
           "--version", "1", "--role", "wizard"});
  BOOST_TEST(o.exitCode == 2);

  o = runHuitong({"audit", "query", "--config", cfg, "--format", "csv"});
  BOOST_TEST(o.out.find(",filing.create,") != std::string::npos);
  BOOST_TEST(o.out.find(",filing.move,") != std::string::npos);
  BOOST_TEST(o.out.find(",filing.move.refused,") != std::string::npos);
  o = runHuitong({"audit", "verify", "--config", cfg});
  BOOST_TEST(o.exitCode == 0, describe(o));
  BOOST_TEST(o.out.rfind("audit chain ok: 4 entries, head ", 0) == 0u, o.out);
}

// The head in the log at start: a rewrite of the whole chain then shows against a kept log.
BOOST_AUTO_TEST_CASE(serve_logs_the_audit_head_at_start) {
  TempDir dir;
  const auto db = dir.path() / "s.db";
  const std::string head = writeChain(db, 3);
  const std::string mappings = std::string(HUITONG_SOURCE_DIR) + "/mappings";
  const auto cfg = dir.write("serve.json", R"({"listen": "127.0.0.1:0", "mappings": ")" + mappings +
                                               R"(", "systems": {},
  "store": {"kind": "sqlite", "path": ")" + db.string() +
                                               R"("}})");
  // Killed at the time limit (the gateway runs until told to stop); its log is kept.
  const auto o = runHuitong({"serve", "--config", cfg.string()}, "", std::chrono::seconds(3));
  BOOST_TEST(
      o.err.find(R"("msg":"audit head","count":"3","hash":")" + head + "\"") != std::string::npos,
      o.err);
}

BOOST_AUTO_TEST_SUITE_END()
