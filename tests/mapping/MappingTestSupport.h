// Small helpers for mapping tests: compile inline mapping text, run it at a fixed time.
#pragma once

#include <string>

#include "gateway/core/Json.h"
#include "gateway/mapping/Mapping.h"

namespace testing {

// 2026-11-28T12:00:00+08:00
inline huitong::FixedClock& fixedClock() {
  static huitong::FixedClock c(1795838400000);
  return c;
}

// A complete marriage-like mapping whose `fields` can be extended or overridden by `extra`
// (a JSON object text of more field rules) and whose other top-level keys come from `more`.
inline std::string mappingText(const std::string& extra = "", const std::string& more = "") {
  return std::string(R"({
  "system": "demo",
  "version": "1",
  "input": {"format": "json"},)") +
         more + R"(
  "fields": {
    "case_no": "$.no",
    "stage": {"const": "accept"},
    "seq": {"const": 1},
    "version": {"const": 1},
    "occurred_at": {"from": "$.at", "datetime": "yyyy-MM-dd HH:mm:ss"},
    "item.code": {"const": "1244200045586317954442071001000"},
    "item.name": {"const": "内地居民结婚登记"},
    "department.name": {"const": "中山市婚姻登记处"},
    "department.uscc": {"const": "124420004558631795"},
    "department.region_code": {"const": "442000"},
    "applicant.type": {"const": "person"},
    "applicant.name": "$.name",
    "applicant.id_type": {"const": "111"},
    "applicant.id_no": "$.id",
    "detail.decision": {"const": "accepted"})" +
         (extra.empty() ? "" : ",\n    " + extra) + R"(
  }
})";
}

inline std::shared_ptr<const huitong::mapping::Mapping> compileOk(const std::string& text) {
  auto m = huitong::mapping::Mapping::compile(text, "test.json", ".");
  if (!m.ok()) {
    throw std::runtime_error("mapping did not compile: " + m.error().describe());
  }
  return m.value();
}

inline std::string compileError(const std::string& text) {
  auto m = huitong::mapping::Mapping::compile(text, "test.json", ".");
  return m.ok() ? std::string("(compiled)") : m.error().describe();
}

constexpr const char* kMessage =
    R"({"no": "HY2026112000058", "at": "2026-11-20 21:47:09", "name": "梁志豪", "id": "442000199304120314"})";

}  // namespace testing
