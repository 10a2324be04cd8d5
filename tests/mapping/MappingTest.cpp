#include <boost/test/unit_test.hpp>

#include "tests/mapping/MappingTestSupport.h"

using namespace testing;
using huitong::mapping::Mapping;

namespace {

huitong::mapping::MappingOutput runOk(const Mapping& m, const std::string& msg,
                                      huitong::mapping::RunOptions options = {}) {
  auto out = m.run(msg, fixedClock(), options);
  if (!out.ok())
    throw std::runtime_error(out.error().describe());
  return std::move(out).value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compile_errors)

BOOST_AUTO_TEST_CASE(name_file_line_and_column) {
  const std::string text =
      mappingText(R"("applicant.mobile": {"from": "$.m", "frobnicate": true})");
  const std::string e = compileError(text);
  BOOST_TEST(e.find("test.json:21:") == 0, e);
  BOOST_TEST(e.find("unknown key 'frobnicate'") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(refuse_a_bad_selector_with_its_position) {
  const std::string e = compileError(mappingText(R"("applicant.mobile": "$.a[")"));
  BOOST_TEST(e.find("test.json:21:") == 0, e);
  BOOST_TEST(e.find("invalid selector '$.a['") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(refuse_an_unknown_target_or_code_table) {
  BOOST_TEST(compileError(mappingText(R"("applicant.phone": "$.p")"))
                 .find("unknown target field 'applicant.phone'") != std::string::npos);
  BOOST_TEST(compileError(mappingText(R"("applicant.mobile": {"from": "$.p", "code": "nope"})"))
                 .find("unknown code table 'nope'") != std::string::npos);
  BOOST_TEST(compileError(mappingText(R"("detail": "$.p")")).find("is an object") !=
             std::string::npos);
  BOOST_TEST(compileError(mappingText(R"("event_id": "$.p")")).find("set by the gateway") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuse_a_missing_required_target) {
  std::string text = mappingText();
  const auto at = text.find(R"("applicant.name": "$.name",)");
  text.erase(at, std::string(R"("applicant.name": "$.name",)").size());
  const std::string e = compileError(text);
  BOOST_TEST(e.find("required target field 'applicant.name'") != std::string::npos, e);
  BOOST_TEST(e.find("test.json:") == 0, e);
}

BOOST_AUTO_TEST_CASE(refuse_bad_json_unknown_keys_and_transform_options) {
  BOOST_TEST(compileError("{\n  \"system\": \"x\",\n  oops\n}").find("test.json:3:3") == 0);
  BOOST_TEST(compileError(mappingText("", R"("colour": "red",)")).find("unknown key 'colour'") !=
             std::string::npos);
  BOOST_TEST(
      compileError(mappingText(R"("applicant.mobile": {"from": "$.p", "datetime": "yyyy-QQ"})"))
          .find("not a pattern letter") != std::string::npos);
  BOOST_TEST(compileError(mappingText(R"("applicant.mobile": {"from": "$.p", "regex": "("})"))
                 .find("regex") != std::string::npos);
  BOOST_TEST(compileError(mappingText(R"("applicant.mobile": {"const": "1", "from": "$.p"})"))
                 .find("exactly one source") != std::string::npos);
  BOOST_TEST(compileError(mappingText("", R"("stages": {"approve": {"detail.reason": "$.r"}},)"))
                 .find("not a field of stage approve") != std::string::npos);
  std::string yaml = mappingText();
  yaml.replace(yaml.find(R"({"format": "json"})"), 18, R"({"format": "yaml"})");
  BOOST_TEST(compileError(yaml).find("unknown input format") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuse_duplicate_keys_and_count_lines_past_comments) {
  std::string dup = mappingText(R"("seq": {"const": 2})");
  const std::string e = compileError(dup);
  BOOST_TEST(e.find("test.json:21:") == 0, e);
  BOOST_TEST(e.find("appears twice") != std::string::npos, e);
  std::string commented =
      mappingText("// the mobile\n    \"applicant.mobile\": {\"from\": \"$.m\", \"oops\": 1}");
  const std::string e2 = compileError(commented);
  BOOST_TEST(e2.find("test.json:22:") == 0, e2);
  std::string v0 = mappingText();
  v0.replace(v0.find(R"("version": "1")"), 14, R"("version": 0)");
  BOOST_TEST(compileError(v0).find("version") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(running)

BOOST_AUTO_TEST_CASE(maps_a_message_to_one_event_in_spec_order) {
  auto m = compileOk(mappingText());
  huitong::mapping::RunOptions options;
  options.receivedAt = "2026-11-28T12:00:00+08:00";
  auto out = runOk(*m, kMessage, options);
  BOOST_REQUIRE_EQUAL(out.events.size(), 1u);
  const auto& e = out.events[0].event;
  BOOST_TEST(e["event_id"].GetString() == std::string("demo:HY2026112000058:accept:1:v1"));
  BOOST_TEST(e["occurred_at"].GetString() == std::string("2026-11-20T21:47:09+08:00"));
  BOOST_TEST(e["source"]["system"].GetString() == std::string("demo"));
  BOOST_TEST(e["source"]["received_at"].GetString() == std::string("2026-11-28T12:00:00+08:00"));
  BOOST_TEST(e.MemberBegin()->name.GetString() == std::string("spec"));
  BOOST_TEST((e.MemberEnd() - 1)->name.GetString() == std::string("source"));
}

BOOST_AUTO_TEST_CASE(reports_every_broken_rule_with_source_paths) {
  auto m = compileOk(mappingText());
  auto out =
      runOk(*m, R"({"no": "HY 1", "at": "2026-02-30 10:00:00", "id": "442000199304120315"})");
  BOOST_REQUIRE(out.events.empty());
  BOOST_REQUIRE_EQUAL(out.rejected.size(), 1u);
  std::map<std::string, std::pair<std::string, std::string>> got;
  for (const auto& r : out.rejected[0].rejections)
    got[r.field] = {r.code, r.sourcePath};
  BOOST_TEST(got["case_no"].first == "pattern");
  BOOST_TEST(got["case_no"].second == "$['no']");
  BOOST_TEST(got["occurred_at"].first == "pattern");
  BOOST_TEST(got["occurred_at"].second == "$['at']");
  BOOST_TEST(got["applicant.name"].first == "required");
  BOOST_TEST(got["applicant.name"].second == "$.name");
  BOOST_TEST(got["applicant.id_no"].first == "resident_id_checksum");
  BOOST_TEST(got.count("event_id") == 0u);  // follows from case_no: reported once
}

BOOST_AUTO_TEST_CASE(fans_out_and_orders_events_by_time_judging_each) {
  auto m = compileOk(mappingText("", R"("records": "$.rows[*]",)"));
  auto out = runOk(*m, R"({"rows": [
      {"no": "A1", "at": "2026-11-20 12:00:00", "name": "甲", "id": "442000199304120314"},
      {"no": "A2", "at": "2026-11-20 09:00:00", "name": "乙", "id": "442000199304120314"},
      {"no": "A3", "at": "2026-11-20 10:00:00", "id": "442000199304120314"},
      {"no": "A4", "at": "2026-11-20 09:00:00", "name": "丁", "id": "442000199304120314"}]})");
  BOOST_REQUIRE_EQUAL(out.events.size(), 3u);
  BOOST_TEST(out.events[0].event["case_no"].GetString() == std::string("A2"));
  BOOST_TEST(out.events[1].event["case_no"].GetString() ==
             std::string("A4"));  // tie keeps source order
  BOOST_TEST(out.events[2].event["case_no"].GetString() == std::string("A1"));
  BOOST_REQUIRE_EQUAL(out.rejected.size(), 1u);
  BOOST_TEST(out.rejected[0].recordPath == "$['rows'][2]");
  BOOST_TEST(out.rejected[0].rejections[0].sourcePath == "$['rows'][2].name");
}

BOOST_AUTO_TEST_CASE(stage_sections_multi_targets_only_with_and_when) {
  const std::string more = R"(
  "tables": {"st": {"A": {"stage": "approve", "seq": 2, "detail.step": "review"}, "S": {"stage": "submit", "seq": 1}}},
  "stages": {
    "submit": {"channel": {"const": "window"}},
    "approve": {"detail.decision": {"from": "$.r", "code": {"Y": "pass", "N": "return"}},
                "detail.opinion": {"from": "$.o", "when": "@.r == 'N'"}}
  },)";
  std::string text = mappingText("", more);
  text.replace(text.find(R"("stage": {"const": "accept"},)"),
               std::string(R"("stage": {"const": "accept"},)").size(),
               R"("stage, seq, detail.step": {"from": "$.s", "code": "st"},)");
  text.erase(text.find(R"("seq": {"const": 1},)"), std::string(R"("seq": {"const": 1},)").size());
  text.replace(
      text.find(R"("detail.decision": {"const": "accepted"})"),
      std::string(R"("detail.decision": {"const": "accepted"})").size(),
      R"("promise.limit": "$.days", "promise.unit": {"const": "working_day", "only_with": "promise.limit"})");
  auto m = compileOk(text);
  auto out = runOk(
      *m,
      R"({"no": "A1", "s": "A", "r": "N", "o": "补充材料", "at": "2026-11-20 12:00:00", "name": "甲", "id": "442000199304120314"})");
  BOOST_REQUIRE_EQUAL(out.events.size(), 1u);
  const auto& e = out.events[0].event;
  BOOST_TEST(e["event_id"].GetString() == std::string("demo:A1:approve:2:v1"));
  BOOST_TEST(e["detail"]["step"].GetString() == std::string("review"));
  BOOST_TEST(e["detail"]["decision"].GetString() == std::string("return"));
  BOOST_TEST(e["detail"]["opinion"].GetString() == std::string("补充材料"));
  BOOST_TEST(!e.HasMember("promise"));
  BOOST_TEST(!e.HasMember("channel"));
  auto out2 = runOk(
      *m,
      R"({"no": "A1", "s": "A", "r": "Y", "o": "好", "days": "20", "at": "2026-11-20 12:00:00", "name": "甲", "id": "442000199304120314"})");
  BOOST_REQUIRE_EQUAL(out2.events.size(), 1u);
  BOOST_TEST(!out2.events[0].event["detail"].HasMember("opinion"));
  BOOST_TEST(out2.events[0].event["promise"]["limit"].GetInt() == 20);
  BOOST_TEST(out2.events[0].event["promise"]["unit"].GetString() == std::string("working_day"));
}

BOOST_AUTO_TEST_CASE(a_missing_stage_field_points_at_its_selector) {
  // decision "not_accepted" requires a reason; the message has none.
  std::string text = mappingText("", R"("stages": {"accept": {"detail.reason": "$.why"}},)");
  text.replace(text.find(R"({"const": "accepted"})"), 21, R"({"const": "not_accepted"})");
  auto out = runOk(*compileOk(text), kMessage);
  BOOST_REQUIRE_EQUAL(out.rejected.size(), 1u);
  const auto& r = out.rejected[0].rejections.at(0);
  BOOST_TEST(r.field == "detail.reason");
  BOOST_TEST(r.code == "detail_required");
  BOOST_TEST(r.sourcePath == "$.why");
}

BOOST_AUTO_TEST_CASE(trace_shows_selector_value_path_and_each_step) {
  auto m = compileOk(mappingText());
  huitong::mapping::RunOptions options;
  options.trace = true;
  auto out = runOk(*m, kMessage, options);
  BOOST_REQUIRE_EQUAL(out.events.size(), 1u);
  bool seen = false;
  for (const auto& t : out.events[0].trace) {
    if (t.field != "occurred_at")
      continue;
    seen = true;
    BOOST_TEST(t.source == "from $.at");
    BOOST_REQUIRE_EQUAL(t.sourcePaths.size(), 1u);
    BOOST_TEST(t.sourcePaths[0] == "$['at']");
    BOOST_TEST(t.found == "\"2026-11-20 21:47:09\"");
    BOOST_REQUIRE_EQUAL(t.steps.size(), 1u);
    BOOST_TEST(t.steps[0].transform == "datetime");
    BOOST_TEST(t.value == "\"2026-11-20T21:47:09+08:00\"");
  }
  BOOST_TEST(seen);
  // A value dropped by only_with shows as dropped in the trace.
  auto m2 =
      compileOk(mappingText(R"("handler.staff_no": {"const": "S1", "only_with": "handler.name"})"));
  auto out2 = runOk(*m2, kMessage, options);
  bool dropped = false;
  for (const auto& t : out2.events.at(0).trace) {
    if (t.field == "handler.staff_no")
      dropped = t.value == "null" && t.note.find("only_with") != std::string::npos;
  }
  BOOST_TEST(dropped);
}

BOOST_AUTO_TEST_CASE(undecodable_messages_are_errors_not_crashes) {
  auto m = compileOk(mappingText());
  BOOST_TEST(!m->run("{\"no\": ", fixedClock()).ok());
  BOOST_TEST(!m->run("\xff\xfe", fixedClock()).ok());
  // A message that is valid JSON but of another shape yields a rejected event, not a crash.
  auto out = m->run("[1, 2, 3]", fixedClock());
  BOOST_REQUIRE(out.ok());
  BOOST_TEST(out.value().events.empty());
}

BOOST_AUTO_TEST_CASE(embedded_tests_of_the_shipped_mappings_pass) {
  auto all = huitong::mapping::loadAll("mappings");
  BOOST_REQUIRE_MESSAGE(all.ok(), (all.ok() ? std::string() : all.error().describe()));
  BOOST_TEST(all.value().size() >= 4u);
  for (const auto& m : all.value()) {
    for (const auto& r : m->runEmbeddedTests(fixedClock())) {
      std::string why;
      for (const auto& f : r.failures)
        why += "\n  " + f;
      BOOST_CHECK_MESSAGE(r.passed, m->system() + ": " + r.name + why);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(declared_charset)

// The charset a transport declares (a file adapter's encoding, an HTTP charset parameter) wins
// over the mapping's input.charset.
BOOST_AUTO_TEST_CASE(the_transport_charset_overrides_the_mappings) {
  auto m = huitong::mapping::Mapping::load(std::string(HUITONG_SOURCE_DIR) +
                                           "/mappings/social-assistance/mapping.json");
  BOOST_REQUIRE(m.ok());
  const std::string utf8 =
      "办件号,事项编码,事项名称,申请人姓名,证件号码,环节,环节时间,结果,意见,承诺天数,版本,"
      "材料清单,补正期限,证照编号\r\n"
      "ZSDB-2026-0001,12442000MB2C09173L4442093001000,最低生活保障对象认定,陈志明,"
      "44200019900101002X,申请,2026/11/2 14:30,,,,1,低保申请书,,\r\n合计,1\r\n";
  huitong::EpochMillis now = 0;
  BOOST_REQUIRE(huitong::parseRfc3339("2026-11-28T10:00:00+08:00", now));
  huitong::FixedClock clock(now);  // after the stage: not an event from the future
  // As GB18030 (the mapping's charset) the UTF-8 bytes do not read as the right header.
  auto plain = m.value()->run(utf8, clock);
  BOOST_TEST((!plain.ok() || plain.value().events.empty()));
  huitong::mapping::RunOptions asUtf8;
  asUtf8.charset = "UTF-8";
  auto out = m.value()->run(utf8, clock, asUtf8);
  BOOST_REQUIRE(out.ok());
  BOOST_TEST(out.value().events.size() == 1u);
  BOOST_TEST(out.value().rejected.empty());
  huitong::mapping::RunOptions unknown;
  unknown.charset = "KLINGON-8";
  auto bad = m.value()->run(utf8, clock, unknown);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().code == "charset.unknown");
}

BOOST_AUTO_TEST_SUITE_END()
