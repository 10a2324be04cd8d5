// The platform's case event (spec: exchange-interface.md §2, case-event.schema.json) as a
// catalog of fields: what the mapping compiler checks targets against and what the validator
// enforces. The single C++ statement of the contract; a test compares it with the schema file.
#pragma once

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

struct FieldSpec {
  std::string name;                 // dotted path: "applicant.id_no", "detail.fee.amount"
  FieldType type = FieldType::kString;
  FieldFormat format = FieldFormat::kNone;
  bool required = false;            // required whenever its parent object is present
  std::vector<std::string> stages;  // detail.* fields: the stages that allow it; empty = any
  std::string codeTable;            // codes.json table the value must come from, or ""
  bool setByGateway = false;        // spec, event_id, source.system, source.received_at
};

// Every field of case-event/1 (leaf fields and the objects holding them), in spec order.
const std::vector<FieldSpec>& caseEventFields();
// The field named `dotted` (array indices are not part of names), or nullptr.
const FieldSpec* findField(std::string_view dotted);
// The codes of a codes.json table ("stages", "id_types", ...); empty when unknown.
const std::vector<std::string>& codeTable(std::string_view name);
// The stage codes.
const std::vector<std::string>& stages();

}  // namespace huitong::validation
