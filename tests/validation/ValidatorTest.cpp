// The Validator: every department's expected events pass; hand-made broken events report
// exactly the expected {field, code} set; time-dependent and code-point rules.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/pointer.h>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/validation/Validator.h"

namespace hv = huitong::validation;
namespace fs = std::filesystem;

namespace {

// 2026-11-28T00:00:00+08:00
constexpr huitong::EpochMillis kNow = 1795795200000;
const char* kReceivedAt = "2026-11-28T10:00:00+08:00";

using Found = std::set<std::pair<std::string, std::string>>;  // {field, code}

rapidjson::Document parse(const std::string& text) {
  auto r = huitong::json::parse(text);
  if (!r.ok()) {
    BOOST_FAIL("bad test JSON: " << r.error().describe() << ": " << text);
  }
  return std::move(r).value();
}

Found validate(const rapidjson::Value& event, huitong::EpochMillis now = kNow) {
  huitong::FixedClock clock(now);
  hv::Validator validator(clock);
  std::vector<hv::Violation> out;
  const bool ok = validator.validate(event, out);
  BOOST_TEST(ok == out.empty());
  Found found;
  for (const hv::Violation& v : out) {
    BOOST_TEST(!v.message.empty());
    BOOST_TEST(found.insert({v.field, v.code}).second,
               "reported twice: " << v.field << " " << v.code);
  }
  return found;
}

std::string describe(const Found& f) {
  std::string s = "{";
  for (const auto& [field, code] : f) {
    s += " " + field + ":" + code;
  }
  return s + " }";
}

// "detail.materials[0]" -> "/detail/materials/0"
std::string pointerOf(const std::string& dotted) {
  std::string p = "/";
  for (char c : dotted) {
    if (c == '.' || c == '[') {
      p += '/';
    } else if (c != ']') {
      p += c;
    }
  }
  return p;
}

// One edit of the base event: set `path` to the JSON `value`, or remove it (value nullopt).
struct Edit {
  std::string path;
  std::optional<std::string> value;
};

const char* kBase = R"({
  "spec": "case-event/1",
  "event_id": "marriage:HY2026112000058:accept:1:v1",
  "case_no": "HY2026112000058",
  "stage": "accept",
  "seq": 1,
  "version": 1,
  "occurred_at": "2026-11-23T09:15:40+08:00",
  "item": {"code": "1244200045586317954442071001000", "name": "内地居民结婚登记"},
  "department": {"name": "中山市婚姻登记处", "uscc": "124420004558631795", "region_code": "442000"},
  "applicant": {"type": "person", "name": "梁志豪", "id_type": "111",
                "id_no": "442000199304120314", "mobile": "13925380461"},
  "handler": {"name": "冯婉仪", "staff_no": "HY0107"},
  "detail": {"decision": "accepted"},
  "source": {"system": "marriage", "received_at": "2026-11-28T10:00:00+08:00"}
})";

// The base event turned into a valid event of `stage` with `detail` (JSON, or "" for none).
rapidjson::Document eventOf(const std::string& stage, const std::string& detail,
                            const std::vector<Edit>& edits = {}) {
  rapidjson::Document doc = parse(kBase);
  auto& a = doc.GetAllocator();
  doc["stage"].SetString(stage.c_str(), static_cast<rapidjson::SizeType>(stage.size()), a);
  doc.RemoveMember("detail");
  if (!detail.empty()) {
    rapidjson::Document d = parse(detail);
    doc.AddMember("detail", rapidjson::Value(d, a), a);
  }
  if (stage == "submit") {
    doc.AddMember("channel", "wechat", a);
  }
  for (const Edit& e : edits) {
    const rapidjson::Pointer ptr(pointerOf(e.path).c_str());
    BOOST_TEST_REQUIRE(ptr.IsValid(), e.path);
    if (e.value) {
      rapidjson::Document v = parse(*e.value);
      ptr.Set(doc, rapidjson::Value(v, a), a);
    } else {
      BOOST_TEST_REQUIRE(ptr.Erase(doc), "nothing to remove at " << e.path);
    }
  }
  return doc;
}

struct Case {
  std::string name;
  std::string stage;
  std::string detail;
  std::vector<Edit> edits;
  Found expected;
};

const std::string kAccepted = R"({"decision": "accepted"})";
const std::string kNotice =
    R"({"materials": ["户口簿复印件"], "reason": "材料不全", "deadline": "2026-12-01"})";
