// The catalog against the contract's own files: case-event.schema.json and codes.json
// (read from ../shared/spec relative to the repository root, the tests' working directory).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "gateway/core/Json.h"
#include "gateway/validation/CaseEventSchema.h"

namespace hv = huitong::validation;

namespace {

std::optional<rapidjson::Document> loadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = huitong::json::parse(text.str());
  if (!parsed.ok()) {
    BOOST_FAIL(path << ": " << parsed.error().describe());
  }
  return std::move(parsed).value();
}

std::string str(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

std::vector<std::string> strings(const rapidjson::Value& array) {
  std::vector<std::string> out;
  for (const auto& v : array.GetArray()) {
    out.push_back(str(v));
  }
  return out;
}

bool listed(const rapidjson::Value& schema, const char* list, const std::string& key) {
  if (!schema.HasMember(list)) {
    return false;
  }
  for (const auto& v : schema[list].GetArray()) {
    if (str(v) == key) {
      return true;
    }
  }
  return false;
}

hv::FieldType typeOf(const rapidjson::Value& prop) {
  const std::string t = str(prop["type"]);
  if (t == "integer") {
    return hv::FieldType::kInteger;
  }
  if (t == "object") {
    return hv::FieldType::kObject;
  }
  if (t == "array") {
    BOOST_TEST(str(prop["items"]["type"]) == "string");
    return hv::FieldType::kStringArray;
  }
  BOOST_TEST(t == "string");
  return hv::FieldType::kString;
}

unsigned uintOr0(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) ? v[key].GetUint() : 0u;
}

// Compares the properties of one schema object with the catalog. `stage` is set inside a oneOf
// branch's detail; schemaNames collects every field name the schema defines (with its stages).
void compareObject(const rapidjson::Value& schema, const std::string& prefix,
                   const std::string& stage, std::map<std::string, std::set<std::string>>& seen) {
  if (!schema.HasMember("properties")) {
    return;
  }
  BOOST_TEST(schema.HasMember("additionalProperties"));
  for (const auto& m : schema["properties"].GetObject()) {
    const std::string name = prefix + str(m.name);
    const rapidjson::Value& prop = m.value;
    BOOST_TEST_CONTEXT(name << (stage.empty() ? "" : " on " + stage)) {
      const hv::FieldSpec* f = hv::findField(name);
      BOOST_TEST_REQUIRE(f != nullptr, "schema field missing from the catalog");
      seen[name];
      if (!stage.empty()) {
        seen[name].insert(stage);
        BOOST_TEST(hv::allowedOnStage(*f, stage));
      }
      BOOST_TEST(static_cast<int>(f->type) == static_cast<int>(typeOf(prop)));
      const bool required = listed(schema, "required", str(m.name));
      if (!stage.empty() && prefix == "detail.") {
        BOOST_TEST(hv::requiredOnStage(*f, stage) == required);
      } else if (!f->stages.empty() && stage.empty()) {
        // channel and detail: required per stage, compared with the oneOf branches below.
        BOOST_TEST(!required);
      } else {
        BOOST_TEST(f->required == required);
      }
      const std::string pattern = prop.HasMember("pattern") ? str(prop["pattern"]) : "";
      BOOST_TEST(f->pattern == pattern);
      BOOST_TEST(f->minimum == (prop.HasMember("minimum") ? prop["minimum"].GetInt64() : 0));
      const std::string table(hv::codeTableFor(*f, stage));
      if (prop.HasMember("enum")) {
        BOOST_TEST(!table.empty(), "an enum needs a code table");
        BOOST_TEST(hv::codeTable(table) == strings(prop["enum"]), boost::test_tools::per_element());
      } else {
        BOOST_TEST(table.empty());
        const rapidjson::Value& lengths =
            f->type == hv::FieldType::kStringArray ? prop["items"] : prop;
        BOOST_TEST(f->minLength == uintOr0(lengths, "minLength"));
        BOOST_TEST(f->maxLength == uintOr0(lengths, "maxLength"));
      }
      BOOST_TEST(f->minItems == uintOr0(prop, "minItems"));
      compareObject(prop, name + ".", stage, seen);
    }
  }
}

const char* kSchemaPath = "../shared/spec/case-event.schema.json";
const char* kCodesPath = "../shared/spec/codes.json";

}  // namespace

BOOST_AUTO_TEST_SUITE(case_event_schema)

