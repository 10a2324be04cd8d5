#include "sandbox/joint_debug/Evidence.h"

#include <algorithm>
#include <set>

#include "gateway/core/Json.h"
#include "gateway/mapping/PositionedJson.h"
#include "gateway/validation/CaseEventSchema.h"

namespace huitong::sandbox {
namespace {

void addIfStage(const rapidjson::Value& v, std::set<std::string>& out) {
  if (v.IsString() && validation::isCode("stages", v.GetString()))
    out.insert(v.GetString());
}

// A rule's targets ("stage, seq, detail.step") include "stage".
bool targetsStage(const std::string& targets) {
  std::size_t start = 0;
  while (start <= targets.size()) {
    auto comma = targets.find(',', start);
    std::string t =
        targets.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    t.erase(0, t.find_first_not_of(' '));
    t.erase(t.find_last_not_of(' ') + 1);
    if (t == "stage")
      return true;
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return false;
}

// The stage values a table's entries give: {"X": {"stage": "submit"}} or, for a table the stage
// rule names, {"X": "submit"}.
void tableStages(const rapidjson::Value& table, bool plainValues, std::set<std::string>& out) {
  if (!table.IsObject())
    return;
  for (auto it = table.MemberBegin(); it != table.MemberEnd(); ++it) {
    const auto& v = it->value;
    if (v.IsObject()) {
      auto s = v.FindMember("stage");
      if (s != v.MemberEnd())
        addIfStage(s->value, out);
    } else if (plainValues) {
      addIfStage(v, out);
    }
  }
}

}  // namespace

Result<std::vector<std::string>> producibleStages(const std::string& mappingJson) {
  // Read as the mapping compiler reads it: `//` comments (every scaffolded draft has them).
  auto doc = mapping::PositionedJson::parse(mappingJson, "mapping.json");
  if (!doc.ok() || !doc.value().root().IsObject())
    return Error{"evidence.mapping", "the mapping version's mapping.json is not a JSON object", ""};
  const auto& m = doc.value().root();
  std::set<std::string> found;
  if (auto st = m.FindMember("stages"); st != m.MemberEnd() && st->value.IsObject()) {
    for (auto it = st->value.MemberBegin(); it != st->value.MemberEnd(); ++it)
      addIfStage(it->name, found);
  }
  std::set<std::string> stageTables;
  if (auto f = m.FindMember("fields"); f != m.MemberEnd() && f->value.IsObject()) {
    for (auto it = f->value.MemberBegin(); it != f->value.MemberEnd(); ++it) {
      if (!targetsStage(it->name.GetString()))
        continue;
      const auto& rule = it->value;
      if (!rule.IsObject())
        continue;
      if (auto c = rule.FindMember("const"); c != rule.MemberEnd()) {
        addIfStage(c->value, found);
        if (c->value.IsObject()) {
          if (auto s = c->value.FindMember("stage"); s != c->value.MemberEnd())
            addIfStage(s->value, found);
        }
      }
      if (auto c = rule.FindMember("code"); c != rule.MemberEnd()) {
        if (c->value.IsString())
          stageTables.insert(c->value.GetString());
        else
          tableStages(c->value, true, found);
      }
    }
  }
  if (auto t = m.FindMember("tables"); t != m.MemberEnd() && t->value.IsObject()) {
    for (auto it = t->value.MemberBegin(); it != t->value.MemberEnd(); ++it)
      tableStages(it->value, stageTables.count(it->name.GetString()) > 0, found);
  }
  std::vector<std::string> ordered;
  for (const auto& s : validation::stages()) {
    if (found.count(s))
      ordered.push_back(s);
  }
  return ordered;
}

std::vector<Scenario> evaluateScenarios(const std::vector<std::string>& stages,
                                        const std::vector<EvidenceEvent>& events) {
  auto remember = [](std::vector<std::string>& list, const std::string& id) {
    if (std::find(list.begin(), list.end(), id) == list.end())
      list.push_back(id);
  };
  std::vector<Scenario> out;
  for (const auto& stage : stages) {
    Scenario s;
    s.name = "stage:" + stage;
    s.description = "an event of the item at stage " + stage +
                    " accepted by the mock platform (accepted or already held: duplicate)";
    for (const auto& e : events) {
      if (e.stage != stage)
        continue;
      if (e.verdict == "accepted" || e.verdict == "duplicate")
        remember(s.sessions, e.sessionId);
      else
        remember(s.attempts, e.sessionId);
    }
    s.passed = !s.sessions.empty();
    out.push_back(std::move(s));
  }
  Scenario invalid;
  invalid.name = "invalid";
  invalid.description =
      "a deliberately invalid message of the item, rejected with at least one broken rule";
  for (const auto& e : events) {
    if (e.verdict == "rejected" && e.rules > 0)
      remember(invalid.sessions, e.sessionId);
  }
  invalid.passed = !invalid.sessions.empty();
  out.push_back(std::move(invalid));
  return out;
}

std::vector<Scenario> evaluateScenarios(const registry::RequiredScenarios& required,
                                        const std::vector<std::string>& stages,
                                        const std::vector<EvidenceEvent>& events) {
  std::vector<Scenario> out;
  if (required.defaults)
    out = evaluateScenarios(stages, events);
  for (const auto& spec : required.own) {
    Scenario s;
    s.name = spec.name;
    std::string wanted = spec.verdict == "accepted" ? "an event accepted by the mock platform "
                                                      "(accepted or already held: duplicate)"
                                                    : "an event judged " + spec.verdict;
    if (!spec.stage.empty())
      wanted += " at stage " + spec.stage;
    if (!spec.rule.empty())
      wanted += " with broken rule " + spec.rule;
    s.description = spec.description.empty() ? wanted : spec.description + " (" + wanted + ")";
    if (!spec.stage.empty() && std::find(stages.begin(), stages.end(), spec.stage) == stages.end())
      s.description += "; this mapping version cannot produce stage " + spec.stage;
    for (const auto& e : events) {
      if (!spec.stage.empty() && e.stage != spec.stage)
        continue;
      const bool verdictMatches = spec.verdict == "accepted"
                                      ? e.verdict == "accepted" || e.verdict == "duplicate"
                                      : e.verdict == spec.verdict;
      const bool ruleMatches = spec.rule.empty() ? (spec.verdict != "rejected" || e.rules > 0)
                                                 : std::find(e.ruleCodes.begin(), e.ruleCodes.end(),
                                                             spec.rule) != e.ruleCodes.end();
      // An attempt: an event at the scenario's stage (or, with no stage, of its verdict) that
      // did not pass it.
      if (spec.stage.empty() && !verdictMatches)
        continue;
      auto& list = verdictMatches && ruleMatches ? s.sessions : s.attempts;
      if (std::find(list.begin(), list.end(), e.sessionId) == list.end())
        list.push_back(e.sessionId);
    }
    s.passed = !s.sessions.empty();
    out.push_back(std::move(s));
  }
  return out;
}

bool allPassed(const std::vector<Scenario>& scenarios) {
  if (scenarios.empty())
    return false;
  for (const auto& s : scenarios) {
    if (!s.passed)
      return false;
  }
  return true;
}

}  // namespace huitong::sandbox
