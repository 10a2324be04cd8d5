// Judges one case event against every rule of the spec (schema checks and §3 rules),
// reporting every broken rule, not only the first. Hand-written checks driven by the
// CaseEventSchema catalog: no regex engine (RapidJSON's schema validator silently drops
// patterns it cannot compile), no allocation unless a rule is broken.
#pragma once

#include <cstddef>
#include <optional>
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
//
// How the codes are chosen where the spec leaves room (one Violation per field; where several
// rules apply to one field only the first broken one in this order is reported):
// - `type`: wrong JSON type; also a property that is not allowed (unknown name, `channel` on a
//   stage other than submit, a detail field the stage does not allow), message "not allowed".
//   Integers are JSON numbers without fraction or exponent (1.0 is `type`). A member name
//   appearing twice in one object is `type` ("not allowed") on the second occurrence.
// - `length`: min/maxLength in Unicode code points; also an empty `detail.materials` (minItems).
// - `pattern`: a string not matching its pattern, including an impossible date or time
//   (2026-02-30, 24:00:00, seconds 60) and a fee amount not of the form 12.50; also an integer
//   below its minimum (seq, version, promise.limit, detail.expected_days must be >= 1).
// - `enum`: a value outside its code table (including spec != "case-event/1", currency != CNY).
// - `required`: a missing required field outside `detail` (top level, item, department,
//   applicant, promise, source; `channel` on submit), reported on the missing field itself.
// - `detail_required`: reported at the outermost missing element: on `detail` when the stage
//   requires a detail object and there is none; else on each missing field inside it
//   (`detail.decision`, `detail.certificate`, `detail.certificate.number`, ...). Conditional
//   requirements (`reason` unless the decision is passed/accepted, `certificate` when the
//   result is certificate_issued) are judged only when the deciding field holds a valid code.
//   Stage-dependent checks are skipped when `stage` itself is missing or not a code.
// - `uscc_checksum`: department.uscc once its pattern holds; applicant.id_no when id_type is
//   001 (the code covers length and characters too, id_no having no pattern of its own).
// - `resident_id_checksum`: applicant.id_no when id_type is 111: 18 characters, a real birth
//   date, right check character, upper-case X only.
// - `applicant_type_id`: on `applicant.id_type`, when type and id_type are both valid codes
//   and legal_person has an id_type other than 001, or person has 001.
// - `future_time`: occurred_at (once its pattern holds) later than clock.now() + 5 minutes.
// - `mobile`: applicant.mobile (a string) not matching ^1[3-9][0-9]{9}$.
// - An event that is not a JSON object: one `type` Violation with field "".
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

// The Validator's format matchers, exported for mappings that convert into these fields.
// RFC 3339 date-time as the schema writes it (upper-case T and Z, offset required, 1-9
// fraction digits) with a real calendar date and time (seconds 00-59, offset below 24:00).
bool isRfc3339DateTime(std::string_view s);
// The instant of such a date-time (fraction truncated to milliseconds); nullopt if invalid.
std::optional<EpochMillis> parseRfc3339(std::string_view s);
// YYYY-MM-DD naming a real Gregorian date.
bool isCalendarDate(std::string_view s);
// ^(0|[1-9][0-9]{0,11})\.[0-9]{2}$ (detail.fee.amount).
bool isYuanAmount(std::string_view s);
// Unicode code points of UTF-8 text (what the schema's min/maxLength count).
std::size_t countCodePoints(std::string_view s);

}  // namespace huitong::validation
