#include "gateway/faults/FaultRules.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace huitong::faults {
namespace {

constexpr EpochMillis kChinaOffsetMillis = 8LL * 3600 * 1000;
constexpr EpochMillis kDayMillis = 86400LL * 1000;

Result<int> minuteOf(const ConfigNode& node, const std::string& key, int fallback) {
  auto text = node.string(key);
  if (!text.ok())
    return text.error();
  if (text.value().empty())
    return fallback;
  const std::string& s = text.value();
  if (s == "24:00")
    return 24 * 60;
  if (s.size() != 5 || s[2] != ':' || !std::isdigit(static_cast<unsigned char>(s[0])) ||
      !std::isdigit(static_cast<unsigned char>(s[1])) ||
      !std::isdigit(static_cast<unsigned char>(s[3])) ||
      !std::isdigit(static_cast<unsigned char>(s[4])))
    return node.fail(key, key + " must be a time HH:MM (China time), not \"" + s + "\"");
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59)
    return node.fail(key, key + " \"" + s + "\" is not a time of day");
  return h * 60 + m;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

template <typename E>
Result<std::vector<E>> enumList(const ConfigNode& node, const std::string& key,
                                std::optional<E> (*parse)(std::string_view),
                                const std::string& all) {
  auto names = node.strings(key);
  if (!names.ok())
    return names.error();
  std::vector<E> out;
  for (const auto& n : names.value()) {
    auto v = parse(n);
    if (!v)
      return node.fail(key, key + ": \"" + n + "\" is not one of " + all);
    out.push_back(*v);
  }
  return out;
}

}  // namespace

