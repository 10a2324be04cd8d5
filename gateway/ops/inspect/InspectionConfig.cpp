#include "gateway/ops/inspect/InspectionConfig.h"

#include <algorithm>

#include "gateway/ops/OpsJobs.h"

namespace huitong::ops::inspect {

namespace {

CheckSettings check(std::string id, std::string title, std::map<std::string, double> normal,
                    std::map<std::string, double> intensified) {
  CheckSettings c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.thresholds = std::move(normal);
  // An intensified threshold not named falls back to the normal one.
  c.intensified = c.thresholds;
  for (const auto& [k, v] : intensified)
    c.intensified[k] = v;
  return c;
}

Result<std::map<std::string, double>> readThresholds(const ConfigNode& node, const std::string& key,
                                                     const std::map<std::string, double>& known,
                                                     std::map<std::string, double> into) {
  auto obj = node.object(key);
  if (!obj)
    return obj.error();
  const ConfigNode& t = obj.value();
  std::vector<std::string> names;
  for (const auto& [k, v] : known)
    names.push_back(k);
  if (auto r = t.allowOnly(names); !r)
    return r.error();
  for (const auto& name : names) {
    if (!t.has(name))
      continue;
    const auto& v = t.value()[name.c_str()];
    if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > 1e12)
      return t.fail(name, name + " is a number from 0 to 1e12");
    into[name] = v.GetDouble();
  }
  return into;
}

}  // namespace

const std::vector<CheckSettings>& knownChecks() {
  static const std::vector<CheckSettings> kChecks = {
      check("gateway", "Gateway health and version", {}, {}),
      check("store.integrity", "Store integrity", {{"full", 0}}, {}),
      check("store.size", "Store size and growth", {{"growth_percent", 25}, {"max_mb", 0}},
            {{"growth_percent", 10}}),
      check("backlog", "Journal and outbox backlog",
            {{"pending_minor", 1000}, {"pending_major", 10000}, {"oldest_pending_minutes", 60}},
            {{"pending_minor", 100}, {"pending_major", 1000}, {"oldest_pending_minutes", 15}}),
      check("dead_letters", "Dead letters", {{"minor", 1}, {"major", 100}},
            {{"minor", 1}, {"major", 10}}),
      check("items", "Per-item health", {{"yellow_is_major", 0}}, {{"yellow_is_major", 1}}),
      check("availability", "Probe availability since the last inspection",
            {{"minor_below_percent", 99}, {"major_below_percent", 95}},
            {{"minor_below_percent", 99.5}, {"major_below_percent", 98}}),
      check("backup", "Last backup and its restore test",
            {{"max_age_hours", 26}, {"verify_max_age_days", 7}},
            {{"max_age_hours", 26}, {"verify_max_age_days", 2}}),
      check("certificates", "Certificate expiry",
            {{"minor_days", 30}, {"major_days", 14}, {"critical_days", 3}},
            {{"minor_days", 45}, {"major_days", 30}, {"critical_days", 7}}),
      check("disk", "Disk headroom of the data folder",
            {{"minor_free_percent", 20}, {"major_free_percent", 10}, {"critical_free_percent", 5}},
            {{"minor_free_percent", 25}, {"major_free_percent", 15}, {"critical_free_percent", 8}}),
      check("config", "Configuration checks", {}, {}),
  };
  return kChecks;
}

InspectionConfig InspectionConfig::defaults() {
  InspectionConfig c;
  c.checks = knownChecks();
  return c;
}

const CheckSettings* InspectionConfig::find(const std::string& id) const {
  auto it = std::find_if(checks.begin(), checks.end(),
                         [&id](const CheckSettings& c) { return c.id == id; });
  return it == checks.end() ? nullptr : &*it;
}

Result<InspectionConfig> InspectionConfig::read(const ConfigNode& block) {
  InspectionConfig c = defaults();
  if (auto r = block.allowOnly(
          {"schedule", "intensified_every_minutes", "check_timeout_seconds", "checks"});
      !r)
    return r.error();
  auto schedule = block.string("schedule", c.schedule);
  if (!schedule)
    return schedule.error();
  if (auto when = parseJobWhen(schedule.value()); !when)
    return block.fail("schedule", when.error().message);
  c.schedule = schedule.value();
  auto every = block.integer("intensified_every_minutes", c.intensifiedEveryMinutes, 0, 24 * 60);
  if (!every)
    return every.error();
  c.intensifiedEveryMinutes = static_cast<unsigned>(every.value());
  auto timeout = block.integer("check_timeout_seconds", c.checkTimeoutSeconds, 1, 3600);
  if (!timeout)
    return timeout.error();
  c.checkTimeoutSeconds = static_cast<unsigned>(timeout.value());
  auto entries = block.objects("checks");
  if (!entries)
    return entries.error();
  std::vector<std::string> seen;
  for (const auto& e : entries.value()) {
    if (auto r = e.allowOnly({"check", "enabled", "thresholds", "intensified"}); !r)
      return r.error();
    auto id = e.requiredString("check");
    if (!id)
      return id.error();
    auto it = std::find_if(c.checks.begin(), c.checks.end(),
                           [&](const CheckSettings& s) { return s.id == id.value(); });
    if (it == c.checks.end()) {
      std::string names;
      for (const auto& k : knownChecks())
        names += (names.empty() ? "" : ", ") + k.id;
      return e.fail("check", "unknown check '" + id.value() + "' (checks: " + names + ")");
    }
    if (std::find(seen.begin(), seen.end(), id.value()) != seen.end())
      return e.fail("check", "check '" + id.value() + "' is listed twice");
    seen.push_back(id.value());
    auto enabled = e.boolean("enabled", true);
    if (!enabled)
      return enabled.error();
    it->enabled = enabled.value();
    auto normal = readThresholds(e, "thresholds", it->thresholds, it->thresholds);
    if (!normal)
      return normal.error();
    // A normal threshold set in config is also the intensified one unless that is set too.
    std::map<std::string, double> intensified = it->intensified;
    for (const auto& [k, v] : normal.value()) {
      if (v != it->thresholds.at(k))
        intensified[k] = v;
    }
    it->thresholds = normal.value();
    auto tight = readThresholds(e, "intensified", it->intensified, intensified);
    if (!tight)
      return tight.error();
    it->intensified = tight.value();
  }
  return c;
}

}  // namespace huitong::ops::inspect
