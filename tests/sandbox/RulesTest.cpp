// Every rule of spec §3 through HTTP, with its code: the departments' expected events (from
// ../shared; skipped when absent) are accepted as they are, then broken one rule at a time.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/pointer.h>

#include "PlatformHarness.h"

namespace hs = huitong::sandbox;
using hs::test::Answer;
using hs::test::Harness;

namespace {

const std::string kEvents = "/exchange/v1/case-events";

struct Edit {
  std::string pointer;               // "/applicant/mobile"
  std::optional<std::string> value;  // JSON text; nullopt removes the member
};

struct Case {
  std::string name;
  std::vector<Edit> edits;
  std::set<std::pair<std::string, std::string>> expected;  // {field, code}
};

std::string replaceLast(std::string s) {
  s.back() = s.back() == '0' ? '1' : '0';
  return s;
}

// A department `accept` event of a person with a 居民身份证 and a mobile number.
std::optional<rapidjson::Document> acceptBase() {
  for (auto& e : hs::test::departmentEvents()) {
    const rapidjson::Value& a = e["applicant"];
    if (std::string(e["stage"].GetString()) == "accept" &&
        std::string(a["type"].GetString()) == "person" &&
        std::string(a["id_type"].GetString()) == "111" && a.HasMember("mobile")) {
      return std::move(e);
    }
  }
  return std::nullopt;
}

std::set<std::pair<std::string, std::string>> reported(const rapidjson::Value& body) {
  std::set<std::pair<std::string, std::string>> found;
  for (const auto& e : body["errors"].GetArray()) {
    BOOST_TEST(std::string(e["message"].GetString()).size() > 0u);
    found.insert({e["field"].GetString(), e["code"].GetString()});
  }
  return found;
}

std::string describe(const std::set<std::pair<std::string, std::string>>& s) {
  std::string out;
  for (const auto& [field, code] : s) {
    out += " " + field + ":" + code;
  }
  return out;
}

}  // namespace

// Each case skips itself (with a message) when ../shared/departments is absent.
#define REQUIRE_DEPARTMENT_EVENTS()                                 \
  if (!hs::test::haveDepartmentEvents()) {                          \
    BOOST_TEST_MESSAGE("skipped: ../shared/departments is absent"); \
    return;                                                         \
  }

BOOST_AUTO_TEST_SUITE(rules)

BOOST_AUTO_TEST_CASE(every_department_expected_event_is_accepted) {
  REQUIRE_DEPARTMENT_EVENTS();
  Harness h;
  auto c = h.client();
  const auto events = hs::test::departmentEvents();
  BOOST_TEST(events.size() >= 30u);
  for (const auto& e : events) {
    Answer a = c.post(kEvents, hs::test::write(e));
    BOOST_TEST(a.status == 200, e["event_id"].GetString() << ": " << a.body);
    BOOST_TEST(std::string(a.json()["status"].GetString()) == "accepted");
  }
  BOOST_TEST(h.platform->receivedCount() == events.size());
}

