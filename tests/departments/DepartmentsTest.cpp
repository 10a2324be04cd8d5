// Every file in ../shared/departments/*/samples/ mapped with mappings/<system>/mapping.json
// must equal expected/<name>.events.json (ignoring source.received_at) or, for a rejected
// sample, yield exactly the {field, code} list of expected/<name>.rejected.json.
#define BOOST_TEST_MODULE departments
#include <dirent.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/mapping/Mapping.h"

namespace {

using huitong::mapping::Mapping;
using huitong::mapping::MappingOutput;

const std::string kShared = "../shared/departments";

std::string readAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> listDir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.')
        out.emplace_back(e->d_name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool sharedPresent() {
  DIR* d = opendir(kShared.c_str());
  if (d)
    closedir(d);
  return d != nullptr;
}

// 2026-11-28T12:00:00+08:00: after every sample, so future_time never fires by accident.
huitong::FixedClock& clock() {
  static huitong::FixedClock c(1795838400000);
  return c;
}

// Rows of EX_CASE_STAGE that a poll would take (REC_FLAG = 0, in ID order), after running
// the department's schema.sql and the sample's SQL in a fresh in-memory SQLite database.
std::vector<std::string> funeralRows(const std::string& sampleSql) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  const std::string sql = readAll(kShared + "/funeral/schema.sql") + "\n" + readAll(sampleSql);
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    BOOST_FAIL(sampleSql + ": " + (err ? err : "SQL error"));
  }
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT * FROM EX_CASE_STAGE WHERE REC_FLAG = 0 ORDER BY ID", -1, &st,
                     nullptr);
  std::vector<std::string> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    rapidjson::Document row(rapidjson::kObjectType);
    auto& a = row.GetAllocator();
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
          v = huitong::json::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)), a);
      }
      row.AddMember(huitong::json::string(sqlite3_column_name(st, c), a), v, a);
    }
    rapidjson::Document one(rapidjson::kArrayType);
    one.PushBack(rapidjson::Value(row, one.GetAllocator()), one.GetAllocator());
    rows.push_back(huitong::json::write(one));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

struct Outcome {
  rapidjson::Document events{rapidjson::kArrayType};
  std::vector<std::pair<std::string, std::string>> rejections;
  std::string error;
};

void collect(const MappingOutput& out, Outcome& o) {
  auto& a = o.events.GetAllocator();
  for (const auto& e : out.events) {
    rapidjson::Value v(e.event, a);
    v["source"].RemoveMember("received_at");
    o.events.PushBack(v, a);
  }
  for (const auto& e : out.rejected) {
    for (const auto& r : e.rejections)
      o.rejections.emplace_back(r.field, r.code);
  }
}

// Maps one sample; a funeral sample is its poll's rows, each row its own message.
Outcome mapSample(const Mapping& m, const std::string& system, const std::string& path) {
  Outcome o;
  huitong::mapping::RunOptions options;
  options.receivedAt = "2026-11-28T12:00:00+08:00";
  std::vector<std::string> messages;
  if (system == "funeral") {
    messages = funeralRows(path);
  } else {
    messages.push_back(readAll(path));
  }
  for (const auto& msg : messages) {
    auto out = m.run(msg, clock(), options);
    if (!out.ok()) {
      o.error = out.error().code + ": " + out.error().describe();
      return o;
    }
    collect(out.value(), o);
  }
  std::sort(o.rejections.begin(), o.rejections.end());
  return o;
}

std::string stem(const std::string& file) {
  return file.substr(0, file.rfind('.'));
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_sample_maps_to_its_expected_events) {
  if (!sharedPresent()) {
    BOOST_TEST_MESSAGE("../shared/departments not found: skipped");
    return;
  }
  int passed = 0, failed = 0;
  for (const std::string system : {"marriage", "elderly-subsidy", "social-assistance", "funeral"}) {
    auto mapping = Mapping::load("mappings/" + system + "/mapping.json");
    BOOST_REQUIRE_MESSAGE(
        mapping.ok(), system + ": " + (mapping.ok() ? std::string() : mapping.error().describe()));
    for (const std::string& file : listDir(kShared + "/" + system + "/samples")) {
      const std::string name = stem(file);
      const std::string expectedEvents =
          kShared + "/" + system + "/expected/" + name + ".events.json";
      const std::string expectedRejected =
          kShared + "/" + system + "/expected/" + name + ".rejected.json";
      Outcome got =
          mapSample(*mapping.value(), system, kShared + "/" + system + "/samples/" + file);
      bool ok = got.error.empty();
      std::string why = got.error;
      std::ifstream probe(expectedEvents);
      if (ok && probe) {
        auto want = huitong::json::parse(readAll(expectedEvents));
        BOOST_REQUIRE(want.ok());
        if (!(want.value() == got.events) || !got.rejections.empty()) {
          ok = false;
          why = "expected " + huitong::json::write(want.value()) + "\n  got " +
                huitong::json::write(got.events);
          for (const auto& [f, c] : got.rejections)
            why += "\n  rejected " + f + "/" + c;
        }
      } else if (ok) {
        auto want = huitong::json::parse(readAll(expectedRejected));
        BOOST_REQUIRE_MESSAGE(want.ok(), expectedRejected);
        std::vector<std::pair<std::string, std::string>> w;
        for (const auto& e : want.value().GetArray())
          w.emplace_back(e["field"].GetString(), e["code"].GetString());
        std::sort(w.begin(), w.end());
        if (w != got.rejections || got.events.Size() != 0) {
          ok = false;
          why = "rejections differ:";
          for (const auto& [f, c] : got.rejections)
            why += " " + f + "/" + c;
          why += " events: " + std::to_string(got.events.Size());
        }
      }
      BOOST_CHECK_MESSAGE(ok, system + "/" + file + ": " + why);
      (ok ? passed : failed)++;
    }
  }
  std::cout << "departments: " << passed << " passed, " << failed << " failed" << std::endl;
  BOOST_TEST(passed >= 47);
}

// rows.sql holds every funeral sample in ID order: polled row by row, it yields the events of
// the sample files in that order.
BOOST_AUTO_TEST_CASE(funeral_rows_sql_yields_the_samples_events_in_order) {
  if (!sharedPresent())
    return;
  auto mapping = Mapping::load("mappings/funeral/mapping.json");
  BOOST_REQUIRE(mapping.ok());
  Outcome all = mapSample(*mapping.value(), "funeral", kShared + "/funeral/rows.sql");
  rapidjson::Document want(rapidjson::kArrayType);
  for (const std::string& file : listDir(kShared + "/funeral/expected")) {
    if (file.find(".events.json") == std::string::npos)
      continue;
    auto doc = huitong::json::parse(readAll(kShared + "/funeral/expected/" + file));
    BOOST_REQUIRE(doc.ok());
    for (auto& e : doc.value().GetArray())
      want.PushBack(rapidjson::Value(e, want.GetAllocator()), want.GetAllocator());
  }
  BOOST_TEST(all.events.Size() == want.Size());
  BOOST_TEST((all.events == want));
  BOOST_TEST(all.rejections.size() == 3u);
}
