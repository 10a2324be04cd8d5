// `huitong map`: every department's own test inputs (mappings/*/tests/) give what the
// mapping's embedded tests say, rejections and traces have their documented shape, and bad
// input is exit 2 with a position, never a crash.
#include <filesystem>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/cli/Cli.h"

namespace fs = std::filesystem;

namespace huitong::cli::test {
namespace {

rapidjson::Document parseJson(const std::string& text) {
  auto doc = json::parse(text);
  BOOST_REQUIRE_MESSAGE(doc.ok(), "not JSON: " << text.substr(0, 400));
  return std::move(doc.value());
}

std::string marriageMessage(const std::string& status, const std::string& statusTime) {
  return R"({"bizNo":"HY2026110300007","serviceCode":"1244200045586317954442071002000",)"
         R"("serviceName":"内地居民离婚登记","status":")" +
         status + R"(","statusTime":")" + statusTime +
         R"(","channel":"窗口","applicants":[{"name":"周建明","gender":"男","idCardType":"身份证",)"
         R"("idCardNo":"442000198802150319","mobile":null}],"operator":{"name":"陈丽华",)"
         R"("jobNo":"HY0032"},"certNo":null,"remark":"","version":1,"pushTime":"2026-11-03 09:15:43"})";
}

const std::vector<std::string> kNow = {"--now", "2026-11-28T12:00:00+08:00"};

std::vector<std::string> mapArgs(const std::string& system, const std::string& input,
                                 std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"map", "--system", system, "--input", input};
  args.insert(args.end(), kNow.begin(), kNow.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(map_command)

// Each file in mappings/SYSTEM/tests/ that an embedded test names: exit 0 with that many
// events (expect), 1 with rejections (reject) or 2 with the refusal code (error).
BOOST_AUTO_TEST_CASE(department_test_inputs) {
  int checked = 0;
  for (const auto& dir : fs::directory_iterator("mappings")) {
    const auto mappingFile = dir.path() / "mapping.json";
    if (!fs::exists(mappingFile)) {
      continue;
    }
    const std::string system = dir.path().filename().string();
    const auto mapping = parseJson(readFile(mappingFile));
    if (!mapping.HasMember("tests")) {
      continue;
    }
    for (const auto& t : mapping["tests"].GetArray()) {
      if (!t.HasMember("input_file")) {
        continue;
      }
      const std::string input = (dir.path() / t["input_file"].GetString()).string();
      std::vector<std::string> args{"map", "--system", system, "--input", input};
      if (t.HasMember("now")) {
        args.insert(args.end(), {"--now", t["now"].GetString()});
      }
      const auto o = runHuitong(args);
      BOOST_TEST_CONTEXT(system << ": " << input << ": " << describe(o)) {
        BOOST_TEST(o.signal == 0);
        if (t.HasMember("expect")) {
          BOOST_TEST(o.exitCode == 0);
          const auto out = parseJson(o.out);
          BOOST_TEST_REQUIRE(out.IsArray());
          BOOST_TEST(out.Size() == t["expect"].Size());
          for (const auto& e : out.GetArray()) {
            BOOST_TEST((e.IsObject() && e.HasMember("event_id") && e.HasMember("stage")));
          }
        } else if (t.HasMember("reject")) {
          BOOST_TEST(o.exitCode == 1);
          BOOST_TEST(parseJson(o.out).IsArray());
        } else if (t.HasMember("error")) {
          BOOST_TEST(o.exitCode == 2);
          BOOST_TEST(o.err.find(t["error"].GetString()) != std::string::npos);
          BOOST_TEST(o.err.find(input) != std::string::npos);
        }
        ++checked;
      }
    }
  }
  // Every department test file is named by some embedded test.
  int files = 0;
  for (const auto& dir : fs::directory_iterator("mappings")) {
    if (fs::is_directory(dir.path() / "tests")) {
      for (const auto& f : fs::directory_iterator(dir.path() / "tests")) {
        files += f.is_regular_file() ? 1 : 0;
      }
    }
  }
  BOOST_TEST(checked >= files);
  BOOST_TEST(checked > 0);
}

BOOST_AUTO_TEST_CASE(every_department_test_file_maps_without_a_crash) {
  for (const auto& dir : fs::directory_iterator("mappings")) {
    if (!fs::is_directory(dir.path() / "tests")) {
      continue;
    }
    for (const auto& f : fs::directory_iterator(dir.path() / "tests")) {
      const auto o = runHuitong(mapArgs(dir.path().filename().string(), f.path().string()));
      BOOST_TEST_INFO(f.path().string() << ": " << describe(o));
      BOOST_TEST(o.signal == 0);
      BOOST_TEST((o.exitCode == 0 || o.exitCode == 1 || o.exitCode == 2));
      if (o.exitCode == 0) {
        BOOST_TEST(parseJson(o.out).IsArray());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(marriage_message_from_stdin) {
  const auto o =
      runHuitong(mapArgs("marriage", "-"), marriageMessage("ACCEPTED", "2026-11-03 09:15:42"));
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 0);
  const auto out = parseJson(o.out);
  BOOST_TEST_REQUIRE(out.IsArray());
  BOOST_TEST_REQUIRE(out.Size() == 1u);
  BOOST_TEST(std::string(out[0]["event_id"].GetString()) == "marriage:HY2026110300007:accept:1:v1");
  BOOST_TEST(std::string(out[0]["occurred_at"].GetString()) == "2026-11-03T09:15:42+08:00");
}

BOOST_AUTO_TEST_CASE(rejected_message_exits_1_with_rejections) {
  TempDir dir;
  const auto file = dir.write("rejected.json", marriageMessage("ARCHIVED", "2026-13-03 10:02:00"));
  const auto o = runHuitong(mapArgs("marriage", file.string()));
  BOOST_TEST_INFO(describe(o) << " stdout: " << o.out);
  BOOST_TEST(o.exitCode == 1);
  const auto out = parseJson(o.out);
  BOOST_TEST_REQUIRE(out.IsArray());
  BOOST_TEST_REQUIRE(out.Size() >= 2u);
  bool stage = false, occurredAt = false;
  for (const auto& r : out.GetArray()) {
    BOOST_TEST_REQUIRE(r.IsObject());
    for (const char* key : {"field", "code", "message", "source_path"}) {
      BOOST_TEST_INFO("member " << key);
      BOOST_TEST((r.HasMember(key) && r[key].IsString()));
    }
    const std::string field = r["field"].GetString();
    if (field == "stage") {
      stage = true;
      BOOST_TEST(std::string(r["code"].GetString()) == "enum");
      BOOST_TEST(std::string(r["source_path"].GetString()) == "$['status']");
    }
    if (field == "occurred_at") {
      occurredAt = true;
      BOOST_TEST(std::string(r["code"].GetString()) == "pattern");
      BOOST_TEST(std::string(r["source_path"].GetString()) == "$['statusTime']");
    }
  }
  BOOST_TEST(stage);
  BOOST_TEST(occurredAt);
}

BOOST_AUTO_TEST_CASE(all_prints_events_and_rejected) {
  const auto o = runHuitong(mapArgs("marriage", "-", {"--all"}),
                            marriageMessage("ARCHIVED", "2026-11-03 10:02:00"));
  BOOST_TEST(o.exitCode == 1);
  const auto out = parseJson(o.out);
  BOOST_TEST_REQUIRE(out.IsObject());
  BOOST_TEST(out["events"].IsArray());
  BOOST_TEST(out["events"].Empty());
  BOOST_TEST(!out["rejected"].Empty());
}

BOOST_AUTO_TEST_CASE(trace_has_every_field_with_source_found_paths_and_steps) {
  const auto o = runHuitong(mapArgs("marriage", "-", {"--trace"}),
                            marriageMessage("ACCEPTED", "2026-11-03 09:15:42"));
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 0);
  const auto out = parseJson(o.out);
  BOOST_TEST_REQUIRE(out.IsObject());
  BOOST_TEST(out["events"].Size() == 1u);
  BOOST_TEST(out["rejected"].Empty());
  BOOST_TEST_REQUIRE(out["trace"].IsArray());
  BOOST_TEST_REQUIRE(out["trace"].Size() == 1u);
  const auto& record = out["trace"][0];
  BOOST_TEST(record["valid"].GetBool());
  BOOST_TEST_REQUIRE(record["fields"].IsArray());
  bool caseNo = false, occurredAt = false;
  for (const auto& f : record["fields"].GetArray()) {
    for (const char* key : {"field", "source", "source_paths", "found", "steps", "value"}) {
      BOOST_TEST_INFO("member " << key << " of " << json::write(f));
      BOOST_TEST(f.HasMember(key));
    }
    const std::string field = f["field"].GetString();
    if (field == "case_no") {
      caseNo = true;
      BOOST_TEST(std::string(f["source"].GetString()).find("$.bizNo") != std::string::npos);
      BOOST_TEST(json::write(f["source_paths"]) == R"(["$['bizNo']"])");
      BOOST_TEST(json::write(f["found"]) == R"("HY2026110300007")");
    }
    if (field == "occurred_at") {
      occurredAt = true;
      BOOST_TEST(json::write(f["found"]) == R"("2026-11-03 09:15:42")");
      BOOST_TEST_REQUIRE(f["steps"].IsArray());
      BOOST_TEST_REQUIRE(f["steps"].Size() >= 1u);
      BOOST_TEST(std::string(f["steps"][0]["transform"].GetString()) == "datetime");
      BOOST_TEST(json::write(f["steps"][0]["output"]) == R"("2026-11-03T09:15:42+08:00")");
    }
  }
  BOOST_TEST(caseNo);
  BOOST_TEST(occurredAt);
}

BOOST_AUTO_TEST_CASE(malformed_message_exits_2_with_file_and_position) {
  TempDir dir;
  const auto file = dir.write("malformed.json", "{\"bizNo\": \"HY1\",\n \"status\": }\n");
  const auto o = runHuitong(mapArgs("marriage", file.string()));
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.out.empty());
  BOOST_TEST(o.err.find(file.string()) != std::string::npos);
  BOOST_TEST(o.err.find("line 2, column 12") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_xml_exits_2_with_file_and_position) {
  TempDir dir;
  const auto file = dir.write("malformed.xml", "<a>\n<b></c>\n</a>\n");
  const auto o = runHuitong(mapArgs("elderly-subsidy", file.string()));
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.exitCode == 2);
  BOOST_TEST(o.err.find(file.string()) != std::string::npos);
  BOOST_TEST(o.err.find("line 2") != std::string::npos);
}

// A document in which the records selector finds nothing is not a department message: it
// must not be answered "ok, nothing to do" (see ../fuzz-findings.txt, 2026-11-28).
BOOST_AUTO_TEST_CASE(message_without_records_is_refused) {
  const auto o = runHuitong(mapArgs("elderly-subsidy", "-"), "<root/>");
  BOOST_TEST_INFO(describe(o) << " stdout: " << o.out);
  BOOST_TEST(o.signal == 0);
  BOOST_TEST((o.exitCode == 1 || o.exitCode == 2));
}

BOOST_AUTO_TEST_CASE(unknown_system_missing_input_and_bad_options_exit_2) {
  const auto unknown = runHuitong(mapArgs("no-such-system", "-"), "{}");
  BOOST_TEST(unknown.exitCode == 2);
  BOOST_TEST(unknown.err.find("no-such-system") != std::string::npos);
  const auto missing = runHuitong(mapArgs("marriage", "/nonexistent/message.json"));
  BOOST_TEST(missing.exitCode == 2);
  BOOST_TEST(missing.err.find("/nonexistent/message.json") != std::string::npos);
  BOOST_TEST(runHuitong({"map", "--system", "marriage"}).exitCode == 2);
  BOOST_TEST(runHuitong({"map", "--input", "-"}).exitCode == 2);
  BOOST_TEST(runHuitong({"map", "--system", "marriage", "--input", "-", "--now", "yesterday"}, "{}")
                 .exitCode == 2);
  BOOST_TEST(runHuitong({"map", "--system", "marriage", "--input", "-", "extra"}, "{}").exitCode ==
             2);
}

// The funeral department's exchange table, loaded from an SQL script and read with --query.
BOOST_AUTO_TEST_CASE(funeral_rows_from_an_sql_script_with_a_query) {
  TempDir dir;
  const auto script = dir.write("rows.sql", R"(
CREATE TABLE EX_CASE_STAGE (ID INTEGER PRIMARY KEY, SBLSH VARCHAR(64), SXBM VARCHAR(64),
  SXMC VARCHAR(200), STAGE_CODE VARCHAR(4), STAGE_TIME TEXT, SQRMC VARCHAR(100),
  SQRZJLX VARCHAR(2), SQRZJHM VARCHAR(64), JG_CODE VARCHAR(2), YJ TEXT, SFJE_YUAN REAL,
  CLQD TEXT, BZJZRQ TEXT, ZZMC VARCHAR(100), ZZBH VARCHAR(64), ZZYXQ TEXT,
  VERSION INTEGER DEFAULT 1 NOT NULL, REC_FLAG INTEGER DEFAULT 0 NOT NULL);
INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, SQRZJHM, CLQD, REC_FLAG)
VALUES (1000, 'BZ2026111000003', '1244200045586402424442204001000', '骨灰寄存服务', 'SB', '2026-11-10 09:20:00', '周少伟', '1', '442000197104040134', '死亡证明|火化证明', 1);
INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, SQRZJHM, CLQD)
VALUES (1001, 'BZ2026111700015', '1244200045586402424442204001000', '骨灰寄存服务', 'SB', '2026-11-17 10:05:31', '卢志强', '1', '442000196507220354', '死亡证明|火化证明|申请人居民身份证');
INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, SQRZJHM, JG_CODE, YJ)
VALUES (1002, 'BZ2026111700015', '1244200045586402424442204001000', '骨灰寄存服务', 'SL', '2026-11-17 10:32:08', '卢志强', '1', '442000196507220354', '1', '材料齐全，予以受理');
)");
  const auto o = runHuitong(
      mapArgs("funeral", script.string(),
              {"--query", "SELECT * FROM EX_CASE_STAGE WHERE REC_FLAG = 0 ORDER BY ID"}));
  BOOST_TEST_INFO(describe(o) << " stdout: " << o.out);
  BOOST_TEST(o.exitCode == 0);
  const auto out = parseJson(o.out);
  BOOST_TEST_REQUIRE(out.IsArray());
  BOOST_TEST_REQUIRE(out.Size() == 2u);
  BOOST_TEST(std::string(out[0]["event_id"].GetString()) == "funeral:BZ2026111700015:submit:1:v1");
  BOOST_TEST(std::string(out[1]["event_id"].GetString()) == "funeral:BZ2026111700015:accept:1:v1");

