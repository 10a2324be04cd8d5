#include "gateway/app/FilingSeed.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "gateway/exchange/MappingSet.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/http/GatewayServer.h"
#include "gateway/mapping/PositionedJson.h"

namespace huitong::app {
namespace {

using registry::FilingState;

constexpr FilingState kPath[] = {FilingState::kRequested, FilingState::kConfiguring,
                                 FilingState::kJointDebugging, FilingState::kOnline};

int stepOf(FilingState s) {
  for (int i = 0; i < 4; ++i) {
    if (kPath[i] == s)
      return i;
  }
  return -1;
}

}  // namespace

Result<std::vector<SeedFiling>> readSeedFile(const std::string& path,
                                             const std::vector<std::string>& systems) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{"config.invalid", "cannot read the filings file", path};
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = mapping::PositionedJson::parse(text.str(), path);
  if (!parsed.ok())
    return Error{"config.invalid", parsed.error().message, parsed.error().path};
  const auto& file = parsed.value();
  auto fail = [&](const std::string& pointer, const std::string& message) {
    return Error{"config.invalid", message, file.where(pointer)};
  };
  const rapidjson::Value& root = file.root();
  if (!root.IsObject() || !root.HasMember("filings") || !root["filings"].IsArray())
    return fail("", "a filings file is {\"filings\": [ ... ]}");
  for (auto m = root.MemberBegin(); m != root.MemberEnd(); ++m) {
    if (std::string(m->name.GetString()) != "filings")
      return fail("/" + mapping::pointerToken(m->name.GetString()),
                  "unknown key '" + std::string(m->name.GetString()) + "' (expected filings)");
  }
  static const std::vector<std::string> kKeys{"system",       "item_code",     "item_name",
                                              "contact_name", "contact_phone", "notes",
                                              "state",        "scenarios"};
  std::vector<SeedFiling> out;
  std::set<std::pair<std::string, std::string>> seen;
  const auto& list = root["filings"];
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const std::string at = "/filings/" + std::to_string(i);
    const auto& f = list[i];
    if (!f.IsObject())
      return fail(at, "each filing is an object");
    for (auto m = f.MemberBegin(); m != f.MemberEnd(); ++m) {
      const std::string k = m->name.GetString();
      if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
        return fail(at + "/" + mapping::pointerToken(k),
                    "unknown key '" + k +
                        "' (expected system, item_code, item_name, contact_name, "
                        "contact_phone, notes, state, scenarios)");
      }
      if (k == "scenarios")
        continue;  // a list, checked below
      if (!m->value.IsString())
        return fail(at + "/" + mapping::pointerToken(k), k + " must be a string");
    }
    auto str = [&](const char* key) {
      return f.HasMember(key) ? std::string(f[key].GetString()) : std::string();
    };
    SeedFiling s;
    s.where = file.where(at);
    s.filing.system = str("system");
    s.filing.itemCode = str("item_code");
    s.filing.itemName = str("item_name");
    s.filing.contactName = str("contact_name");
    s.filing.contactPhone = str("contact_phone");
    s.filing.notes = str("notes");
    if (f.HasMember("scenarios")) {
      auto scenarios = registry::normalizeScenarios(f["scenarios"]);
      if (!scenarios.ok())
        return fail(at + "/scenarios", scenarios.error().message);
      s.filing.scenarios = scenarios.value();
    }
    if (s.filing.system.empty())
      return fail(at, "system is required");
    if (std::find(systems.begin(), systems.end(), s.filing.system) == systems.end())
      return fail(at + "/system", "system '" + s.filing.system + "' is not a system of the config");
    if (s.filing.itemCode.empty())
      return fail(at, "item_code is required");
    if (!seen.insert({s.filing.system, s.filing.itemCode}).second) {
      return fail(at + "/item_code",
                  "item " + s.filing.itemCode + " of " + s.filing.system + " is in the file twice");
    }
    if (f.HasMember("state")) {
      const auto state = registry::filingStateFrom(str("state"));
      if (!state || stepOf(*state) < 0) {
        return fail(at + "/state",
                    "state is requested, configuring, joint_debugging or online (not '" +
                        str("state") + "')");
      }
      s.state = *state;
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<SeedReport> applySeed(const std::vector<SeedFiling>& seed, const SeedContext& ctx) {
  const registry::Actor actor{kSeedActor, registry::Role::kAdmin, ""};
  SeedReport report;
  std::vector<const SeedFiling*> create;
  for (const auto& s : seed) {
    auto existing = ctx.filings.get(s.filing.system, s.filing.itemCode);
    if (!existing.ok())
      return Error{existing.error().code, existing.error().message, s.where};
    if (const auto& f = existing.value()) {
      ++report.kept;
      std::vector<std::pair<std::string, std::string>> diff;
      auto differs = [&](const char* key, const std::string& file, const std::string& on) {
        if (file != on)
          diff.emplace_back(key, "file '" + file + "', on file '" + on + "'");
      };
      differs("item_name", s.filing.itemName, f->itemName);
      differs("contact_name", s.filing.contactName, f->contactName);
      differs("contact_phone", s.filing.contactPhone, f->contactPhone);
      differs("scenarios", s.filing.scenarios, f->scenarios);
      differs("state", registry::toString(s.state), registry::toString(f->state));
      if (!diff.empty()) {
        ++report.differing;
        diff.insert(diff.begin(), {{"filing", registry::filingTarget(f->system, f->itemCode)},
                                   {"seed", s.where}});
        ctx.log("warning", "filing on file differs from the seed file; left as it is", diff);
      }
      continue;
    }
    if (s.state == FilingState::kJointDebugging || s.state == FilingState::kOnline) {
      const std::string version = ctx.mappingVersion(s.filing.system);
      if (version.empty()) {
        return Error{"config.invalid",
                     "no mapping is loaded for system " + s.filing.system + " to seed item " +
                         s.filing.itemCode + " with",
                     s.where};
      }
      if (s.state == FilingState::kOnline &&
          (!ctx.checks.mappingVersionPublished(s.filing.system, version) ||
           !ctx.checks.sandboxEvidencePassed(s.filing.system, s.filing.itemCode, version))) {
        return Error{"config.invalid",
                     "item " + s.filing.itemCode + " of " + s.filing.system +
                         " cannot go online: mapping version " + version +
                         " is not published or has no recorded passing sandbox evidence "
                         "(registry.assume_sandbox_evidence)",
                     s.where};
      }
    }
    create.push_back(&s);
  }
  for (const SeedFiling* s : create) {
    auto made = ctx.filings.create(s->filing, actor);
    if (!made.ok())
      return Error{made.error().code, made.error().message, s->where};
    std::int64_t version = made.value().version;
    for (int step = 1; step <= stepOf(s->state); ++step) {
      registry::MoveRequest move;
      move.to = kPath[step];
      move.expectedVersion = version;
      if (move.to == FilingState::kJointDebugging || move.to == FilingState::kOnline)
        move.mappingVersion = ctx.mappingVersion(s->filing.system);
      auto moved = ctx.filings.move(s->filing.system, s->filing.itemCode, move, actor);
      if (!moved.ok()) {
        return Error{moved.error().code,
                     "filing " + s->filing.system + "/" + s->filing.itemCode +
                         " could not move to " + registry::toString(move.to) + ": " +
                         moved.error().message,
                     s->where};
      }
      version = moved.value().version;
    }
    ++report.created;
    ctx.log("info", "filing seeded",
            {{"filing", registry::filingTarget(s->filing.system, s->filing.itemCode)},
             {"state", registry::toString(s->state)},
             {"seed", s->where}});
  }
  return report;
}

Result<void> seedFilings(const http::GatewayConfig& config, const exchange::MappingSet& mappings,
                         registry::RegistryService& filings, const registry::GoLiveChecks& checks) {
  if (config.filingsFile.empty())
    return {};
  std::vector<std::string> systems;
  for (const auto& s : config.systems)
    systems.push_back(s.id);
  auto seed = readSeedFile(config.filingsFile, systems);
  if (!seed.ok())
    return seed.error();
  SeedContext ctx{filings, checks,
                  [&mappings](const std::string& system) {
                    const auto m = mappings.find(system);
                    return m ? m->version() : std::string();
                  },
                  [](const std::string& level, const std::string& message,
                     const std::vector<std::pair<std::string, std::string>>& fields) {
                    http::logLine(level, message, fields);
                  }};
  auto done = applySeed(seed.value(), ctx);
  if (!done.ok())
    return done.error();
  http::logLine("info", "filings seeded",
                {{"file", config.filingsFile},
                 {"created", std::to_string(done.value().created)},
                 {"kept", std::to_string(done.value().kept)},
                 {"differing", std::to_string(done.value().differing)}});
  return {};
}

}  // namespace huitong::app
