#include "gateway/validation/CaseEventSchema.h"

#include <algorithm>
#include <utility>

namespace huitong::validation {
namespace {

using Codes = std::vector<std::string>;

// codes.json, embedded so the product never reads ../shared at run time; the conformance test
// compares these with the file.
struct NamedTable {
  std::string_view name;
  Codes codes;
};

const std::vector<NamedTable>& allTables() {
  static const std::vector<NamedTable> tables = {
      {"stages",
       {"submit", "preaccept", "accept", "approve", "supplement_notice", "supplement_accept",
        "special_request", "special_result", "complete", "pickup"}},
      {"applicant_types", {"person", "legal_person", "other"}},
      {"id_types", {"111", "112", "113", "114", "414", "511", "516", "553", "001", "990"}},
      {"channels", {"pc", "mobile_app", "wap", "wechat", "alipay", "window", "other"}},
      {"time_units", {"working_day", "natural_day"}},
      {"preaccept_decisions", {"passed", "not_accepted", "supplement_required"}},
      {"accept_decisions", {"accepted", "not_accepted", "supplement_required", "refused"}},
      {"approval_steps", {"undertake", "review", "approve"}},
      {"approval_decisions", {"pass", "return"}},
      {"special_kinds", {"hearing", "inspection", "expert_review", "public_notice", "other"}},
      {"completion_results",
       {"certificate_issued", "returned", "voided", "deleted", "forwarded", "supplement_timeout",
        "done"}},
      {"pickup_methods", {"window", "mail"}},
      // The schema's inline enums, so that every enum of the schema is a named table.
      {"spec_versions", {"case-event/1"}},
      {"currencies", {"CNY"}},
  };
  return tables;
}

constexpr std::string_view kDateTimePattern =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2}"
    ")$";
constexpr std::string_view kDatePattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

// Fluent construction keeps the catalog below one readable line per field.
struct Def {
  FieldSpec f;
  explicit Def(std::string name, FieldType type = FieldType::kString) {
    f.name = std::move(name);
    f.type = type;
  }
  Def& req() {
    f.required = true;
    return *this;
  }
  Def& table(std::string t) {
    f.codeTable = std::move(t);
    return *this;
  }
  Def& len(unsigned lo, unsigned hi) {
    f.minLength = lo;
    f.maxLength = hi;
    return *this;
  }
  Def& pat(std::string_view p) {
    f.pattern = std::string(p);
    return *this;
  }
  Def& fmt(FieldFormat format) {
    f.format = format;
    if (format == FieldFormat::kDateTime) {
      f.pattern = std::string(kDateTimePattern);
    } else if (format == FieldFormat::kDate) {
      f.pattern = std::string(kDatePattern);
    } else if (format == FieldFormat::kDecimal2) {
      f.pattern = "^(0|[1-9][0-9]{0,11})\\.[0-9]{2}$";
    }
    return *this;
  }
  Def& min(std::int64_t m) {
    f.minimum = m;
    return *this;
  }
  Def& gateway() {
    f.setByGateway = true;
    return *this;
  }
  // Stages allowing the field and, of those, the ones requiring it.
  Def& on(Codes allow, Codes require = {}) {
    f.stages = std::move(allow);
    f.requiredStages = std::move(require);
    f.required = !f.requiredStages.empty() && f.requiredStages.size() == f.stages.size();
    return *this;
  }
};

std::vector<FieldSpec> buildCatalog() {
  using T = FieldType;
  using F = FieldFormat;
  const Codes complete = {"complete"};
  const Codes pickup = {"pickup"};
  std::vector<Def> d = {
      Def("spec").req().table("spec_versions").gateway(),
      Def("event_id").req().pat("^[A-Za-z0-9._:-]{1,128}$").gateway(),
      Def("case_no").req().pat("^[A-Za-z0-9-]{1,64}$"),
      Def("stage").req().table("stages"),
      Def("seq", T::kInteger).req().min(1),
      Def("version", T::kInteger).req().min(1),
      Def("occurred_at").req().fmt(F::kDateTime),
      Def("item", T::kObject).req(),
      Def("item.code").req().pat("^[0-9A-Za-z]{1,64}$"),
      Def("item.name").req().len(1, 200),
      Def("item.situation_code").len(1, 64),
      Def("department", T::kObject).req(),
      Def("department.name").req().len(1, 100),
      Def("department.uscc").req().pat("^[0-9A-HJ-NPQRTUWXY]{18}$"),
      Def("department.region_code").req().pat("^[0-9]{6}$"),
      Def("applicant", T::kObject).req(),
      Def("applicant.type").req().table("applicant_types"),
      Def("applicant.name").req().len(1, 100),
      Def("applicant.id_type").req().table("id_types"),
      Def("applicant.id_no").req().len(1, 64),
      Def("applicant.mobile"),
      Def("channel").table("channels").on({"submit"}, {"submit"}),
      Def("promise", T::kObject),
      Def("promise.limit", T::kInteger).req().min(1),
      Def("promise.unit").req().table("time_units"),
      Def("handler", T::kObject),
      Def("handler.name").len(1, 50),
      Def("handler.staff_no").len(1, 32),
      Def("detail", T::kObject)
          .on({"submit", "preaccept", "accept", "approve", "supplement_notice", "supplement_accept",
               "special_request", "special_result", "complete", "pickup"},
              {"preaccept", "accept", "approve", "supplement_notice", "supplement_accept",
               "special_request", "special_result", "complete"}),
      Def("detail.materials", T::kStringArray)
          .len(1, 200)
          .on({"submit", "supplement_notice", "supplement_accept"},
              {"supplement_notice", "supplement_accept"}),
      Def("detail.decision")
          .on({"preaccept", "accept", "approve"}, {"preaccept", "accept", "approve"}),
      Def("detail.reason")
          .len(1, 500)
          .on({"preaccept", "accept", "supplement_notice", "special_request"},
              {"supplement_notice", "special_request"}),
      Def("detail.receipt_no").len(1, 64).on({"accept"}),
      Def("detail.step").table("approval_steps").on({"approve"}, {"approve"}),
      Def("detail.opinion").len(0, 1000).on({"approve"}),
      Def("detail.deadline").fmt(F::kDate).on({"supplement_notice"}, {"supplement_notice"}),
      Def("detail.kind").table("special_kinds").on({"special_request"}, {"special_request"}),
      Def("detail.start_date").fmt(F::kDate).on({"special_request"}, {"special_request"}),
      Def("detail.expected_days", T::kInteger).min(1).on({"special_request"}, {"special_request"}),
      Def("detail.result")
          .len(1, 500)
          .on({"special_result", "complete"}, {"special_result", "complete"}),
      Def("detail.end_date").fmt(F::kDate).on({"special_result"}, {"special_result"}),
      Def("detail.description").len(1, 500).on(complete, complete),
      Def("detail.certificate", T::kObject).on(complete),
      Def("detail.certificate.name").len(1, 100).on(complete).req(),
      Def("detail.certificate.number").len(1, 64).on(complete).req(),
      Def("detail.certificate.valid_until").fmt(F::kDate).on(complete),
      Def("detail.certificate.issuer").len(1, 100).on(complete).req(),
      Def("detail.fee", T::kObject).on(complete),
      Def("detail.fee.amount").fmt(F::kDecimal2).on(complete).req(),
      Def("detail.fee.currency").table("currencies").on(complete).req(),
      Def("detail.method").table("pickup_methods").on(pickup),
      Def("detail.picked_at").fmt(F::kDateTime).on(pickup),
      Def("source", T::kObject).req(),
      Def("source.system").req().len(1, 64).gateway(),
      Def("source.record_id").len(1, 128),
      Def("source.received_at").req().fmt(F::kDateTime).gateway(),
  };
  std::vector<FieldSpec> out;
  out.reserve(d.size());
  for (auto& def : d) {
    if (def.f.type == FieldType::kStringArray) {
      def.f.minItems = 1;
    }
    out.push_back(std::move(def.f));
  }
  return out;
}

bool contains(const Codes& codes, std::string_view value) {
  return std::find(codes.begin(), codes.end(), value) != codes.end();
}

bool isStageDependent(const FieldSpec& field) {
  return !field.stages.empty();
}

}  // namespace

