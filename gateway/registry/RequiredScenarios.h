// What a filing requires of the joint-debug sandbox before it may go online (docs/sandbox.md
// "Evidence"): by default each stage the mapping version can produce plus one deliberately
// invalid message rejected; a filing may name its own scenarios instead of, or beside, those.
//
// The filing's `scenarios` is a JSON array; absent = the defaults only. Each element is either
// the string "defaults" (the default set) or an object
//   {"name": "withdrawn", "description": "...", "stage": "withdraw",
//    "verdict": "accepted" | "duplicate" | "conflict" | "rejected", "rule": "resident_id_checksum"}
// passed by a judged sandbox event of the item on the version with that stage (any when absent)
// and verdict ("accepted" also counts an event the platform already held: duplicate), and for
// "rejected" with a broken rule of that code (any rule when absent).
#pragma once

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Error.h"

namespace huitong::registry {

struct ScenarioSpec {
  std::string name;
  std::string description;
  std::string stage;                 // "" = any stage
  std::string verdict = "accepted";  // accepted | duplicate | conflict | rejected
  std::string rule;                  // rejected: a broken rule of this code ("" = any rule)
};

struct RequiredScenarios {
  bool defaults = true;           // the default set is required
  std::vector<ScenarioSpec> own;  // and these
};

// Checks a filing's scenarios (a JSON array as above) and gives its canonical text; an absent
// (null) value gives "" (the defaults). Errors: "filing.invalid" naming the element and rule
// ("scenarios[2].verdict must be accepted, duplicate, conflict or rejected").
Result<std::string> normalizeScenarios(const rapidjson::Value& scenarios);

// The stored text ("" = the defaults only) read back; "filing.invalid" when it is not one
// normalizeScenarios would give.
Result<RequiredScenarios> parseScenarios(const std::string& text);

}  // namespace huitong::registry
