// The closed set of transforms a field rule may apply, left to right in the order written:
// trim, upper, lower, datetime, code, split, join, regex, keep_if, scale, places, template,
// default. Each is compiled once from its JSON option; apply() is const and thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Error.h"
#include "gateway/mapping/Value.h"
#include "gateway/validation/CaseEventSchema.h"

namespace huitong::mapping {

// What a transform sees besides its input: selectors in templates read the current record.
struct EvalContext {
  const rapidjson::Value* message = nullptr;
  const rapidjson::Value* record = nullptr;
};

// A transform's refusal of a value: the spec §3 code to report and why.
struct TransformFailure {
  std::string code;
  std::string message;
};

class Transform {
 public:
  virtual ~Transform() = default;
  virtual const char* name() const = 0;
  // Rewrites v; returns false (with `failure` set) when the value cannot be converted.
  virtual bool apply(Val& v, const EvalContext& ctx, TransformFailure& failure) const = 0;
  // Whether the transform runs on an absent value (only `default` does).
  virtual bool appliesToAbsent() const { return false; }
};

// A named code table: source value -> target value (a string, number or, for rules with
// several targets, an object of target -> value). "*" is the fallback entry.
struct CodeTable {
  std::string name;
  rapidjson::Document storage;  // owns the object entries that kJson values point into
  std::unordered_map<std::string, Val> entries;
  std::unique_ptr<Val> fallback;
};

// Compiles the transform `key` with option `option` for a rule whose (first) target is
// `target`. Tables are looked up by name in `tables`. `doc` owns constants. Errors carry the
// message only; the caller adds file:line:column.
Result<std::unique_ptr<Transform>> compileTransform(
    const std::string& key, const rapidjson::Value& option, const validation::FieldSpec* target,
    const std::unordered_map<std::string, std::shared_ptr<const CodeTable>>& tables,
    rapidjson::Document& doc);

// Whether `key` names a transform (so that the compiler can tell transforms from mistakes).
bool isTransformName(const std::string& key);

// Builds a code table from its JSON definition (object of source value -> target value).
Result<std::shared_ptr<const CodeTable>> compileCodeTable(const std::string& name,
                                                          const rapidjson::Value& def);

}  // namespace huitong::mapping