const std::string kApprove = R"({"step": "review", "decision": "pass", "opinion": ""})";
const std::string kComplete = R"({"result": "certificate_issued", "description": "准予登记",
  "certificate": {"name": "结婚证", "number": "J442000-2026-004187", "issuer": "中山市民政局",
                  "valid_until": "2028-02-29"},
  "fee": {"amount": "0.00", "currency": "CNY"}})";
const std::string kSpecialRequest =
    R"({"kind": "hearing", "reason": "需听证", "start_date": "2026-11-24", "expected_days": 10})";

std::vector<Case> brokenCases() {
  const std::string s129(129, 'a');
  return {
      // Clean variants first: the table's edits must not break what they do not mean to.
      {"accept clean", "accept", kAccepted, {}, {}},
      {"submit without detail", "submit", "", {}, {}},
      {"submit with materials", "submit", R"({"materials": ["身份证"]})", {}, {}},
      {"preaccept passed needs no reason", "preaccept", R"({"decision": "passed"})", {}, {}},
      {"approve with empty opinion", "approve", kApprove, {}, {}},
      {"supplement_notice clean", "supplement_notice", kNotice, {}, {}},
      {"supplement_accept clean", "supplement_accept", R"({"materials": ["a"]})", {}, {}},
      {"special_request clean", "special_request", kSpecialRequest, {}, {}},
      {"special_result free text",
       "special_result",
       R"({"result": "听证通过", "end_date": "2026-11-25"})",
       {},
       {}},
      {"complete clean, leap day, zero fee", "complete", kComplete, {}, {}},
      {"complete returned needs no certificate",
       "complete",
       R"({"result": "returned", "description": "退回"})",
       {},
       {}},
      {"pickup without detail", "pickup", "", {}, {}},
      {"pickup with detail",
       "pickup",
       R"({"method": "mail", "picked_at": "2026-11-27T10:00:00.480+08:00"})",
       {},
       {}},
      {"legal person with a valid USCC",
       "accept",
       kAccepted,
       {{"applicant.type", R"("legal_person")"},
        {"applicant.id_type", R"("001")"},
        {"applicant.id_no", R"("91442000MA4W8C2K62")"}},
       {}},
      {"passport number is not checked",
       "accept",
       kAccepted,
       {{"applicant.id_type", R"("414")"}, {"applicant.id_no", R"("EH4128837")"}},
       {}},
      {"optional fields absent",
       "accept",
       kAccepted,
       {{"handler", std::nullopt}, {"applicant.mobile", std::nullopt}},
       {}},
      {"all optional fields",
       "accept",
       R"({"decision": "accepted", "reason": "齐全", "receipt_no": "R1"})",
       {{"item.situation_code", R"("01")"},
        {"promise", R"({"limit": 1, "unit": "working_day"})"},
        {"source.record_id", R"("1004")"},
        {"occurred_at", R"("2026-11-27T09:30:00.123456789Z")"}},
       {}},

      // required
      {"missing item.code",
       "accept",
       kAccepted,
       {{"item.code", std::nullopt}},
       {{"item.code", "required"}}},
      {"missing item.name",
       "accept",
       kAccepted,
       {{"item.name", std::nullopt}},
       {{"item.name", "required"}}},
      {"missing applicant.id_no",
       "accept",
       kAccepted,
       {{"applicant.id_no", std::nullopt}},
       {{"applicant.id_no", "required"}}},
      {"missing applicant object",
       "accept",
       kAccepted,
       {{"applicant", std::nullopt}},
       {{"applicant", "required"}}},
      {"missing top-level fields",
       "accept",
       kAccepted,
       {{"spec", std::nullopt},
        {"event_id", std::nullopt},
        {"seq", std::nullopt},
        {"source.received_at", std::nullopt}},
       {{"spec", "required"},
        {"event_id", "required"},
        {"seq", "required"},
        {"source.received_at", "required"}}},
      {"submit without channel",
       "submit",
       "",
       {{"channel", std::nullopt}},
       {{"channel", "required"}}},
      {"promise without unit",
       "accept",
       kAccepted,
       {{"promise", R"({"limit": 5})"}},
       {{"promise.unit", "required"}}},
      {"missing stage skips stage rules",
       "accept",
       R"({"decision": "refused", "foo": 1})",
       {{"stage", std::nullopt}, {"channel", R"("pc")"}},
       {{"stage", "required"}, {"detail.foo", "type"}}},

      // type and "not allowed"
      {"seq as a string, version fractional",
       "accept",
       kAccepted,
       {{"seq", R"("1")"}, {"version", "1.0"}},
       {{"seq", "type"}, {"version", "type"}}},
      {"occurred_at as a number",
       "accept",
       kAccepted,
       {{"occurred_at", "20261127"}},
       {{"occurred_at", "type"}}},
      {"item as a string", "accept", kAccepted, {{"item", R"("x")"}}, {{"item", "type"}}},
      {"unknown properties",
       "accept",
       kAccepted,
       {{"extra", "1"}, {"applicant.nickname", R"("x")"}, {"handler.phone", R"("1")"}},
       {{"extra", "type"}, {"applicant.nickname", "type"}, {"handler.phone", "type"}}},
      {"channel on accept", "accept", kAccepted, {{"channel", R"("pc")"}}, {{"channel", "type"}}},
      {"channel on complete (schema gap, spec rule)",
       "complete",
       kComplete,
       {{"channel", R"("pc")"}},
       {{"channel", "type"}}},
      {"detail field of another stage",
       "accept",
       R"({"decision": "accepted", "materials": ["x"]})",
       {},
       {{"detail.materials", "type"}}},
      {"decision on submit",
       "submit",
       R"({"decision": "accepted"})",
       {},
       {{"detail.decision", "type"}}},
      {"unknown field in certificate",
       "complete",
       kComplete,
       {{"detail.certificate.seal", R"("x")"}},
       {{"detail.certificate.seal", "type"}}},
      {"materials elements",
       "submit",
       R"({"materials": ["身份证", "", 3]})",
       {},
       {{"detail.materials[1]", "length"}, {"detail.materials[2]", "type"}}},
      {"materials not an array",
       "supplement_accept",
       R"({"materials": "身份证"})",
       {},
       {{"detail.materials", "type"}}},
      {"detail not an object", "accept", "[]", {}, {{"detail", "type"}}},

      // pattern
      {"impossible date",
       "accept",
       kAccepted,
       {{"occurred_at", R"("2026-02-30T10:00:00+08:00")"}},
       {{"occurred_at", "pattern"}}},
      {"hour 24",
       "accept",
       kAccepted,
       {{"occurred_at", R"("2026-11-27T24:00:00+08:00")"}},
       {{"occurred_at", "pattern"}}},
      {"no offset",
       "accept",
       kAccepted,
       {{"occurred_at", R"("2026-11-27T09:30:00")"}},
       {{"occurred_at", "pattern"}}},
      {"space separator",
       "accept",
       kAccepted,
       {{"occurred_at", R"("2026-11-27 09:30:00+08:00")"}},
       {{"occurred_at", "pattern"}}},
      {"received_at unreadable",
       "accept",
       kAccepted,
       {{"source.received_at", R"("yesterday")"}},
       {{"source.received_at", "pattern"}}},
      {"event_id charset and length",
       "accept",
       kAccepted,
       {{"event_id", R"("a b")"}, {"case_no", "\"" + s129 + "\""}},
       {{"event_id", "pattern"}, {"case_no", "pattern"}}},
      {"item.code and region",
       "accept",
       kAccepted,
       {{"item.code", R"("12-3")"}, {"department.region_code", R"("44200")"}},
       {{"item.code", "pattern"}, {"department.region_code", "pattern"}}},
      {"integers below minimum",
       "accept",
       kAccepted,
       {{"seq", "0"}, {"version", "-3"}, {"promise", R"({"limit": 0, "unit": "hour"})"}},
       {{"seq", "pattern"},
        {"version", "pattern"},
        {"promise.limit", "pattern"},
        {"promise.unit", "enum"}}},
      {"deadline not a real date",
       "supplement_notice",
       kNotice,
       {{"detail.deadline", R"("2026-11-31")"}},
       {{"detail.deadline", "pattern"}}},
      {"valid_until 2027-02-29",
       "complete",
       kComplete,
       {{"detail.certificate.valid_until", R"("2027-02-29")"}},
       {{"detail.certificate.valid_until", "pattern"}}},
      {"fee amount one decimal",
       "complete",
       kComplete,
       {{"detail.fee.amount", R"("12.5")"}},
       {{"detail.fee.amount", "pattern"}}},
      {"fee amount leading zero",
       "complete",
       kComplete,
       {{"detail.fee.amount", R"("012.50")"}},
       {{"detail.fee.amount", "pattern"}}},
      {"fee amount 13 digits, currency",
       "complete",
       kComplete,
       {{"detail.fee.amount", R"("1234567890123.00")"}, {"detail.fee.currency", R"("USD")"}},
       {{"detail.fee.amount", "pattern"}, {"detail.fee.currency", "enum"}}},
      {"expected_days 0",
       "special_request",
       kSpecialRequest,
       {{"detail.expected_days", "0"}},
       {{"detail.expected_days", "pattern"}}},
      {"picked_at empty fraction",
       "pickup",
       R"({"picked_at": "2026-11-27T10:00:00.+08:00"})",
       {},
       {{"detail.picked_at", "pattern"}}},
      {"uscc too short: pattern, no checksum",
       "accept",
       kAccepted,
       {{"department.uscc", R"("12442000455863179")"}},
       {{"department.uscc", "pattern"}}},
      {"uscc with a letter it never uses",
       "accept",
       kAccepted,
       {{"department.uscc", R"("12442000455863179I")"}},
       {{"department.uscc", "pattern"}}},

      // enum
      {"enums",
       "accept",
       R"({"decision": "maybe"})",
       {{"spec", R"("case-event/2")"},
        {"applicant.type", R"("robot")"},
        {"applicant.id_type", R"("999")"}},
       {{"spec", "enum"},
        {"applicant.type", "enum"},
        {"applicant.id_type", "enum"},
        {"detail.decision", "enum"}}},
      {"unknown stage", "accept", kAccepted, {{"stage", R"("archive")"}}, {{"stage", "enum"}}},
      {"approve decision from the accept table",
       "approve",
       R"({"step": "review", "decision": "accepted"})",
       {},
       {{"detail.decision", "enum"}}},
      {"complete result not a code",
       "complete",
       R"({"result": "ok", "description": "d"})",
       {},
       {{"detail.result", "enum"}}},
      {"pickup method", "pickup", R"({"method": "drone"})", {}, {{"detail.method", "enum"}}},
      {"channel code", "submit", "", {{"channel", R"("fax")"}}, {{"channel", "enum"}}},

      // length
      {"empty strings",
       "accept",
       kAccepted,
       {{"applicant.name", R"("")"}, {"handler.name", R"("")"}, {"item.situation_code", R"("")"}},
       {{"applicant.name", "length"},
        {"handler.name", "length"},
        {"item.situation_code", "length"}}},
      {"empty materials",
       "supplement_accept",
       R"({"materials": []})",
       {},
       {{"detail.materials", "length"}}},
      {"special_result empty result",
       "special_result",
       R"({"result": "", "end_date": "2026-11-25"})",
       {},
       {{"detail.result", "length"}}},

      // checksums and identity
      {"resident id check character",
       "accept",
       kAccepted,
       {{"applicant.id_no", R"("442000199012010153")"}},
       {{"applicant.id_no", "resident_id_checksum"}}},
      {"resident id lower-case x",
       "accept",
       kAccepted,
       {{"applicant.id_no", R"("44200019831211098x")"}},
       {{"applicant.id_no", "resident_id_checksum"}}},
      {"resident id too long for id_no: length only",
       "accept",
       kAccepted,
       {{"applicant.id_no", "\"" + std::string(65, '1') + "\""}},
       {{"applicant.id_no", "length"}}},
      {"department uscc checksum",
       "accept",
       kAccepted,
       {{"department.uscc", R"("124420004558631796")"}},
       {{"department.uscc", "uscc_checksum"}}},
      {"legal person with a resident id",
       "accept",
       kAccepted,
       {{"applicant.type", R"("legal_person")"}},
       {{"applicant.id_type", "applicant_type_id"}}},
      {"person with a bad USCC",
       "accept",
       kAccepted,
       {{"applicant.id_type", R"("001")"}, {"applicant.id_no", R"("91442000MA4W8C2K63")"}},
       {{"applicant.id_type", "applicant_type_id"}, {"applicant.id_no", "uscc_checksum"}}},
      {"id_type 001 with a short number",
       "accept",
       kAccepted,
       {{"applicant.type", R"("other")"},
        {"applicant.id_type", R"("001")"},
        {"applicant.id_no", R"("123")"}},
       {{"applicant.id_no", "uscc_checksum"}}},
      {"landline as mobile",
       "accept",
       kAccepted,
       {{"applicant.mobile", R"("0760-88881234")"}},
       {{"applicant.mobile", "mobile"}}},
      {"empty mobile",
       "accept",
       kAccepted,
       {{"applicant.mobile", R"("")"}},
       {{"applicant.mobile", "mobile"}}},

      // detail_required
      {"accept without detail", "accept", "", {}, {{"detail", "detail_required"}}},
      {"accept with empty detail", "accept", "{}", {}, {{"detail.decision", "detail_required"}}},
      {"refused without reason",
       "accept",
       R"({"decision": "refused"})",
       {},
       {{"detail.reason", "detail_required"}}},
      {"preaccept not accepted without reason",
       "preaccept",
       R"({"decision": "not_accepted"})",
       {},
       {{"detail.reason", "detail_required"}}},
      {"approve without step",
       "approve",
       R"({"decision": "pass"})",
       {},
       {{"detail.step", "detail_required"}}},
      {"supplement_notice empty detail",
       "supplement_notice",
       "{}",
       {},
       {{"detail.materials", "detail_required"},
        {"detail.reason", "detail_required"},
        {"detail.deadline", "detail_required"}}},
      {"special_result without detail", "special_result", "", {}, {{"detail", "detail_required"}}},
      {"certificate_issued without certificate",
       "complete",
       R"({"result": "certificate_issued", "description": "d"})",
       {},
       {{"detail.certificate", "detail_required"}}},
      {"certificate without number, fee without currency",
       "complete",
       kComplete,
       {{"detail.certificate.number", std::nullopt}, {"detail.fee.currency", std::nullopt}},
       {{"detail.certificate.number", "detail_required"},
        {"detail.fee.currency", "detail_required"}}},

      // many at once, across fields
      {"many broken rules at once",
       "accept",
       R"({"decision": "refused", "note": "x"})",
       {{"seq", "0"},
        {"occurred_at", R"("2026-11-27T09:30:00+08:60")"},
        {"department.uscc", R"("124420004558631796")"},
        {"applicant.id_no", R"("442000199012010153")"},
        {"applicant.mobile", R"("+8613925380461")"},
        {"applicant.name", "\"" + std::string(101, 'x') + "\""},
        {"item.name", std::nullopt},
        {"channel", R"("pc")"},
        {"source.system", "7"}},
       {{"seq", "pattern"},
        {"occurred_at", "pattern"},
        {"department.uscc", "uscc_checksum"},
        {"applicant.id_no", "resident_id_checksum"},
        {"applicant.mobile", "mobile"},
        {"applicant.name", "length"},
        {"item.name", "required"},
        {"channel", "type"},
        {"source.system", "type"},
        {"detail.note", "type"},
        {"detail.reason", "detail_required"}}},
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validator)

BOOST_AUTO_TEST_CASE(every_expected_department_event_is_valid) {
  const fs::path root = "../shared/departments";
  if (!fs::is_directory(root)) {
    BOOST_TEST_MESSAGE("skipped: " << root << " not found (run from the repository root)");
    return;
  }
  std::size_t events = 0;
  for (const auto& dept : fs::directory_iterator(root)) {
    const fs::path expected = dept.path() / "expected";
    if (!fs::is_directory(expected)) {
      continue;
    }
    for (const auto& file : fs::directory_iterator(expected)) {
      const std::string name = file.path().filename().string();
      if (name.size() < 12 || name.compare(name.size() - 12, 12, ".events.json") != 0) {
        continue;
      }
      std::ifstream in(file.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      rapidjson::Document doc = parse(text.str());
      BOOST_TEST_REQUIRE(doc.IsArray());
      for (auto& event : doc.GetArray()) {
        event["source"].AddMember("received_at", rapidjson::StringRef(kReceivedAt),
                                  doc.GetAllocator());
        const Found found = validate(event);
        BOOST_TEST(found.empty(), file.path().string()
                                      << " " << huitong::json::write(event["event_id"]) << ": "
                                      << describe(found));
        ++events;
      }
    }
  }
  BOOST_TEST_MESSAGE(events << " department events validated");
  BOOST_TEST(events >= 38u);
}

BOOST_AUTO_TEST_CASE(broken_events_report_exactly_their_violations) {
  const std::vector<Case> cases = brokenCases();
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const rapidjson::Document event = eventOf(c.stage, c.detail, c.edits);
      const Found found = validate(event);
      BOOST_TEST(found == c.expected,
                 "expected " << describe(c.expected) << ", got " << describe(found));
    }
  }
  BOOST_TEST_MESSAGE(cases.size() << " hand-made events checked");
}