Result<FaultRules> FaultRules::parse(const ConfigNode& block) {
  FaultRules out;
  if (auto k = block.allowOnly({"groups", "classification", "dispatch", "default_group",
                                "attachments", "channels", "sla", "mailboxes"});
      !k.ok())
    return k.error();
  auto groups = block.objects("groups");
  if (!groups.ok())
    return groups.error();
  std::set<std::string> names;
  for (const auto& g : groups.value()) {
    if (auto k = g.allowOnly({"name", "members", "hours", "roster", "channels"}); !k.ok())
      return k.error();
    MaintainerGroup group;
    auto name = g.requiredString("name");
    if (!name.ok())
      return name.error();
    group.name = name.value();
    if (!names.insert(group.name).second)
      return g.fail("name", "group \"" + group.name + "\" is defined twice");
    auto members = g.strings("members");
    if (!members.ok())
      return members.error();
    group.members = members.value();
    if (group.members.empty())
      return g.fail("members", "group \"" + group.name + "\" needs at least one member");
    auto hours = g.oneOf("hours", {"7x24", "calendar"}, "7x24");
    if (!hours.ok())
      return hours.error();
    group.calendarHours = hours.value() == "calendar";
    auto channels = g.strings("channels");
    if (!channels.ok())
      return channels.error();
    group.channels = channels.value();
    auto roster = g.objects("roster");
    if (!roster.ok())
      return roster.error();
    for (const auto& s : roster.value()) {
      if (auto k = s.allowOnly({"members", "days", "from", "to", "working_time"}); !k.ok())
        return k.error();
      Shift shift;
      auto m = s.strings("members");
      if (!m.ok())
        return m.error();
      shift.members = m.value();
      if (shift.members.empty())
        return s.fail("members", "a shift needs at least one member");
      for (const auto& who : shift.members) {
        if (!contains(group.members, who))
          return s.fail("members",
                        "\"" + who + "\" is not a member of group \"" + group.name + "\"");
      }
      auto days = s.oneOf("days", {"all", "workdays", "non_workdays"}, "all");
      if (!days.ok())
        return days.error();
      shift.days = days.value() == "workdays"       ? Shift::Days::kWorkdays
                   : days.value() == "non_workdays" ? Shift::Days::kNonWorkdays
                                                    : Shift::Days::kAll;
      auto from = minuteOf(s, "from", 0);
      if (!from.ok())
        return from.error();
      auto to = minuteOf(s, "to", 24 * 60);
      if (!to.ok())
        return to.error();
      shift.fromMinute = from.value();
      shift.toMinute = to.value();
      auto wt = s.boolean("working_time", false);
      if (!wt.ok())
        return wt.error();
      shift.workingTime = wt.value();
      if (shift.workingTime && (s.has("from") || s.has("to") || s.has("days")))
        return s.fail("working_time",
                      "working_time follows the work calendar: leave out days, from and to");
      group.roster.push_back(std::move(shift));
    }
    out.groups.push_back(std::move(group));
  }

  auto rules = block.objects("classification");
  if (!rules.ok())
    return rules.error();
  for (const auto& r : rules.value()) {
    if (auto k = r.allowOnly(
            {"name", "keywords", "sources", "items", "systems", "channels", "type", "severity"});
        !k.ok())
      return k.error();
    ClassificationRule rule;
    auto name = r.requiredString("name");
    if (!name.ok())
      return name.error();
    rule.name = name.value();
    for (auto [key, list] :
         {std::pair{"keywords", &rule.keywords}, std::pair{"sources", &rule.sources},
          std::pair{"items", &rule.items}, std::pair{"systems", &rule.systems}}) {
      auto v = r.strings(key);
      if (!v.ok())
        return v.error();
      *list = v.value();
    }
    for (auto& k : rule.keywords)
      k = lower(k);
    auto ch = enumList<Channel>(r, "channels", &parseChannel, allChannels());
    if (!ch.ok())
      return ch.error();
    rule.channels = ch.value();
    if (r.has("type")) {
      auto t = r.oneOf(
          "type", {"application", "database", "network", "exchange", "security", "bug", "other"},
          "other");
      if (!t.ok())
        return t.error();
      rule.type = parseTicketType(t.value());
    }
    if (r.has("severity")) {
      auto s = r.oneOf("severity", {"general", "major"}, "general");
      if (!s.ok())
        return s.error();
      rule.severity = parseSeverity(s.value());
    }
    if (!rule.type && !rule.severity)
      return r.fail("", "classification rule \"" + rule.name + "\" sets neither type nor severity");
    out.classification.push_back(std::move(rule));
  }

  auto dispatch = block.objects("dispatch");
  if (!dispatch.ok())
    return dispatch.error();
  for (const auto& d : dispatch.value()) {
    if (auto k = d.allowOnly({"name", "types", "items", "systems", "group"}); !k.ok())
      return k.error();
    DispatchRule rule;
    auto name = d.requiredString("name");
    if (!name.ok())
      return name.error();
    rule.name = name.value();
    auto types = enumList<TicketType>(d, "types", &parseTicketType, allTicketTypes());
    if (!types.ok())
      return types.error();
    rule.types = types.value();
    auto items = d.strings("items");
    if (!items.ok())
      return items.error();
    rule.items = items.value();
    auto systems = d.strings("systems");
    if (!systems.ok())
      return systems.error();
    rule.systems = systems.value();
    auto group = d.requiredString("group");
    if (!group.ok())
      return group.error();
    rule.group = group.value();
    if (!names.count(rule.group))
      return d.fail("group", "no maintainer group \"" + rule.group + "\" in faults.groups");
    out.dispatch.push_back(std::move(rule));
  }

  auto def = block.string("default_group");
  if (!def.ok())
    return def.error();
  out.defaultGroup = def.value();
  if (!out.defaultGroup.empty() && !names.count(out.defaultGroup))
    return block.fail("default_group",
                      "no maintainer group \"" + out.defaultGroup + "\" in faults.groups");
  auto channels = block.strings("channels");
  if (!channels.ok())
    return channels.error();
  out.channels = channels.value();

  auto att = block.object("attachments");
  if (!att.ok())
    return att.error();
  if (auto k = att.value().allowOnly({"max_bytes", "max_count", "content_types"}); !k.ok())
    return k.error();
  if (att.value().has("content_types")) {
    auto types = att.value().strings("content_types");
    if (!types.ok())
      return types.error();
    for (const auto& t : types.value()) {
      const auto slash = t.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == t.size() ||
          t.find_first_of(" ;,") != std::string::npos)
        return att.value().fail("content_types",
                                "\"" + t + "\" is not a media type such as image/png or image/*");
    }
    out.attachments.contentTypes = types.value();
  }
  auto maxBytes = att.value().integer("max_bytes", out.attachments.maxBytes, 0, 1LL << 30);
  if (!maxBytes.ok())
    return maxBytes.error();
  out.attachments.maxBytes = maxBytes.value();
  auto maxCount = att.value().integer("max_count", out.attachments.maxCount, 0, 1000);
  if (!maxCount.ok())
    return maxCount.error();
  out.attachments.maxCount = static_cast<int>(maxCount.value());
  return out;
}

