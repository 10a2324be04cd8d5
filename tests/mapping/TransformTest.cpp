#include <boost/test/unit_test.hpp>

#include "tests/mapping/MappingTestSupport.h"

using namespace testing;

namespace {

// Runs `rule` for target `target` on a message that also holds `extra` members; returns the
// target's JSON text, "absent", or "error:<code>".
std::string apply(const std::string& target, const std::string& rule, const std::string& extra) {
  auto m = compileOk(mappingText("\"" + target + "\": " + rule));
  std::string msg = kMessage;
  msg.insert(msg.size() - 1, ", " + extra);
  auto out = m->run(msg, fixedClock());
  if (!out.ok())
    return "decode:" + out.error().code;
  const auto& o = out.value();
  if (!o.rejected.empty()) {
    for (const auto& r : o.rejected[0].rejections) {
      if (r.field.rfind(target, 0) == 0)
        return "error:" + r.code;
    }
    return "error:other:" + o.rejected[0].rejections[0].field + "/" +
           o.rejected[0].rejections[0].code;
  }
  const rapidjson::Value* v = &o.events.at(0).event;
  std::size_t start = 0;
  while (start <= target.size()) {
    const std::size_t dot = std::min(target.find('.', start), target.size());
    const std::string part = target.substr(start, dot - start);
    if (!v->IsObject() || !v->HasMember(part.c_str()))
      return "absent";
    v = &(*v)[part.c_str()];
    start = dot + 1;
  }
  return huitong::json::write(*v);
}

std::string reason(const std::string& rule, const std::string& extra = "\"x\": 1") {
  return apply("detail.reason", rule, extra);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transforms)

BOOST_AUTO_TEST_CASE(datetime_patterns_zones_and_validity) {
  auto at = [](const std::string& rule, const std::string& value) {
    std::string text = mappingText();
    text.replace(text.find(R"({"from": "$.at", "datetime": "yyyy-MM-dd HH:mm:ss"})"),
                 std::string(R"({"from": "$.at", "datetime": "yyyy-MM-dd HH:mm:ss"})").size(),
                 rule);
    auto m = compileOk(text);
    std::string msg = kMessage;
    msg.replace(msg.find("2026-11-20 21:47:09"), 19, value);
    auto out = m->run(msg, fixedClock());
    if (!out.value().events.empty())
      return std::string(out.value().events[0].event["occurred_at"].GetString());
    return "error:" + out.value().rejected[0].rejections[0].code;
  };
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "yyyyMMddHHmmss"})", "20261116102136") ==
             "2026-11-16T10:21:36+08:00");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "yyyy/M/d H:mm"})", "2026/11/2 9:05") ==
             "2026-11-02T09:05:00+08:00");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "yyyy/M/d H:mm"})", "2026.11.27 9:05") ==
             "error:pattern");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "yyyy-MM-dd HH:mm:ss"})", "2026-02-29 10:00:00") ==
             "error:pattern");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "yyyy-MM-dd HH:mm:ss.SSS"})",
                "2026-11-20 10:00:00.480") == "2026-11-20T10:00:00.480+08:00");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "yyyy-MM-dd HH:mm:ss.SSS"})",
                "2026-11-20 10:00:00.000") == "2026-11-20T10:00:00+08:00");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "yyyy-MM-dd'T'HH:mm:ssXXX"})",
                "2026-11-20T02:00:00Z") == "2026-11-20T10:00:00+08:00");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": {"pattern": "yyyy-MM-dd HH:mm", "zone": "UTC"}})",
                "2026-11-20 23:30") == "2026-11-21T07:30:00+08:00");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "rfc3339"})", "2026-11-20T10:00:00.5+08:00") ==
             "2026-11-20T10:00:00.500+08:00");
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "epoch_ms"})", "1795838400000") ==
             "2026-11-28T12:00:00+08:00");
  // Later than the clock (12:00) by more than five minutes.
  BOOST_TEST(at(R"({"from": "$.at", "datetime": "yyyy-MM-dd HH:mm:ss"})", "2026-11-28 12:06:00") ==
             "error:future_time");
}