BOOST_AUTO_TEST_CASE(catalog_agrees_with_schema_file) {
  const auto schema = loadJson(kSchemaPath);
  if (!schema) {
    BOOST_TEST_MESSAGE("skipped: " << kSchemaPath << " not found (run from the repository root)");
    return;
  }
  std::map<std::string, std::set<std::string>> seen;  // field -> stages naming it in oneOf
  compareObject(*schema, "", "", seen);

  const hv::FieldSpec* channel = hv::findField("channel");
  const hv::FieldSpec* detail = hv::findField("detail");
  BOOST_TEST_REQUIRE(channel != nullptr);
  BOOST_TEST_REQUIRE(detail != nullptr);
  std::set<std::string> branchStages;
  for (const auto& branch : (*schema)["oneOf"].GetArray()) {
    const std::string stage = str(branch["properties"]["stage"]["enum"][0]);
    branchStages.insert(stage);
    BOOST_TEST_CONTEXT("oneOf branch " << stage) {
      BOOST_TEST(hv::requiredOnStage(*detail, stage) == listed(branch, "required", "detail"));
      BOOST_TEST(hv::requiredOnStage(*channel, stage) == listed(branch, "required", "channel"));
      if (branch.HasMember("not")) {
        BOOST_TEST(!hv::allowedOnStage(*channel, stage));
      }
      // The complete branch lacks the schema's "not required channel"; spec §2 says channel is
      // absent on every stage but submit, and the catalog follows the spec.
      BOOST_TEST(hv::allowedOnStage(*channel, stage) == (stage == "submit"));
      compareObject(branch["properties"]["detail"], "detail.", stage, seen);
    }
  }
  BOOST_TEST(
      std::vector<std::string>(branchStages.begin(), branchStages.end()) ==
          [] {
            auto s = hv::stages();
            std::sort(s.begin(), s.end());
            return s;
          }(),
      boost::test_tools::per_element());

  for (const hv::FieldSpec& f : hv::caseEventFields()) {
    BOOST_TEST_CONTEXT(f.name) {
      const auto it = seen.find(f.name);
      BOOST_TEST_REQUIRE((it != seen.end()), "catalog field missing from the schema");
      if (f.name.rfind("detail.", 0) == 0) {
        const std::set<std::string> catalogStages(f.stages.begin(), f.stages.end());
        BOOST_TEST((catalogStages == it->second));
      }
      if (!f.codeTable.empty()) {
        BOOST_TEST(!hv::codeTable(f.codeTable).empty());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(code_tables_agree_with_codes_file) {
  const auto codes = loadJson(kCodesPath);
  if (!codes) {
    BOOST_TEST_MESSAGE("skipped: " << kCodesPath << " not found (run from the repository root)");
    return;
  }
  std::size_t tables = 0;
  for (const auto& table : codes->GetObject()) {
    BOOST_TEST_CONTEXT(str(table.name)) {
      std::vector<std::string> keys;
      for (const auto& code : table.value.GetObject()) {
        keys.push_back(str(code.name));
      }
      BOOST_TEST(hv::codeTable(str(table.name)) == keys, boost::test_tools::per_element());
      ++tables;
    }
  }
  BOOST_TEST(tables == 12u);
  BOOST_TEST(hv::stages() == hv::codeTable("stages"), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(catalog_shape) {
  std::set<std::string> byGateway;
  std::set<std::string> names;
  for (const hv::FieldSpec& f : hv::caseEventFields()) {
    BOOST_TEST(names.insert(f.name).second, f.name << " listed twice");
    if (f.setByGateway) {
      byGateway.insert(f.name);
    }
    const std::size_t dot = f.name.rfind('.');
    if (dot != std::string::npos) {
      const hv::FieldSpec* parent = hv::findField(f.name.substr(0, dot));
      BOOST_TEST_REQUIRE(parent != nullptr, f.name);
      BOOST_TEST((parent->type == hv::FieldType::kObject));
    }
  }
  BOOST_TEST((byGateway ==
              std::set<std::string>{"spec", "event_id", "source.system", "source.received_at"}));
  const auto format = [](const char* name) { return hv::findField(name)->format; };
  BOOST_TEST((format("occurred_at") == hv::FieldFormat::kDateTime));
  BOOST_TEST((format("source.received_at") == hv::FieldFormat::kDateTime));
  BOOST_TEST((format("detail.picked_at") == hv::FieldFormat::kDateTime));
  BOOST_TEST((format("detail.deadline") == hv::FieldFormat::kDate));
  BOOST_TEST((format("detail.start_date") == hv::FieldFormat::kDate));
  BOOST_TEST((format("detail.end_date") == hv::FieldFormat::kDate));
  BOOST_TEST((format("detail.certificate.valid_until") == hv::FieldFormat::kDate));
  BOOST_TEST((format("detail.fee.amount") == hv::FieldFormat::kDecimal2));
  BOOST_TEST(hv::findField("detail.materials[0]") == nullptr);
  BOOST_TEST(hv::findField("nope") == nullptr);
  BOOST_TEST(hv::codeTable("nope").empty());

  const hv::FieldSpec& reason = *hv::findField("detail.reason");
  BOOST_TEST((reason.stages == std::vector<std::string>{"preaccept", "accept", "supplement_notice",
                                                        "special_request"}));
  BOOST_TEST(!reason.required);
  BOOST_TEST(hv::requiredOnStage(reason, "supplement_notice"));
  BOOST_TEST(!hv::requiredOnStage(reason, "accept"));  // conditional: a Validator rule
  const hv::FieldSpec& decision = *hv::findField("detail.decision");
  BOOST_TEST(decision.codeTable.empty());
  BOOST_TEST(hv::codeTableFor(decision, "accept") == "accept_decisions");
  BOOST_TEST(hv::codeTableFor(decision, "approve") == "approval_decisions");
  const hv::FieldSpec& result = *hv::findField("detail.result");
  BOOST_TEST(hv::codeTableFor(result, "complete") == "completion_results");
  BOOST_TEST(hv::codeTableFor(result, "special_result").empty());
  BOOST_TEST(hv::isCode("id_types", "001"));
  BOOST_TEST(!hv::isCode("id_types", "01"));
}

BOOST_AUTO_TEST_SUITE_END()
