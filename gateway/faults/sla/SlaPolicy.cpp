#include "gateway/faults/sla/SlaPolicy.h"

#include <cctype>

namespace huitong::sla {

namespace {

constexpr EpochMillis kMinute = 60'000;
constexpr long long kMaxMinutes = 10LL * 366 * 24 * 60;  // ten years: a typo, not a target

SlaTarget make(long long amount, SlaTarget::Unit unit) {
  SlaTarget t;
  t.amount = amount;
  t.unit = unit;
  return t;
}

const char* kDurationHelp =
    "must be a duration such as \"30m\", \"4h\", \"1d\" (clock time, 7x24) or \"5wd\", \"7wh\" "
    "(working days or working hours on the work calendar)";

Result<std::array<SlaTarget, 2>> readPair(const ConfigNode& node, const std::string& key,
                                          std::array<SlaTarget, 2> pair) {
  if (!node.has(key))
    return pair;
  const auto& v = node.value()[key.c_str()];
  if (v.IsString()) {
    SlaTarget t;
    if (!SlaTarget::parse(v.GetString(), t))
      return node.fail(key, key + " " + kDurationHelp);
    return std::array<SlaTarget, 2>{t, t};
  }
  if (!v.IsObject()) {
    return node.fail(key, key +
                              " must be a duration or an object {\"general\": ..., \"major\": "
                              "...}");
  }
  auto child = node.object(key);
  if (!child.ok())
    return child.error();
  if (auto r = child.value().allowOnly({"general", "major"}); !r.ok())
    return r.error();
  for (const auto& [name, sev] :
       {std::pair{"general", Severity::kGeneral}, std::pair{"major", Severity::kMajor}}) {
    auto text = child.value().string(name);
    if (!text.ok())
      return text.error();
    if (!child.value().has(name))
      continue;
    SlaTarget t;
    if (!SlaTarget::parse(text.value(), t))
      return child.value().fail(name, key + "." + name + " " + kDurationHelp);
    pair[static_cast<int>(sev)] = t;
  }
  return pair;
}

// Reads response/resolution/on_site/warning_percent of `node` over `base`.
Result<ClockTargets> readTargets(const ConfigNode& node, ClockTargets base) {
  auto response = readPair(node, "response", base.response);
  if (!response.ok())
    return response.error();
  base.response = response.value();
  auto resolution = readPair(node, "resolution", base.resolution);
  if (!resolution.ok())
    return resolution.error();
  base.resolution = resolution.value();
  auto onSite = readPair(node, "on_site", base.onSite);
  if (!onSite.ok())
    return onSite.error();
  base.onSite = onSite.value();
  auto percent = node.integer("warning_percent", base.warningPercent, 1, 99);
  if (!percent.ok())
    return percent.error();
  base.warningPercent = static_cast<int>(percent.value());
  return base;
}

}  // namespace

const char* toString(Severity s) {
  return s == Severity::kMajor ? "major" : "general";
}

std::optional<Severity> parseSeverity(const std::string& s) {
  if (s == "general")
    return Severity::kGeneral;
  if (s == "major")
    return Severity::kMajor;
  return std::nullopt;
}

const char* toString(ClockKind k) {
  switch (k) {
    case ClockKind::kResponse:
      return "response";
    case ClockKind::kResolution:
      return "resolution";
    case ClockKind::kOnSite:
      return "on_site";
  }
  return "?";
}

EpochMillis SlaTarget::millis(const WorkCalendar& calendar) const {
  switch (unit) {
    case Unit::kMinutes:
      return amount * kMinute;
    case Unit::kHours:
      return amount * 60 * kMinute;
    case Unit::kDays:
      return amount * 24 * 60 * kMinute;
    case Unit::kWorkingHours:
      return amount * 60 * kMinute;
    case Unit::kWorkingDays: {
      EpochMillis day = 0;
      for (const auto& h : calendar.officeHours())
        day += static_cast<EpochMillis>(h.endMinute - h.startMinute) * kMinute;
      return amount * day;
    }
  }
  return 0;
}

std::string SlaTarget::text() const {
  static const char* suffix[] = {"m", "h", "d", "wd", "wh"};
  return std::to_string(amount) + suffix[static_cast<int>(unit)];
}

std::string SlaTarget::words() const {
  static const char* word[] = {"minute", "hour", "day", "working day", "working hour"};
  return std::to_string(amount) + " " + word[static_cast<int>(unit)] + (amount == 1 ? "" : "s");
}

bool SlaTarget::parse(const std::string& text, SlaTarget& out) {
  std::size_t i = 0;
  long long n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i < 9)
    n = n * 10 + (text[i++] - '0');
  if (i == 0 || n < 1)
    return false;
  const std::string unit = text.substr(i);
  long long minutes = 0;
  if (unit == "m") {
    out = make(n, Unit::kMinutes);
    minutes = n;
  } else if (unit == "h") {
    out = make(n, Unit::kHours);
    minutes = n * 60;
  } else if (unit == "d") {
    out = make(n, Unit::kDays);
    minutes = n * 24 * 60;
  } else if (unit == "wd") {
    out = make(n, Unit::kWorkingDays);
    minutes = n * 24 * 60;
  } else if (unit == "wh") {
    out = make(n, Unit::kWorkingHours);
    minutes = n * 60;
  } else {
    return false;
  }
  return minutes <= kMaxMinutes;
}

