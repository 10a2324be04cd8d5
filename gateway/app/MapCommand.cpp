// `huitong map` (a mapping on one message) and `huitong mapping test` (embedded cases).
#include <algorithm>
#include <iostream>

#include <sqlite3.h>

#include "gateway/app/CommandLine.h"
#include "gateway/core/Json.h"
#include "gateway/mapping/Mapping.h"

namespace huitong::app {
namespace {

constexpr const char* kMapUsage =
    "usage: huitong map --system ID --input FILE [--mappings DIR] [--trace] [--all]\n"
    "                   [--query SQL] [--received-at RFC3339] [--now RFC3339]\n"
    "Runs the mapping of system ID (DIR/ID/mapping.json; DIR defaults to ./mappings) on the\n"
    "message in FILE ('-' for standard input) and prints the case events as a JSON array\n"
    "(exit 0), or, when no event is valid, the rejections as a JSON array of\n"
    "{field, code, message, source_path} (exit 1). A message with some valid events prints\n"
    "the events and reports the rejected ones on standard error.\n"
    "  --trace        print {events, rejected, trace} with every target field's selector,\n"
    "                 value found, source path and each transform's output\n"
    "  --all          print {events, rejected} whatever the outcome\n"
    "  --query SQL    for 'rows' mappings: FILE is an SQLite database or a .sql script;\n"
    "                 the rows are those of SQL (default: SELECT * FROM the first table)\n"
    "Exit codes: 0 events produced, 1 rejected, 2 bad usage or unreadable input.\n";

// Database rows for `rows` mappings read from an SQLite file or an SQL script.
bool readRows(const std::string& file, const std::string& query, std::string& json,
              std::string& error) {
  sqlite3* db = nullptr;
  const bool script = file.size() > 4 && file.compare(file.size() - 4, 4, ".sql") == 0;
  if (sqlite3_open_v2(script ? ":memory:" : file.c_str(), &db,
                      script ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY,
                      nullptr) != SQLITE_OK) {
    error = file + ": cannot open as SQLite: " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return false;
  }
  auto fail = [&](const std::string& what) {
    error = file + ": " + what + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return false;
  };
  if (script) {
    std::string sql;
    if (!readFile(file, sql, error)) {
      sqlite3_close(db);
      return false;
    }
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      error = file + ": " + (msg ? msg : "SQL error");
      sqlite3_free(msg);
      sqlite3_close(db);
      return false;
    }
  }
  std::string sql = query;
  if (sql.empty()) {
    sqlite3_stmt* t = nullptr;
    if (sqlite3_prepare_v2(
            db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY rowid LIMIT 1", -1, &t,
            nullptr) != SQLITE_OK ||
        sqlite3_step(t) != SQLITE_ROW) {
      sqlite3_finalize(t);
      return fail("no table to read");
    }
    sql = std::string("SELECT * FROM \"") +
          reinterpret_cast<const char*>(sqlite3_column_text(t, 0)) + "\"";
    sqlite3_finalize(t);
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    return fail("query");
  rapidjson::Document rows(rapidjson::kArrayType);
  auto& a = rows.GetAllocator();
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
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
        case SQLITE_NULL:
          break;
        default:
          v = json::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)), a);
      }
      row.AddMember(json::string(sqlite3_column_name(st, c), a), v, a);
    }
    rows.PushBack(row, a);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return fail("reading rows");
  sqlite3_close(db);
  json = json::write(rows);
  return true;
}

}  // namespace