BOOST_AUTO_TEST_CASE(numbers_scale_and_round_exactly) {
  auto amount = [](const std::string& rule, const std::string& value) {
    std::string text = mappingText(R"("detail.fee.amount": )" + rule);
    text.replace(
        text.find(R"("stage": {"const": "accept"})"),
        std::string(R"("stage": {"const": "accept"})").size(),
        R"("stage": {"const": "complete"}, "detail.result": {"const": "done"}, "detail.description": {"const": "d"}, "detail.fee.currency": {"const": "CNY"})");
    text.replace(text.find(R"("detail.decision": {"const": "accepted"})"),
                 std::string(R"("detail.decision": {"const": "accepted"})").size(),
                 R"("detail.result": {"const": "done"})");
    // detail.result appears twice now; keep the first.
    text.replace(text.rfind(R"("detail.result": {"const": "done"})"),
                 std::string(R"("detail.result": {"const": "done"})").size(),
                 R"("handler.name": {"const": "x"})");
    auto m = compileOk(text);
    std::string msg = kMessage;
    msg.insert(msg.size() - 1, ", \"v\": " + value);
    auto out = m->run(msg, fixedClock());
    if (!out.value().events.empty())
      return huitong::json::write(out.value().events[0].event["detail"]["fee"]["amount"]);
    return "error:" + out.value().rejected[0].rejections[0].field + "/" +
           out.value().rejected[0].rejections[0].code;
  };
  BOOST_TEST(amount(R"({"from": "$.v", "scale": -2, "places": 2})", "1250") == "\"12.50\"");
  BOOST_TEST(amount(R"({"from": "$.v", "scale": -2, "places": 2})", "\"0\"") == "\"0.00\"");
  BOOST_TEST(amount(R"({"from": "$.v", "places": 2})", "187.60000610351562") == "\"187.60\"");
  BOOST_TEST(amount(R"({"from": "$.v", "places": 2})", "\"2.345\"") == "\"2.35\"");
  BOOST_TEST(amount(R"({"from": "$.v", "places": 2})", "\"9.995\"") == "\"10.00\"");
  BOOST_TEST(amount(R"({"from": "$.v", "places": 2})", "\"12元\"") ==
             "error:detail.fee.amount/pattern");
  BOOST_TEST(amount(R"({"from": "$.v", "places": 2})", "\"-1\"") ==
             "error:detail.fee.amount/pattern");
}

BOOST_AUTO_TEST_CASE(strings_split_regex_template_default_code) {
  BOOST_TEST(reason(R"({"from": "$.r", "trim": true})", R"("r": "　 意见 ")") == "\"意见\"");
  BOOST_TEST(reason(R"({"from": "$.r", "regex": "^([0-9]+)号"})", R"("r": "123号")") == "\"123\"");
  BOOST_TEST(reason(R"({"from": "$.r", "regex": "^([0-9]+)号"})", R"("r": "号")") ==
             "error:pattern");
  BOOST_TEST(reason(R"({"from": "$.r", "keep_if": "^1[3-9][0-9]{9}$"})",
                    R"("r": "0760-88231234")") == "absent");
  BOOST_TEST(reason(R"({"template": "{$.a}-{$.b}"})", R"("a": "X", "b": 7)") == "\"X-7\"");
  BOOST_TEST(reason(R"({"from": "$.a", "template": "编号{}"})", R"("a": "X")") == "\"编号X\"");
  BOOST_TEST(reason(R"({"concat": ["$.a", "$.missing", "$.b"], "sep": "/"})",
                    R"("a": "X", "b": "Y")") == "\"X/Y\"");
  BOOST_TEST(reason(R"({"from": "$.missing", "default": "无"})") == "\"无\"");
  BOOST_TEST(reason(R"({"from": "$.r", "code": {"1": "一", "*": "其他"}})", R"("r": 9)") ==
             "\"其他\"");
  BOOST_TEST(reason(R"({"from": "$.r", "code": {"1": "一"}})", R"("r": 9)") == "error:enum");
  BOOST_TEST(reason(R"({"from": "$.r", "upper": true})", R"("r": "abc")") == "\"ABC\"");
  BOOST_TEST(reason(R"({"from": "$.r", "split": "；", "join": "、"})", R"("r": "甲；乙；")") ==
             "\"甲、乙\"");
  BOOST_TEST(reason(R"("$.r")", R"("r": "")") == "absent");
  BOOST_TEST(reason(R"("$.r")", R"("r": null)") == "absent");
  BOOST_TEST(reason(R"("$.r[*]")", R"("r": ["a", "b"])") == "error:type");
}