const SlaTarget& ClockTargets::target(ClockKind k, Severity s) const {
  const int i = static_cast<int>(s);
  switch (k) {
    case ClockKind::kResponse:
      return response[i];
    case ClockKind::kResolution:
      return resolution[i];
    case ClockKind::kOnSite:
      break;
  }
  return onSite[i];
}

SlaPolicy::SlaPolicy() {
  using U = SlaTarget::Unit;
  defaults_.response = {make(30, U::kMinutes), make(15, U::kMinutes)};
  defaults_.resolution = {make(4, U::kHours), make(24, U::kHours)};
  defaults_.onSite = {make(1, U::kHours), make(1, U::kHours)};
  defaults_.warningPercent = 75;
  ClockTargets bug = defaults_;
  bug.resolution = {make(5, U::kWorkingDays), make(5, U::kWorkingDays)};
  byType_["bug"] = bug;
}

const std::vector<std::string>& SlaPolicy::knownTypes() {
  static const std::vector<std::string> types{"application", "database", "network", "exchange",
                                              "security",    "bug",      "other"};
  return types;
}

Result<SlaPolicy> SlaPolicy::read(const ConfigNode& block) {
  if (auto r = block.allowOnly({"warning_percent", "response", "resolution", "on_site", "types"});
      !r.ok())
    return r.error();
  SlaPolicy policy;
  auto own = readTargets(block, policy.defaults_);
  if (!own.ok())
    return own.error();
  // The block's own targets apply to every type; bug keeps its 5 working days unless overridden.
  const SlaTarget bugTarget = policy.byType_["bug"].resolution[0];
  ClockTargets bug = own.value();
  bug.resolution = {bugTarget, bugTarget};
  policy.defaults_ = own.value();
  policy.byType_.clear();
  policy.byType_["bug"] = bug;

  auto types = block.object("types");
  if (!types.ok())
    return types.error();
  const auto& tv = types.value().value();
  if (!tv.IsObject())
    return block.fail("types", "types must be an object keyed by ticket type");
  std::string known;
  for (const auto& t : knownTypes())
    known += (known.empty() ? "" : "|") + t;
  for (auto it = tv.MemberBegin(); it != tv.MemberEnd(); ++it) {
    const std::string name = it->name.GetString();
    bool isKnown = false;
    for (const auto& t : knownTypes())
      isKnown = isKnown || t == name;
    if (!isKnown) {
      return types.value().fail(name,
                                "unknown ticket type '" + name + "' (types are " + known + ")");
    }
    if (!it->value.IsObject())
      return types.value().fail(name, "types." + name + " must be an object");
    auto node = types.value().object(name);
    if (!node.ok())
      return node.error();
    if (auto r = node.value().allowOnly({"warning_percent", "response", "resolution", "on_site"});
        !r.ok())
      return r.error();
    const ClockTargets base = name == "bug" ? bug : policy.defaults_;
    auto targets = readTargets(node.value(), base);
    if (!targets.ok())
      return targets.error();
    policy.byType_[name] = targets.value();
  }
  return policy;
}

const ClockTargets& SlaPolicy::targetsFor(const std::string& type) const {
  auto it = byType_.find(type);
  return it == byType_.end() ? defaults_ : it->second;
}

}  // namespace huitong::sla
