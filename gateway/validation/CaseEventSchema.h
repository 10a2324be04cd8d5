// The platform's case event (spec: exchange-interface.md §2, case-event.schema.json) as a
// catalog of fields: what the mapping compiler checks targets against and what the validator
// enforces. The single C++ statement of the contract; a test compares it with the schema file.
// Everything here is immutable static data (code tables embedded, no file read at run time):
// thread-safe, references stay valid for the life of the process.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace huitong::validation {

enum class FieldType {
  kString,
  kInteger,
  kStringArray,  // array of strings (detail.materials)
  kObject,
};

// Value shapes beyond the type, for conversions the mapping does by target.
enum class FieldFormat {
  kNone,
  kDateTime,  // RFC 3339 with offset
  kDate,      // YYYY-MM-DD
  kDecimal2,  // yuan amount, exactly two decimals, as a string
};

// Stage-dependent fields are `channel`, `detail` and every `detail.*` field: for them `stages`
// lists the stages that allow the field, `requiredStages` those that require it
// unconditionally, and `required` is true only when every allowing stage requires it (so
// `channel` is required: submit is the only stage allowing it; prefer requiredOnStage). The
// conditional requirements of spec §2 (`reason` unless passed/accepted, `certificate` when
// certificate_issued) are rules of the Validator, not catalog data.
struct FieldSpec {
  std::string name;  // dotted path: "applicant.id_no", "detail.fee.amount"
  FieldType type = FieldType::kString;
  FieldFormat format = FieldFormat::kNone;
  bool required = false;            // required whenever its parent object is present
  std::vector<std::string> stages;  // detail.* fields: the stages that allow it; empty = any
  std::string codeTable;            // codes.json table the value must come from, or ""
  bool setByGateway = false;        // spec, event_id, source.system, source.received_at

  // Schema keywords, as case-event.schema.json states them (added for the validator and the
  // conformance test; defaults mean "no such keyword").
  std::vector<std::string> requiredStages;  // stages requiring the field (stage-dependent only)
  unsigned minLength = 0;    // strings, and each element of a kStringArray: Unicode code points
  unsigned maxLength = 0;    // 0 = no maximum
  unsigned minItems = 0;     // kStringArray
  std::int64_t minimum = 0;  // kInteger: smallest value allowed (1 throughout case-event/1)
  std::string pattern;       // the schema's regex, for people and the conformance test only:
                             // the Validator matches it with hand-written code, never a regex
};

// Every field of case-event/1 (leaf fields and the objects holding them), in spec order.
const std::vector<FieldSpec>& caseEventFields();
// The field named `dotted` (array indices are not part of names), or nullptr.
const FieldSpec* findField(std::string_view dotted);
// The codes of a codes.json table ("stages", "id_types", ...); empty when unknown. Besides the
// twelve codes.json tables, two one-code tables name the schema's inline enums:
// "spec_versions" {"case-event/1"} and "currencies" {"CNY"}.
const std::vector<std::string>& codeTable(std::string_view name);
// The stage codes.
const std::vector<std::string>& stages();

// True when `value` is a code of table `name`.
bool isCode(std::string_view name, std::string_view value);
// The code table `field` takes its value from on `stage`. Equals field.codeTable except for the
// fields whose table depends on the stage (FieldSpec::codeTable is "" for them):
// detail.decision (preaccept_decisions, accept_decisions, approval_decisions) and
// detail.result (completion_results on complete; free text on special_result).
std::string_view codeTableFor(const FieldSpec& field, std::string_view stage);
// Whether `field` may appear / must appear on `stage` (for a stage-dependent field; any other
// field is allowed everywhere and required per FieldSpec::required).
bool allowedOnStage(const FieldSpec& field, std::string_view stage);
bool requiredOnStage(const FieldSpec& field, std::string_view stage);

}  // namespace huitong::validation