const std::vector<FieldSpec>& caseEventFields() {
  static const std::vector<FieldSpec> fields = buildCatalog();
  return fields;
}

const FieldSpec* findField(std::string_view dotted) {
  for (const FieldSpec& f : caseEventFields()) {
    if (f.name == dotted) {
      return &f;
    }
  }
  return nullptr;
}

const std::vector<std::string>& codeTable(std::string_view name) {
  for (const NamedTable& t : allTables()) {
    if (t.name == name) {
      return t.codes;
    }
  }
  static const Codes empty;
  return empty;
}

const std::vector<std::string>& stages() {
  return codeTable("stages");
}

bool isCode(std::string_view name, std::string_view value) {
  return contains(codeTable(name), value);
}

std::string_view codeTableFor(const FieldSpec& field, std::string_view stage) {
  if (!field.codeTable.empty()) {
    return field.codeTable;
  }
  if (field.name == "detail.decision") {
    if (stage == "preaccept") {
      return "preaccept_decisions";
    }
    if (stage == "accept") {
      return "accept_decisions";
    }
    if (stage == "approve") {
      return "approval_decisions";
    }
  } else if (field.name == "detail.result" && stage == "complete") {
    return "completion_results";
  }
  return {};
}

bool allowedOnStage(const FieldSpec& field, std::string_view stage) {
  return !isStageDependent(field) || contains(field.stages, stage);
}

bool requiredOnStage(const FieldSpec& field, std::string_view stage) {
  if (!field.requiredStages.empty()) {
    return contains(field.requiredStages, stage);
  }
  return field.required && allowedOnStage(field, stage);
}

}  // namespace huitong::validation