int runMap(const std::vector<std::string>& args) {
  std::string error;
  auto a = Arguments::parse(args, {"trace", "all", "help"},
                            {"system", "input", "mappings", "query", "received-at", "now"}, error);
  if (a && a->has("help")) {
    std::cout << kMapUsage;
    return kExitOk;
  }
  if (!a || !a->has("system") || !a->has("input") || !a->positionals().empty()) {
    std::cerr << "huitong map: " << (error.empty() ? "--system and --input are required" : error)
              << "\n"
              << kMapUsage;
    return kExitUsage;
  }
  const std::string path =
      a->get("mappings", "mappings") + "/" + a->get("system") + "/mapping.json";
  auto mapping = mapping::Mapping::load(path);
  if (!mapping.ok()) {
    std::cerr << "huitong map: " << mapping.error().describe() << "\n";
    return kExitUsage;
  }
  const auto& m = *mapping.value();
  std::string input;
  const std::string file = a->get("input");
  const bool sqlInput = m.inputFormat() == "rows" && file != "-" &&
                        (a->has("query") || file.find(".json") == std::string::npos);
  if (sqlInput ? !readRows(file, a->get("query"), input, error) : !readFile(file, input, error)) {
    std::cerr << "huitong map: " << error << "\n";
    return kExitUsage;
  }
  SystemClock system;
  FixedClock fixed(0);
  const Clock* clock = &system;
  if (a->has("now")) {
    std::int64_t t;
    if (!parseRfc3339(a->get("now"), t)) {
      std::cerr << "huitong map: --now is an RFC 3339 date-time\n";
      return kExitUsage;
    }
    fixed.set(t);
    clock = &fixed;
  }
  mapping::RunOptions options;
  options.trace = a->has("trace");
  if (a->has("received-at")) {
    std::int64_t t;
    if (!parseRfc3339(a->get("received-at"), t)) {
      std::cerr << "huitong map: --received-at is an RFC 3339 date-time\n";
      return kExitUsage;
    }
    options.receivedAt = a->get("received-at");
  } else {
    options.receivedAt = formatRfc3339(clock->now());
  }
  auto out = m.run(input, *clock, options);
  if (!out.ok()) {
    std::cerr << "huitong map: " << file << ": " << out.error().describe() << " ["
              << out.error().code << "]\n";
    return kExitUsage;
  }
  const auto& o = out.value();
  rapidjson::Document doc;
  auto& al = doc.GetAllocator();
  rapidjson::Value events(rapidjson::kArrayType), rejected(rapidjson::kArrayType),
      trace(rapidjson::kArrayType);
  for (const auto& e : o.events) {
    events.PushBack(rapidjson::Value(e.event, al), al);
  }
  const bool fanOut = o.events.size() + o.rejected.size() > 1;
  for (const auto& e : o.rejected) {
    for (const auto& r : e.rejections) {
      rapidjson::Value v = mapping::rejectionToJson(r, al);
      // Which record of a message with several: its path in the message.
      if (fanOut)
        v.AddMember("record", json::string(e.recordPath, al), al);
      rejected.PushBack(v, al);
    }
  }
  if (options.trace) {
    // Trace in source order: every record, valid or not.
    std::vector<const mapping::MappedEvent*> all;
    for (const auto& e : o.events)
      all.push_back(&e);
    for (const auto& e : o.rejected)
      all.push_back(&e);
    std::sort(all.begin(), all.end(), [](auto* x, auto* y) { return x->record < y->record; });
    for (const auto* e : all) {
      rapidjson::Value t(rapidjson::kObjectType);
      t.AddMember("record", json::string(e->recordPath, al), al);
      t.AddMember("valid", e->valid(), al);
      t.AddMember("fields", mapping::traceToJson(e->trace, al), al);
      trace.PushBack(t, al);
    }
  }
  const bool rejectedWhole = o.events.empty() && !o.rejected.empty();
  if (options.trace || a->has("all")) {
    doc.SetObject();
    doc.AddMember("events", events, al);
    doc.AddMember("rejected", rejected, al);
    if (options.trace)
      doc.AddMember("trace", trace, al);
    std::cout << json::writePretty(doc) << "\n";
  } else if (rejectedWhole) {
    std::cout << json::writePretty(rejected) << "\n";
  } else {
    std::cout << json::writePretty(events) << "\n";
    if (!rejected.Empty()) {
      std::cerr << "huitong map: " << rejected.Size() << " rejection(s) of events not delivered:\n"
                << json::writePretty(rejected) << "\n";
    }
  }
  return rejectedWhole ? kExitFailed : kExitOk;
}

int runMappingTest(const std::vector<std::string>& args) {
  std::string error;
  auto a = Arguments::parse(args, {"help"}, {"system"}, error);
  if (a && a->has("help")) {
    std::cout
        << "usage: huitong mapping test [DIR] [--system ID]\n"
           "Compiles every mapping under DIR (default ./mappings; one folder per system with\n"
           "mapping.json) and runs its embedded test cases. Exit 0 when all pass, 1 when a\n"
           "case fails, 2 when a mapping does not compile.\n";
    return kExitOk;
  }
  if (!a || a->positionals().size() > 1) {
    std::cerr << "huitong mapping test: " << (error.empty() ? "expected at most one DIR" : error)
              << "\n";
    return kExitUsage;
  }
  const std::string dir = a->positionals().empty() ? "mappings" : a->positionals()[0];
  std::vector<std::shared_ptr<const mapping::Mapping>> mappings;
  if (a->has("system")) {
    // Only the named system: another system's broken mapping does not stop its test.
    auto one = mapping::Mapping::load(dir + "/" + a->get("system") + "/mapping.json");
    if (!one.ok()) {
      std::cerr << "huitong mapping test: " << one.error().describe() << "\n";
      return kExitUsage;
    }
    mappings.push_back(std::move(one).value());
  } else {
    auto all = mapping::loadAll(dir);
    if (!all.ok()) {
      std::cerr << "huitong mapping test: " << all.error().describe() << "\n";
      return kExitUsage;
    }
    mappings = std::move(all).value();
    if (mappings.empty()) {
      std::cerr << "huitong mapping test: no mapping under " << dir << " (expected " << dir
                << "/<system>/mapping.json)\n";
      return kExitUsage;
    }
  }
  SystemClock clock;
  int passed = 0, failed = 0;
  for (const auto& m : mappings) {
    for (const auto& r : m->runEmbeddedTests(clock)) {
      std::cout << (r.passed ? "ok    " : "FAIL  ") << m->system() << " v" << m->version() << ": "
                << r.name << "\n";
      for (const auto& f : r.failures)
        std::cout << "      " << f << "\n";
      (r.passed ? passed : failed)++;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed ? kExitFailed : kExitOk;
}

}  // namespace huitong::app