BOOST_AUTO_TEST_CASE(event_that_is_not_an_object) {
  const rapidjson::Document doc = parse("[1]");
  BOOST_TEST((validate(doc) == Found{{"", "type"}}));
}

BOOST_AUTO_TEST_CASE(duplicate_member_and_stage_of_wrong_type) {
  // Pointer edits cannot write a duplicate member: build the text.
  std::string text = kBase;
  text.insert(text.find("\"seq\""), "\"case_no\": \"X1\", ");
  BOOST_TEST((validate(parse(text)) == Found{{"case_no", "type"}}));
  BOOST_TEST((validate(eventOf("accept", R"({"decision": "refused"})", {{"stage", "3"}})) ==
              Found{{"stage", "type"}}));
}

BOOST_AUTO_TEST_CASE(future_time_uses_the_injected_clock) {
  // clock 2026-11-28T00:00:00+08:00: five minutes ahead is still fine, one millisecond more is not
  const auto at = [](const char* t) { return eventOf("accept", kAccepted, {{"occurred_at", t}}); };
  BOOST_TEST(validate(at(R"("2026-11-28T00:05:00+08:00")")).empty());
  BOOST_TEST(validate(at(R"("2026-11-27T16:05:00Z")")).empty());
  BOOST_TEST((validate(at(R"("2026-11-28T00:05:00.001+08:00")")) ==
              Found{{"occurred_at", "future_time"}}));
  BOOST_TEST((validate(at(R"("2026-11-27T16:06:00Z")")) == Found{{"occurred_at", "future_time"}}));
  // the same text judged by a later clock
  BOOST_TEST(validate(at(R"("2026-11-28T00:06:00+08:00")"), kNow + 60 * 1000).empty());
  // an unreadable time is a pattern error, never also future_time
  BOOST_TEST((validate(at(R"("2099-02-29T00:00:00+08:00")")) == Found{{"occurred_at", "pattern"}}));
  BOOST_TEST(
      (validate(at(R"("2099-02-28T00:00:00+08:00")")) == Found{{"occurred_at", "future_time"}}));
}

