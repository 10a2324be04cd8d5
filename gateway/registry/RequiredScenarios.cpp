#include "gateway/registry/RequiredScenarios.h"

#include <set>

#include "gateway/core/Json.h"

namespace huitong::registry {
namespace {

constexpr std::size_t kMaxScenarios = 50;

Error invalid(const std::string& where, const std::string& message) {
  return Error{"filing.invalid", where + " " + message, where};
}

bool isToken(const std::string& s, std::size_t max, const char* extra) {
  if (s.empty() || s.size() > max)
    return false;
  for (unsigned char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          std::string(extra).find(static_cast<char>(c)) != std::string::npos))
      return false;
  }
  return true;
}

Result<std::string> text(const rapidjson::Value& o, const char* key, const std::string& where,
                         std::size_t max) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd())
    return std::string();
  if (!it->value.IsString())
    return invalid(where + "." + key, "must be a string");
  std::string v(it->value.GetString(), it->value.GetStringLength());
  if (v.size() > max)
    return invalid(where + "." + key, "is longer than " + std::to_string(max) + " bytes");
  return v;
}

}  // namespace

Result<std::string> normalizeScenarios(const rapidjson::Value& scenarios) {
  if (scenarios.IsNull())
    return std::string();
  if (!scenarios.IsArray())
    return invalid("scenarios", "must be a list: \"defaults\" and/or {name, stage, verdict, rule}");
  if (scenarios.Empty())
    return invalid("scenarios",
                   "is empty: nothing could pass; leave scenarios out for the defaults");
  if (scenarios.Size() > kMaxScenarios)
    return invalid("scenarios", "has more than " + std::to_string(kMaxScenarios) + " entries");
  rapidjson::Document out(rapidjson::kArrayType);
  auto& a = out.GetAllocator();
  std::set<std::string> names;
  bool defaults = false;
  for (rapidjson::SizeType i = 0; i < scenarios.Size(); ++i) {
    const std::string where = "scenarios[" + std::to_string(i) + "]";
    const auto& e = scenarios[i];
    if (e.IsString()) {
      if (std::string(e.GetString()) != "defaults" || defaults)
        return invalid(where, "as a string can only be \"defaults\", once");
      defaults = true;
      out.PushBack("defaults", a);
      continue;
    }
    if (!e.IsObject())
      return invalid(where, "must be \"defaults\" or an object {name, stage, verdict, rule}");
    for (auto m = e.MemberBegin(); m != e.MemberEnd(); ++m) {
      const std::string k = m->name.GetString();
      if (k != "name" && k != "description" && k != "stage" && k != "verdict" && k != "rule")
        return invalid(where + "." + k,
                       "is not a scenario field (name, description, stage, "
                       "verdict, rule)");
    }
    ScenarioSpec s;
    auto name = text(e, "name", where, 64);
    if (!name.ok())
      return name.error();
    s.name = name.value();
    if (s.name.empty())
      return invalid(where + ".name", "is required");
    if (s.name == "invalid" || s.name.rfind("stage:", 0) == 0)
      return invalid(where + ".name", "'" + s.name + "' is a default scenario's name");
    if (!names.insert(s.name).second)
      return invalid(where + ".name", "'" + s.name + "' is used twice");
    auto description = text(e, "description", where, 500);
    if (!description.ok())
      return description.error();
    auto stage = text(e, "stage", where, 32);
    if (!stage.ok())
      return stage.error();
    if (!stage.value().empty() && !isToken(stage.value(), 32, ""))
      return invalid(where + ".stage", "must be a stage code such as \"submit\"");
    auto verdict = text(e, "verdict", where, 16);
    if (!verdict.ok())
      return verdict.error();
    const std::string v = verdict.value().empty() ? "accepted" : verdict.value();
    if (v != "accepted" && v != "duplicate" && v != "conflict" && v != "rejected")
      return invalid(where + ".verdict", "must be accepted, duplicate, conflict or rejected");
    auto rule = text(e, "rule", where, 64);
    if (!rule.ok())
      return rule.error();
    if (!rule.value().empty()) {
      if (v != "rejected")
        return invalid(where + ".rule", "only a rejected scenario names a broken rule");
      if (!isToken(rule.value(), 64, "."))
        return invalid(where + ".rule", "must be a rule code such as \"resident_id_checksum\"");
    }
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("name", json::string(s.name, a), a);
    if (!description.value().empty())
      o.AddMember("description", json::string(description.value(), a), a);
    if (!stage.value().empty())
      o.AddMember("stage", json::string(stage.value(), a), a);
    o.AddMember("verdict", json::string(v, a), a);
    if (!rule.value().empty())
      o.AddMember("rule", json::string(rule.value(), a), a);
    out.PushBack(o, a);
  }
  return json::write(out);
}

Result<RequiredScenarios> parseScenarios(const std::string& text) {
  RequiredScenarios r;
  if (text.empty())
    return r;
  auto doc = json::parse(text);
  if (!doc.ok())
    return Error{"filing.invalid", "stored scenarios are not JSON: " + doc.error().message, ""};
  auto normal = normalizeScenarios(doc.value());
  if (!normal.ok())
    return normal.error();
  r.defaults = false;
  for (const auto& e : doc.value().GetArray()) {
    if (e.IsString()) {
      r.defaults = true;
      continue;
    }
    ScenarioSpec s;
    auto get = [&](const char* key) {
      auto it = e.FindMember(key);
      return it == e.MemberEnd() ? std::string() : std::string(it->value.GetString());
    };
    s.name = get("name");
    s.description = get("description");
    s.stage = get("stage");
    s.verdict = get("verdict").empty() ? "accepted" : get("verdict");
    s.rule = get("rule");
    r.own.push_back(std::move(s));
  }
  return r;
}

}  // namespace huitong::registry