BOOST_AUTO_TEST_CASE(each_broken_rule_is_422_with_its_code) {
  REQUIRE_DEPARTMENT_EVENTS();
  auto base = acceptBase();
  BOOST_REQUIRE(base.has_value());
  const std::string uscc = (*base)["department"]["uscc"].GetString();
  const std::string idNo = (*base)["applicant"]["id_no"].GetString();
  const std::vector<Case> cases = {
      {"required", {{"/case_no", std::nullopt}}, {{"case_no", "required"}}},
      {"required nested", {{"/item/code", std::nullopt}}, {{"item.code", "required"}}},
      {"type", {{"/seq", "\"1\""}}, {{"seq", "type"}}},
      {"type not allowed", {{"/channel", "\"pc\""}}, {{"channel", "type"}}},
      {"pattern", {{"/case_no", "\"HY 2026\""}}, {{"case_no", "pattern"}}},
      {"pattern date",
       {{"/occurred_at", "\"2026-02-30T09:00:00+08:00\""}},
       {{"occurred_at", "pattern"}}},
      {"enum", {{"/stage", "\"archive\""}}, {{"stage", "enum"}}},
      {"enum spec", {{"/spec", "\"case-event/2\""}}, {{"spec", "enum"}}},
      {"length", {{"/item/name", "\"\""}}, {{"item.name", "length"}}},
      {"uscc_checksum",
       {{"/department/uscc", "\"" + replaceLast(uscc) + "\""}},
       {{"department.uscc", "uscc_checksum"}}},
      {"resident_id_checksum",
       {{"/applicant/id_no", "\"" + replaceLast(idNo) + "\""}},
       {{"applicant.id_no", "resident_id_checksum"}}},
      {"applicant_type_id",
       {{"/applicant/type", "\"legal_person\""}},
       {{"applicant.id_type", "applicant_type_id"}}},
      {"future_time",
       {{"/occurred_at", "\"2026-11-28T12:05:01+08:00\""}},
       {{"occurred_at", "future_time"}}},
      {"detail_required whole", {{"/detail", std::nullopt}}, {{"detail", "detail_required"}}},
      {"detail_required field", {{"/detail", "{}"}}, {{"detail.decision", "detail_required"}}},
      {"mobile", {{"/applicant/mobile", "\"12345678901\""}}, {{"applicant.mobile", "mobile"}}},
      {"every broken rule is reported",
       {{"/case_no", std::nullopt},
        {"/department/uscc", "\"" + replaceLast(uscc) + "\""},
        {"/applicant/mobile", "\"2\""},
        {"/occurred_at", "\"2027-01-01T00:00:00+08:00\""}},
       {{"case_no", "required"},
        {"department.uscc", "uscc_checksum"},
        {"applicant.mobile", "mobile"},
        {"occurred_at", "future_time"}}},
  };

  Harness h;
  auto c = h.client();
  std::size_t violations = 0;
  for (const Case& tc : cases) {
    rapidjson::Document e;
    e.CopyFrom(*base, e.GetAllocator());
    for (const Edit& edit : tc.edits) {
      if (edit.value) {
        rapidjson::Document v = hs::test::parse(*edit.value);
        rapidjson::Value copy(v, e.GetAllocator());
        rapidjson::Pointer(edit.pointer.c_str()).Set(e, copy);
      } else {
        BOOST_REQUIRE(rapidjson::Pointer(edit.pointer.c_str()).Erase(e));
      }
    }
    Answer a = c.post(kEvents, hs::test::write(e));
    BOOST_TEST_CONTEXT(tc.name) {
      BOOST_TEST(a.status == 422, a.body);
      auto body = a.json();
      BOOST_TEST(std::string(body["status"].GetString()) == "rejected");
      const auto found = reported(body);
      BOOST_TEST(found == tc.expected,
                 "got" << describe(found) << ", want" << describe(tc.expected));
      violations += found.size();
      if (e.HasMember("event_id")) {
        BOOST_TEST(std::string(body["event_id"].GetString()) == e["event_id"].GetString());
      }
    }
  }
  BOOST_TEST(h.platform->receivedCount() == 0u);
  const auto stats = h.platform->stats();
  BOOST_TEST(stats.rejected == cases.size());
  std::size_t byCode = 0;
  for (const auto& [code, n] : stats.rejectedByCode) {
    byCode += n;
  }
  BOOST_TEST(byCode == violations);
  BOOST_TEST(stats.rejectedByCode.at("future_time") == 2u);
}

BOOST_AUTO_TEST_CASE(future_time_is_judged_on_the_injected_clock) {
  REQUIRE_DEPARTMENT_EVENTS();
  auto base = acceptBase();
  BOOST_REQUIRE(base.has_value());
  Harness h;
  auto c = h.client();
  // kNow + 5 min is allowed; one second more is not, until the clock moves on.
  rapidjson::Pointer("/occurred_at").Set(*base, "2026-11-28T12:05:00+08:00");
  Answer a = c.post(kEvents, hs::test::write(*base));
  BOOST_TEST(a.status == 200, a.body);
  rapidjson::Pointer("/occurred_at").Set(*base, "2026-11-28T12:05:01+08:00");
  rapidjson::Pointer("/event_id").Set(*base, "later:1");
  BOOST_TEST(c.post(kEvents, hs::test::write(*base)).status == 422);
  h.clock.advance(1000);
  BOOST_TEST(c.post(kEvents, hs::test::write(*base)).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