BOOST_AUTO_TEST_CASE(lengths_count_code_points) {
  std::string name100;
  std::string name101;
  for (int i = 0; i < 100; ++i) {
    name100 += "梁";  // 3 bytes in UTF-8
  }
  name101 = name100 + "豪";
  std::string ext100;
  for (int i = 0; i < 100; ++i) {
    ext100 += "𠀀";  // U+20000, 4 bytes
  }
  const auto named = [](const std::string& n) {
    return eventOf("accept", kAccepted, {{"applicant.name", "\"" + n + "\""}});
  };
  BOOST_TEST(validate(named(name100)).empty());
  BOOST_TEST(validate(named(ext100)).empty());
  BOOST_TEST((validate(named(name101)) == Found{{"applicant.name", "length"}}));
  BOOST_TEST((validate(named(ext100 + "a")) == Found{{"applicant.name", "length"}}));
  std::string material200;
  for (int i = 0; i < 200; ++i) {
    material200 += "材";
  }
  BOOST_TEST(validate(eventOf("supplement_accept", R"({"materials": [")" + material200 + R"("]})"))
                 .empty());
  BOOST_TEST((validate(eventOf("supplement_accept",
                               R"({"materials": ["a", ")" + material200 + R"(料"]})")) ==
              Found{{"detail.materials[1]", "length"}}));
}

BOOST_AUTO_TEST_CASE(success_leaves_out_untouched_and_failure_appends) {
  huitong::FixedClock clock(kNow);
  hv::Validator validator(clock);
  std::vector<hv::Violation> out{{"earlier", "required", "kept"}};
  BOOST_TEST(validator.validate(eventOf("accept", kAccepted), out));
  BOOST_TEST(out.size() == 1u);
  BOOST_TEST(!validator.validate(eventOf("accept", ""), out));
  BOOST_TEST_REQUIRE(out.size() == 2u);
  BOOST_TEST(out[0].field == "earlier");
  BOOST_TEST(out[1].field == "detail");
  BOOST_TEST(out[1].code == "detail_required");
}

BOOST_AUTO_TEST_SUITE_END()
