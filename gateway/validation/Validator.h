// Judges one case event against every rule of the spec (schema checks and §3 rules),
// reporting every broken rule, not only the first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Clock.h"

namespace huitong::validation {

// One broken rule. `field` is the canonical dotted path ("applicant.id_no",
// "detail.materials[0]"); `code` is one of spec §3's codes: required, type, pattern, enum,
// length, uscc_checksum, resident_id_checksum, applicant_type_id, future_time,
// detail_required, mobile.
struct Violation {
  std::string field;
  std::string code;
  std::string message;
};

// Stateless apart from the clock; thread-safe.
class Validator {
 public:
  explicit Validator(const Clock& clock) : clock_(clock) {}

  // Appends a violation for every broken rule of `event` to `out`; returns true when none.
  bool validate(const rapidjson::Value& event, std::vector<Violation>& out) const;

 private:
  const Clock& clock_;
};

// Check characters (also used by the mapping scaffold and tests).
bool isValidUscc(std::string_view s);        // GB 32100-2015
bool isValidResidentId(std::string_view s);  // GB 11643-1999, with a real birth date
bool isMainlandMobile(std::string_view s);   // ^1[3-9][0-9]{9}$

}  // namespace huitong::validation