const MaintainerGroup* FaultRules::group(const std::string& name) const {
  for (const auto& g : groups) {
    if (g.name == name)
      return &g;
  }
  return nullptr;
}

FaultRules::Proposal FaultRules::classify(const Ticket& ticket) const {
  Proposal p{ticket.type, ticket.severity, ""};
  const std::string haystack = lower(ticket.title + "\n" + ticket.description);
  for (const auto& r : classification) {
    if (!r.keywords.empty() &&
        std::none_of(r.keywords.begin(), r.keywords.end(),
                     [&](const std::string& k) { return haystack.find(k) != std::string::npos; }))
      continue;
    if (!r.sources.empty() &&
        std::none_of(r.sources.begin(), r.sources.end(), [&](const std::string& s) {
          return ticket.source.compare(0, s.size(), s) == 0;
        }))
      continue;
    if (!r.items.empty() && !contains(r.items, ticket.item))
      continue;
    if (!r.systems.empty() && !contains(r.systems, ticket.system))
      continue;
    if (!r.channels.empty() &&
        std::find(r.channels.begin(), r.channels.end(), ticket.channel) == r.channels.end())
      continue;
    if (r.type)
      p.type = *r.type;
    if (r.severity)
      p.severity = *r.severity;
    p.rule = r.name;
    return p;
  }
  return p;
}

FaultRules::Route FaultRules::route(const Ticket& ticket) const {
  for (const auto& r : dispatch) {
    if (!r.types.empty() && std::find(r.types.begin(), r.types.end(), ticket.type) == r.types.end())
      continue;
    if (!r.items.empty() && !contains(r.items, ticket.item))
      continue;
    if (!r.systems.empty() && !contains(r.systems, ticket.system))
      continue;
    return {r.group, r.name};
  }
  if (!defaultGroup.empty())
    return {defaultGroup, ""};
  if (!groups.empty())
    return {groups.front().name, ""};
  return {"", ""};
}

std::vector<std::string> FaultRules::onDuty(const MaintainerGroup& g, EpochMillis t,
                                            const WorkCalendar& calendar) const {
  if (g.roster.empty()) {
    if (g.calendarHours && !calendar.isWorkingTime(t))
      return {};
    return g.members;
  }
  const EpochMillis local = t + kChinaOffsetMillis;
  const Day today = chinaDay(t);
  const int minute = static_cast<int>(((local % kDayMillis) + kDayMillis) % kDayMillis / 60000);
  auto dayMatches = [&](Shift::Days days, Day d) {
    switch (days) {
      case Shift::Days::kAll:
        return true;
      case Shift::Days::kWorkdays:
        return calendar.isWorkday(d);
      case Shift::Days::kNonWorkdays:
        return !calendar.isWorkday(d);
    }
    return false;
  };
  std::set<std::string> on;
  for (const auto& s : g.roster) {
    bool active = false;
    if (s.workingTime) {
      active = calendar.isWorkingTime(t);
    } else if (s.fromMinute < s.toMinute) {
      active = dayMatches(s.days, today) && minute >= s.fromMinute && minute < s.toMinute;
    } else {
      // Past midnight: the evening part belongs to today, the morning part to yesterday's shift.
      active = (dayMatches(s.days, today) && minute >= s.fromMinute) ||
               (dayMatches(s.days, today - 1) && minute < s.toMinute);
    }
    if (active)
      on.insert(s.members.begin(), s.members.end());
  }
  std::vector<std::string> out;
  for (const auto& m : g.members) {
    if (on.count(m))
      out.push_back(m);
  }
  return out;
}

bool AttachmentLimits::allows(const std::string& mediaType) const {
  const auto slash = mediaType.find('/');
  if (slash == std::string::npos)
    return false;
  for (const auto& t : contentTypes) {
    if (t == mediaType)
      return true;
    if (t.size() == slash + 2 && t.compare(0, slash + 1, mediaType, 0, slash + 1) == 0 &&
        t.back() == '*')
      return true;
  }
  return false;
}

}  // namespace huitong::faults