BOOST_AUTO_TEST_CASE(fixed_defects_stay_fixed) {
  // An object found for a text field is a type error, not a silently missing field.
  BOOST_TEST(reason(R"("$.a")", R"("a": {"x": 1})") == "error:type");
  // join works on a JSON array from the message.
  BOOST_TEST(reason(R"({"from": "$.a", "join": "、"})", R"("a": ["甲", "乙"])") == "\"甲、乙\"");
  // regex: escaped parentheses and non-capturing groups are not capture groups.
  BOOST_TEST(reason(R"X({"from": "$.a", "regex": "\\([0-9]+\\)"})X", R"X("a": "编号(123)")X") ==
             "\"(123)\"");
  BOOST_TEST(reason(R"({"from": "$.a", "regex": "(?:HY|BZ)[0-9]+"})", R"("a": "x HY0032")") ==
             "\"HY0032\"");
  BOOST_TEST(reason(R"X({"from": "$.a", "regex": "HY([0-9]+)"})X", R"X("a": "x HY0032")X") ==
             "\"0032\"");
  // A default object owns its storage (it used to point into the freed mapping text).
  BOOST_TEST(reason(R"({"from": "$.missing", "default": "无"})") == "\"无\"");
}

BOOST_AUTO_TEST_CASE(date_fields_from_instants_take_the_output_zone_date) {
  auto date = [](const std::string& rule, const std::string& value) {
    std::string t = mappingText();
    t.replace(
        t.find(R"("stage": {"const": "accept"})"),
        std::string(R"("stage": {"const": "accept"})").size(),
        R"("stage": {"const": "supplement_notice"}, "detail.materials": {"const": ["a"]}, "detail.reason": {"const": "r"}, "detail.deadline": )" +
            rule);
    t.replace(t.find(R"("detail.decision": {"const": "accepted"})"),
              std::string(R"("detail.decision": {"const": "accepted"})").size(),
              R"("handler.name": {"const": "x"})");
    auto m = compileOk(t);
    std::string msg = kMessage;
    msg.insert(msg.size() - 1, ", \"d\": \"" + value + "\"");
    auto out = m->run(msg, fixedClock());
    if (out.value().events.empty())
      return "error:" + out.value().rejected[0].rejections[0].code;
    return std::string(out.value().events[0].event["detail"]["deadline"].GetString());
  };
  BOOST_TEST(date(R"({"from": "$.d", "datetime": "yyyyMMdd"})", "20261204") == "2026-12-04");
  BOOST_TEST(date(R"({"from": "$.d", "datetime": "rfc3339"})", "2026-11-03T23:15:42Z") ==
             "2026-11-04");
  BOOST_TEST(date(R"({"from": "$.d", "datetime": "yyyy-MM-dd'T'HH:mm:ssXXX"})",
                  "2026-11-03T23:15:42Z") == "2026-11-04");
  BOOST_TEST(date(R"({"from": "$.d", "datetime": "yyyyMMdd"})", "20261304") == "error:pattern");
}

BOOST_AUTO_TEST_CASE(types_follow_the_target) {
  BOOST_TEST(apply("source.record_id", R"("$.v")", R"("v": 1001)") == "\"1001\"");
}

BOOST_AUTO_TEST_SUITE_END()
