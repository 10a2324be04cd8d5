// The value a field rule carries from its source through its transforms to the target.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace huitong::mapping {

struct Val {
  enum class Kind { kAbsent, kString, kInteger, kNumber, kBool, kList, kJson };
  Kind kind = Kind::kAbsent;
  std::string str;                         // kString; kNumber: its shortest decimal text
  std::int64_t integer = 0;                // kInteger
  bool boolean = false;                    // kBool
  std::vector<std::string> list;           // kList
  const rapidjson::Value* json = nullptr;  // kJson: an object or array (not owned)
  // A code table entry (or default) of target -> value, to spread over a rule's targets.
  bool spread = false;

  bool absent() const { return kind == Kind::kAbsent; }
  static Val string(std::string s) {
    Val v;
    if (!s.empty()) {
      v.kind = Kind::kString;
      v.str = std::move(s);
    }
    return v;
  }
  static Val integerValue(std::int64_t i) {
    Val v;
    v.kind = Kind::kInteger;
    v.integer = i;
    return v;
  }
  // A RapidJSON node as a value: null and "" are absent (the spec's "empty counts as absent").
  static Val fromJson(const rapidjson::Value& node);
  // Text form for messages, code-table keys and templates ("" when absent, JSON for objects).
  std::string text() const;
  // JSON text for traces ("null" when absent).
  std::string jsonText() const;
};

// Shortest decimal text that reads back as d (RapidJSON's Grisu2).
std::string shortestDecimal(double d);

}  // namespace huitong::mapping