  // Without --query the first table is read whole, the taken row included.
  const auto all = runHuitong(mapArgs("funeral", script.string(), {"--all"}));
  BOOST_TEST_INFO(describe(all));
  BOOST_TEST(all.exitCode == 0);
  BOOST_TEST(parseJson(all.out)["events"].Size() == 3u);

  const auto badQuery =
      runHuitong(mapArgs("funeral", script.string(), {"--query", "SELECT * FROM NOPE"}));
  BOOST_TEST(badQuery.exitCode == 2);
  BOOST_TEST(badQuery.err.find("NOPE") != std::string::npos);
  const auto badScript =
      runHuitong(mapArgs("funeral", dir.write("bad.sql", "CREATE TABLE (;").string()));
  BOOST_TEST(badScript.exitCode == 2);
  BOOST_TEST(badScript.err.find("bad.sql") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(funeral_samples_from_shared, *boost::unit_test::precondition(haveShared)) {
  const auto dir = sharedDir() / "departments" / "funeral";
  TempDir tmp;
  const auto script =
      tmp.write("all.sql", readFile(dir / "schema.sql") + readFile(dir / "rows.sql"));
  const auto o = runHuitong(
      mapArgs("funeral", script.string(),
              {"--all", "--query", "SELECT * FROM EX_CASE_STAGE WHERE REC_FLAG = 0 ORDER BY ID"}));
  BOOST_TEST_INFO(describe(o));
  BOOST_TEST(o.signal == 0);
  BOOST_TEST((o.exitCode == 0 || o.exitCode == 1));
  const auto out = parseJson(o.out);
  BOOST_TEST(!out["events"].Empty());
  BOOST_TEST(!out["rejected"].Empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace huitong::cli::test
